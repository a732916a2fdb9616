// What an unrouted request gets instead of 404: its endpoint in any letter case, or 405 with Allow.
import { Elysia } from 'elysia'
import { ScimError } from '../scim/errors'
import { errorResponse } from './respond'

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
  handle: (request: Request, from: Request) => Promise<Response>
) {
  let table: RouteTable | undefined
  return new Elysia({ name: 'scim.route-fallback' }).onError({ as: 'global' }, ({ code, request, path }) => {
    if (code !== 'NOT_FOUND') return
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
