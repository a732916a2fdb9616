// What each token scope may do: the one rule the HTTP layer asks after authentication.
import type { TokenScope } from './token-registry'

/** The Prometheus scrape path, on the API port (checked by plugins/auth.ts) and on --metrics-listen. */
export const METRICS_PATH = '/metrics'

/** The RFC 8936 poll endpoint under a Tenant URL (routes/events.ts): a POST that only reads the journal. */
const EVENTS_POLL = '/scim/v2/events'

/** POSTs that read: a search (RFC 7644 §3.4.3, type-level or root) or a change-events poll. */
function searchOrPoll(lower: string): boolean {
  return lower.endsWith('/.search') || lower.endsWith(EVENTS_POLL)
}

const NEEDS_METRICS_TOKEN =
  '/metrics needs a metrics token (scim-server token --scope metrics) or the --metrics-listen listener'

/**
 * Why a token of `scope` may not send `method` to `path` (the router's path), or undefined when it
 * may. `provision`: all of SCIM, not /metrics (it counts every tenant's traffic). `read`: GET
 * (resources, lists, discovery) and the POSTs that read (searchOrPoll); every other method
 * writes. `metrics`: GET /metrics and nothing else.
 * Paths compare without letter case, as the route fallback serves `/scim/v2/users` as `/Users`.
 */
export function scopeRefusal(scope: TokenScope, method: string, path: string): string | undefined {
  // Lower-cased only when the length could match: this runs on every request.
  const metrics = path.length === METRICS_PATH.length && path.toLowerCase() === METRICS_PATH
  const reads = method === 'GET' || method === 'HEAD'
  switch (scope) {
    case 'provision':
      return metrics ? `this is a provisioning token; ${NEEDS_METRICS_TOKEN}` : undefined
    case 'read':
      if (metrics) return `this is a read-only token; ${NEEDS_METRICS_TOKEN}`
      if (reads) return undefined
      if (method === 'POST' && searchOrPoll(path.toLowerCase())) return undefined
      return `this token is read-only: it may GET and search (POST .search); ${method} needs a provisioning token`
    case 'metrics':
      return metrics && reads ? undefined : 'this is a metrics token: it may only GET /metrics'
    default:
      return `unknown token scope '${scope as string}'`
  }
}
