// The request target, parsed once on arrival (RFC 9112 §3.2) so routing and authentication agree.
import { ScimError } from '../scim/errors'
import { errorResponse } from './respond'
import { contextOf, type RequestContext } from './request-context'
import { API_PREFIX, DEFAULT_TENANT, isTenantName, TENANTS_PREFIX } from '../tenants/name'

/**
 * Elysia finds a request's path by searching for `/` from character 11 of the URL (its
 * `standardHostname` shortcut, which assumes a host of 4+ characters). With a shorter Host, such
 * as `http://x/healthz?/scim/v2/Users`, it starts inside the path or the query and routes to
 * something else than the target says. Requests whose origin is that short are re-issued under
 * this origin, which is long enough, and their real origin is remembered for meta.location.
 */
const ROUTING_ORIGIN = 'http://scim-server.route'
const ELYSIA_PATH_SEARCH_START = 11

/** Requests this front door re-issued: their URL is canonical already. */
const reissued = new WeakSet<Request>()

export interface Target {
  /** `scheme://host[:port]`, or '' when Bun got no usable Host and the URL is only the target. */
  origin: string
  path: string
  /** From the first `?` on, including it; '' when there is none. */
  query: string
}

/**
 * Splits `request.url` the way RFC 3986 §3 does: origin, path up to the first `?`, query. Bun builds
 * the URL from the Host header and the raw target; with no Host, or one that is not a host name
 * (`a/b`, `a b`), the URL is the bare target starting with `/`.
 */
export function parseTarget(url: string): Target {
  let pathStart = 0
  if (!url.startsWith('/')) {
    const authority = url.indexOf('//')
    pathStart = url.indexOf('/', authority + 2)
    if (pathStart < 0) return { origin: url, path: '/', query: '' }
  }
  const queryStart = url.indexOf('?', pathStart)
  return {
    origin: url.slice(0, pathStart),
    path: queryStart < 0 ? url.slice(pathStart) : url.slice(pathStart, queryStart),
    query: queryStart < 0 ? '' : url.slice(queryStart),
  }
}

/** Why a target cannot be served, or undefined when it can. */
export function targetProblem(url: string, target: Target): string | undefined {
  // Bun keeps a `#` the client sent; clients never send fragments, and the router would read it as part of the path.
  if (url.includes('#')) return 'the request target contains a fragment (#)'
  if (target.path.includes('%')) {
    try {
      decodeURIComponent(target.path)
    } catch {
      return 'the request path is not valid percent-encoded UTF-8'
    }
  }
  return undefined
}

/**
 * The path with runs of `/` collapsed (a Tenant URL pasted with a trailing slash makes
 * `/scim/v2//Users`) and no trailing `/`: the router ignores one, so without this `/healthz/`
 * would be routed as `/healthz` but not seen as it by the token check.
 */
export function canonicalPath(path: string): string {
  const collapsed = path.includes('//') ? path.replace(/\/{2,}/g, '/') : path
  return collapsed.length > 1 && collapsed.endsWith('/') ? collapsed.slice(0, -1) : collapsed
}

/**
 * `/tenants/NAME/scim/v2/...` → tenant NAME and the path `/scim/v2/...` the routes serve; any other
 * path is the default tenant's as it is. A string is why the path names no tenant: a name
 * outside the pattern, the default tenant under a second URL, or nothing under its /scim/v2.
 */
export function tenantOfPath(path: string): { tenant: string; path: string } | string {
  if (!path.startsWith(TENANTS_PREFIX)) return { tenant: DEFAULT_TENANT, path }
  const end = path.indexOf('/', TENANTS_PREFIX.length)
  const name = end < 0 ? path.slice(TENANTS_PREFIX.length) : path.slice(TENANTS_PREFIX.length, end)
  const rest = end < 0 ? '' : path.slice(end)
  if (!isTenantName(name))
    return `no tenant is called ${JSON.stringify(name.slice(0, 80))}: names are [a-z0-9][a-z0-9-]{0,62}`
  if (name === DEFAULT_TENANT) return `the default tenant is served at ${API_PREFIX}`
  if (rest !== API_PREFIX && !rest.startsWith(`${API_PREFIX}/`))
    return `a tenant serves only its SCIM API, at /tenants/${name}${API_PREFIX}`
  return { tenant: name, path: rest }
}

/** The origin the client used for `request`, before any re-issue. */
export function originOf(request: Request): string {
  return contextOf(request)?.origin ?? parseTarget(request.url).origin
}

/**
 * The path the routes of the SCIM API and the open controller are written for: `path` without a
 * named tenant's prefix (the router serves both spellings, see app.ts). Undefined for a path
 * under /tenants/ that names no tenant's API (the front door answered those with a 404 already).
 */
export function apiPathOf(path: string): string | undefined {
  const tenant = tenantOfPath(path)
  return typeof tenant === 'string' ? undefined : tenant.path
}

/** What a step of the app's arrival hook (plugins/arrival.ts) answers: a response, or undefined to go on. */
export type Answer = Response | Promise<Response> | undefined

/**
 * The first step on arrival: rejects targets that cannot be served (400 with a SCIM Error) and
 * re-issues, through `handle`, every request whose URL the router would read differently from
 * parseTarget. Afterwards the router's `path` is the target's path, and authentication checks
 * that same `path` (plugins/auth.ts), so the two can never disagree. A named tenant's requests
 * are routed as they came (the API is mounted under /tenants/:tenant/scim/v2 as well): re-issuing
 * them under /scim/v2 made a second Request and a second pass through the router, ~4 µs a request.
 */
export function frontDoor(
  handle: (request: Request, from: Request) => Response | Promise<Response>
): (request: Request, ctx: RequestContext | undefined) => Answer {
  return (request, ctx) => {
    if (reissued.has(request)) return // re-issued below: its URL is canonical
    const url = request.url
    const target = parseTarget(url)
    const problem = targetProblem(url, target)
    if (problem) return errorResponse(ScimError.invalidSyntax(problem))
    // A named tenant's requests are served by the same routes as the default tenant's, under its
    // name in the context: auth accepts only its tokens, and the routes find its services by it.
    const canonical = canonicalPath(target.path)
    const tenant = tenantOfPath(canonical)
    if (typeof tenant === 'string') return errorResponse(ScimError.notFound(tenant))
    const path = tenant.path
    // What this one parse found, for meta.location (originOf) and the request log; a re-issued
    // request carries the same context, so its public origin survives the routing origin.
    if (ctx) {
      ctx.origin = target.origin
      ctx.route = path
      ctx.target ??= target // a re-issued request keeps what the client sent
      // Only a tenant prefix names a tenant (a context starts as the default's): a request the app
      // re-issues to itself (a respelled endpoint) has lost its prefix and keeps the tenant its
      // original named.
      if (tenant.tenant !== DEFAULT_TENANT) ctx.tenant = tenant.tenant
    }
    if (canonical === target.path && target.origin.length >= ELYSIA_PATH_SEARCH_START) return
    const routed = new Request(ROUTING_ORIGIN + canonical + target.query, request)
    reissued.add(routed)
    return handle(routed, request)
  }
}
