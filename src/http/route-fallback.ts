// What an unrouted request gets instead of 404: its endpoint in any letter case, or 405 with Allow.
import { Elysia } from 'elysia'
import { ScimError } from '../scim/errors'
import { errorResponse } from './respond'
import { TENANTS_PREFIX } from '../tenants/name'

interface RouteShape {
  method: string
  /** Lower-cased static segments; undefined where the route has a `:param`. */
  segments: (string | undefined)[]
  /** The route's own spelling of each segment. */
  spelled: string[]
}

export interface Fallback {
  /** The path in the route's own spelling when only letter case differs, for `method`. */
  respelled?: string
  /** Methods that do serve this path (for 405 Allow), empty when none does. */
  allowed: string[]
}

/**
 * The route pattern a request was served by (`/scim/v2/Users/:id`), for logs and metrics, found
 * after the answer instead of by a hook on every route (a global hook slowed every request): a
 * static route is looked up whole, and the few routes with a `:param` segment by shape.
 */
export class RoutePatterns {
  private readonly exact = new Map<string, Set<string>>()
  /** Routes whose one `:param` is the last segment (`/scim/v2/Users/:id`), by method and the path before it. */
  private readonly lastParam = new Map<string, string>()
  private readonly dynamic: { method: string; shape: RegExp; pattern: string }[] = []

  constructor(routes: readonly { method: string; path: string }[]) {
    for (const { method, path } of routes) {
      if (!path.includes('/:')) {
        const methods = this.exact.get(path) ?? new Set<string>()
        methods.add(method)
        this.exact.set(path, methods)
        continue
      }
      const parent = path.slice(0, path.lastIndexOf('/'))
      if (path.lastIndexOf('/:') === parent.length && !parent.includes('/:')) {
        const key = `${method} ${parent}`
        if (!this.lastParam.has(key)) this.lastParam.set(key, path)
        continue
      }
      const source = path
        .split('/')
        .map((s) => (s.startsWith(':') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      this.dynamic.push({ method, shape: new RegExp(`^${source.join('/')}$`), pattern: path })
    }
  }

  patternOf(method: string, path: string): string | undefined {
    const m = method === 'HEAD' ? 'GET' : method
    const methods = this.exact.get(path)
    if (methods && (methods.has(m) || methods.has('ALL'))) return path
    // One lookup for the usual `/:id` routes instead of a regular expression per route.
    const slash = path.lastIndexOf('/')
    if (slash >= 0 && slash < path.length - 1) {
      const parent = path.slice(0, slash)
      const found = this.lastParam.get(`${m} ${parent}`) ?? this.lastParam.get(`ALL ${parent}`)
      if (found !== undefined) return found
    }
    for (const r of this.dynamic) if ((r.method === m || r.method === 'ALL') && r.shape.test(path)) return r.pattern
    return undefined
  }
}

/** Matches a path against the app's routes ignoring the case of static segments. */
export class RouteTable {
  private readonly shapes: RouteShape[]

  constructor(routes: readonly { method: string; path: string }[]) {
    this.shapes = routes.map(({ method, path }) => {
      const spelled = path.split('/')
      return {
        method,
        spelled,
        segments: spelled.map((s) => (s.startsWith(':') || s === '*' ? undefined : s.toLowerCase())),
      }
    })
  }

  lookup(method: string, path: string): Fallback {
    const given = path.split('/')
    const lowered = given.map((s) => s.toLowerCase())
    const allowed = new Set<string>()
    let respelled: string | undefined
    for (const shape of this.shapes) {
      if (shape.segments.length !== given.length) continue
      if (!shape.segments.every((s, i) => s === undefined || s === lowered[i])) continue
      if (shape.method === method || shape.method === 'ALL') {
        respelled ??= shape.spelled.map((s, i) => (shape.segments[i] === undefined ? given[i] : s)).join('/')
      }
      allowed.add(shape.method)
    }
    if (allowed.has('GET')) allowed.add('HEAD')
    return {
      respelled: respelled === path ? undefined : respelled,
      allowed: allowed.has('ALL') ? [] : [...allowed].sort(),
    }
  }
}

/**
 * Lenient where third-party suites expect it: `/scim/v2/users` is served as `/scim/v2/Users` (SCIM
 * endpoint names are not case-sensitive in practice), by re-issuing the request through `handle`.
 * A path that exists under other methods answers 405 with `Allow` (RFC 9110 §15.5.6), not 404.
 */
export function routeFallback(
  routes: () => readonly { method: string; path: string }[],
  handle: (request: Request, from: Request) => Response | Promise<Response>
) {
  let table: RouteTable | undefined
  return new Elysia({ name: 'scim.route-fallback' }).onError({ as: 'global' }, ({ code, request, path }) => {
    if (code !== 'NOT_FOUND') return
    // Only the front door reads a tenant from the path, and only from `/tenants/` as written: a
    // `/Tenants/…` respelled here would reach a tenant's routes under the default tenant's context.
    if (!path.startsWith(TENANTS_PREFIX) && path.toLowerCase().startsWith(TENANTS_PREFIX)) return
    table ??= new RouteTable(routes())
    const found = table.lookup(request.method, path)
    if (found.respelled !== undefined) {
      const url = request.url
      const at = url.indexOf(path)
      return handle(new Request(url.slice(0, at) + found.respelled + url.slice(at + path.length), request), request)
    }
    if (found.allowed.length > 0) {
      return errorResponse(
        ScimError.methodNotAllowed(`${request.method} is not allowed on ${path}; use ${found.allowed.join(', ')}`),
        { allow: found.allowed.join(', ') }
      )
    }
  })
}
