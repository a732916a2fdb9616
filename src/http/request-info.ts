// Extracts the per-request inputs services need (base URL, projections, preconditions).
import type { RequestInfo } from '../service/result'
import { originOf } from './front-door'
import { contextOf } from './request-context'

/** The API base for meta.location: the configured --base-url, else this request's origin. */
export function baseOf(request: Request, configured: string | undefined, prefix: string): string {
  return configured || `${originOf(request)}${prefix}`
}

export function requestInfo(
  request: Request,
  base: string,
  query: { attributes?: string; excludedAttributes?: string }
): RequestInfo {
  return {
    base,
    attributes: query.attributes,
    excludedAttributes: query.excludedAttributes,
    ifMatch: request.headers.get('if-match') ?? undefined,
    ifNoneMatch: request.headers.get('if-none-match') ?? undefined,
    compat: compatSink(request),
    ...journalOrigin(request),
  }
}

/** Who made the change and in which request, for the journal: from the context auth filled in. */
function journalOrigin(request: Request): Pick<RequestInfo, 'actor' | 'requestId' | 'firedCompat'> {
  const ctx = contextOf(request)
  if (!ctx) return {}
  return { actor: ctx.tokenLabel, requestId: ctx.id, firedCompat: () => ctx.compat ?? [] }
}

/** Adds each rule once to the request's context, in the order they first fired. */
function compatSink(request: Request): ((rule: string) => void) | undefined {
  const ctx = contextOf(request)
  if (!ctx) return undefined
  return (rule) => {
    const fired = (ctx.compat ??= [])
    if (!fired.includes(rule)) fired.push(rule)
  }
}
