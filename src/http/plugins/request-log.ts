// One log line and one metrics sample per request, and its id in x-request-id.
import type { Logger, RequestRecord } from '../../log/types'
import type { ServerMetrics } from '../../metrics/registry'
import { canonicalPath, parseTarget } from '../front-door'
import { attachContext, type RequestContext } from '../request-context'
import { requestId } from '../request-id'
import { RoutePatterns } from '../route-fallback'
import { DEFAULT_TENANT } from '../../tenants/name'

/** The route label of a request no route matched (401 before routing, 404, a bad target). */
export const UNROUTED = 'unrouted'

/**
 * The tenant label of a request whose path names a tenant the server does not have. Not a
 * possible tenant name (those start with a letter or digit), so no real tenant shares it.
 */
export const UNKNOWN_TENANT = '_unknown'

/** The method labels; any other method (Bun passes WebDAV's and others through) is `other`. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

/**
 * The metric labels of a request, each from a fixed set or the server's own tenants: anything a
 * client can vary freely (a made-up tenant in the path, a method) would add a series per value,
 * and 100,000 made-up names grew the resident size by 240 MB and /metrics to 264 MB.
 */
function tenantLabel(ctx: RequestContext, known: (tenant: string) => boolean): string {
  if (ctx.services || ctx.tenant === DEFAULT_TENANT) return ctx.tenant
  try {
    return known(ctx.tenant) ? ctx.tenant : UNKNOWN_TENANT
  } catch {
    // Its row exists but its services cannot be built (503): a tenant of the server all the same.
    return ctx.tenant
  }
}

type Handle = (request: Request) => Response | Promise<Response>

/** A query parameter's name as the client meant it; one without escapes (the usual) as it is. */
function decodedName(raw: string): string {
  if (!raw.includes('%') && !raw.includes('+')) return raw
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '))
  } catch {
    // A malformed escape is logged as sent; the request itself is answered by the app.
    return raw
  }
}

/**
 * The names of the query parameters, never their values: a filter carries user names and mail
 * addresses, and a misconfigured client may put a secret in any of them. Each name once, in the
 * order they came. Read in place: splitting the query, decoding every name and a Set for the
 * usual single `filter` cost ~0.3 µs of a filtered read.
 */
export function queryNames(query: string): string | undefined {
  if (query.length <= 1) return undefined
  let first: string | undefined
  let names: Set<string> | undefined
  for (let start = 1; start <= query.length; ) {
    let end = query.indexOf('&', start)
    if (end < 0) end = query.length
    if (end > start) {
      const eq = query.indexOf('=', start)
      const name = decodedName(query.slice(start, eq >= 0 && eq < end ? eq : end)).slice(0, 64)
      if (first === undefined) first = name
      else if (names || name !== first) (names ??= new Set([first])).add(name)
    }
    start = end + 1
  }
  return names ? [...names].join(',') : (first ?? '')
}

/** The resource a request addressed: its route's `:id`, or the new one a 201 points to. */
function resourceIdOf(route: string, path: string, response: Response): string | undefined {
  const location = response.status === 201 ? response.headers.get('location') : null
  const source = location ?? (route.endsWith('/:id') ? path : undefined)
  if (source === undefined) return undefined
  const last = source.slice(source.lastIndexOf('/') + 1)
  if (!last.includes('%')) return last
  try {
    return decodeURIComponent(last)
  } catch {
    return last
  }
}

/**
 * Wraps the app's `handle`: gives the request its context (request id, tenant), lets the app
 * answer, then sets x-request-id (and, while the server stops, Connection: close), counts the
 * request in the metrics and writes one log line.
 * Outside the app rather than a hook in it, so the answers that hooks give early (401, a bad
 * target) and those of re-issued requests are logged exactly once, with their real duration.
 * The line is built only when the logger would write it: embedded servers have no logger.
 * `known` tells the tenants the server has, the only ones that become metric labels.
 */
export function observeRequests(
  handle: Handle,
  metrics: ServerMetrics,
  logger: Logger | undefined,
  routes: () => readonly { method: string; path: string }[],
  known: (tenant: string) => boolean,
  draining: () => boolean = () => false
): (request: Request) => Promise<Response> {
  let patterns: RoutePatterns | undefined
  return async (request) => {
    const started = performance.now()
    const ctx: RequestContext = { id: requestId(request.headers.get('x-request-id')), tenant: DEFAULT_TENANT }
    attachContext(request, ctx)
    const response = await handle(request)
    response.headers.set('x-request-id', ctx.id)
    // Stopping (SIGTERM): a client that reused this connection for its next request (a POST,
    // say) had it reset without knowing whether it ran; told to close, it opens another.
    if (draining()) response.headers.set('connection', 'close')
    const ms = performance.now() - started
    // The route of the request as served (a re-issued one records the path it was re-issued with).
    patterns ??= new RoutePatterns(routes())
    const servedPath = ctx.route ?? canonicalPath(parseTarget(request.url).path)
    const route = patterns.patternOf(request.method, servedPath) ?? UNROUTED
    const method = METHODS.has(request.method) ? request.method : 'other'
    metrics.request(tenantLabel(ctx, known), route, method, response.status, ms / 1000)
    if (logger?.isLevelEnabled('info')) {
      const target = ctx.target ?? parseTarget(request.url)
      const record: RequestRecord = {
        reqId: ctx.id,
        tenant: ctx.tenant,
        token: ctx.tokenLabel,
        method: request.method,
        path: target.path,
        query: queryNames(target.query),
        route,
        status: response.status,
        ms: Math.round(ms * 100) / 100,
        resource: resourceIdOf(route, servedPath, response),
        compat: ctx.compat,
      }
      if (logger.request) logger.request(record)
      else logger.info(record, 'request')
    }
    return response
  }
}
