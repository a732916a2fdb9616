// Extracts the per-request inputs services need (base URL, projections, preconditions).
import type { RequestInfo } from '../service/result'

/** The API base for meta.location: the configured --base-url, else this request's origin. */
export function baseOf(request: Request, configured: string | undefined, prefix: string): string {
  if (configured) return configured
  const url = request.url
  const originEnd = url.indexOf('/', url.indexOf('//') + 2)
  return `${originEnd < 0 ? url : url.slice(0, originEnd)}${prefix}`
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
  }
}
