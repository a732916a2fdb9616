// GET /metrics: the server's Prometheus metrics in the text exposition format.
import { Elysia } from 'elysia'
import { METRICS_PATH } from '../../auth/scopes'
import type { ServerMetrics } from '../../metrics/registry'

/** The response of a scrape; the metrics listener (main.ts) serves the same without a token. */
export async function metricsResponse(metrics: ServerMetrics): Promise<Response> {
  return new Response(await metrics.text(), { headers: { 'content-type': metrics.contentType } })
}

/**
 * On the API port it needs a bearer token of scope `metrics` (checked by plugins/auth.ts), which only the
 * default tenant issues: the figures span every tenant, so a tenant's provisioning token must not
 * read them. Prometheus sends the token with `authorization`.
 */
export function metricsRoutes(metrics: ServerMetrics) {
  return new Elysia().get(METRICS_PATH, () => metricsResponse(metrics))
}
