// What main.ts's Bun.serve listeners answer themselves: the metrics port's one route, and a SCIM 500 when a handler throws.
import { METRICS_PATH } from '../auth/scopes'
import type { Logger } from '../log/types'
import type { ServerMetrics } from '../metrics/registry'
import { ScimError } from '../scim/errors'
import { parseTarget } from './front-door'
import { errorResponse } from './respond'
import { metricsResponse } from './routes/metrics'

/**
 * The --metrics-listen port: GET /metrics and nothing else, without a token. The path is read with
 * parseTarget, as the API port's front door reads it: with no usable Host (`Host: a b`) Bun's
 * request.url is the bare target, which `new URL` refuses with a TypeError.
 */
export function metricsListenerFetch(metrics: ServerMetrics): (request: Request) => Response | Promise<Response> {
  return (request) =>
    request.method === 'GET' && parseTarget(request.url).path === METRICS_PATH
      ? metricsResponse(metrics)
      : new Response('not found\n', { status: 404 })
}

/**
 * Bun.serve's `error` handler: without one, a handler that throws is answered with Bun's own page,
 * HTML with the stack in development builds. The client gets a plain SCIM 500 (RFC 7644 §3.12);
 * the log gets the first line of the cause, as the API's error plugin writes it.
 */
export function listenerError(logger?: Logger): (error: Error) => Response {
  return (error) => {
    const cause = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300)
    logger?.error({}, `internal error in a listener: ${cause}`)
    return errorResponse(new ScimError(500, 'internal server error'))
  }
}
