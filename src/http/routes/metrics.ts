// GET /metrics: the server's Prometheus metrics in the text exposition format.
import { Elysia } from 'elysia'
import type { ServerMetrics } from '../../metrics/registry'

/** The response of a scrape; the metrics listener (main.ts) serves the same without a token. */
export async function metricsResponse(metrics: ServerMetrics): Promise<Response> {
  return new Response(await metrics.text(), { headers: { 'content-type': metrics.contentType } })
}

/**
 * On the API port it is behind the bearer token like the API (Prometheus sends it with
 * `authorization`); every token can read it until tokens get scopes.
 */
export function metricsRoutes(metrics: ServerMetrics) {
  return new Elysia().get('/metrics', () => metricsResponse(metrics))
}
