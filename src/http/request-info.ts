// Extracts the per-request inputs services need (base URL, projections, preconditions).
import type { RequestInfo } from '../service/result'
import { originOf } from './front-door'

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
  }
}
