// Extracts the per-request inputs services need (base URL, projections, preconditions).
import type { RequestInfo } from '../service/result'
import { originOf } from './front-door'
import { contextOf, type RequestContext } from './request-context'

/** The API base for meta.location: the configured --base-url, else this request's origin. */
export function baseOf(request: Request, configured: string | undefined, prefix: string): string {
  return configured || `${originOf(request)}${prefix}`
}

export function requestInfo(
  request: Request,
  base: string,
  query: { attributes?: string; excludedAttributes?: string }
): RequestInfo {
  // One context lookup and one object: this runs on every request (a spread of a second object
  // and two lookups were ~0.3 µs of a cached read).
  const ctx = contextOf(request)
  return {
    base,
    attributes: query.attributes,
    excludedAttributes: query.excludedAttributes,
    ifMatch: request.headers.get('if-match') ?? undefined,
    ifNoneMatch: request.headers.get('if-none-match') ?? undefined,
    // Who made the change and in which request, for the journal: from the context auth filled in.
    actor: ctx?.tokenLabel,
    requestId: ctx?.id,
    firedCompat: ctx ? () => ctx.compat ?? [] : undefined,
    compat: ctx ? (rule) => compatFired(ctx, rule) : undefined,
  }
}

/** Adds each rule once to the request's context, in the order they first fired. */
function compatFired(ctx: RequestContext, rule: string): void {
  const fired = (ctx.compat ??= [])
  if (!fired.includes(rule)) fired.push(rule)
}
