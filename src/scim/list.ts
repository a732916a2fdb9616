// RFC 7644 §3.4.2.4 paging parameters and the ListResponse envelope.
import { URN_LIST_RESPONSE } from './constants'
import { ScimError, quoted } from './errors'
import { integerParam } from './integer-param'

export interface Paging {
  startIndex: number
  count: number
}

function toInteger(raw: string | number | undefined, name: string): number | undefined {
  const n = integerParam(raw)
  if (n === null) throw ScimError.invalidValue(`${name} must be an integer, got ${quoted(String(raw))}`)
  return n
}

/**
 * RFC 7644 §3.4.2.4: a startIndex below 1 is 1; a negative count is 0; a count above the
 * server's maximum is the maximum (advertised in /ServiceProviderConfig as filter.maxResults).
 */
export function clampPaging(
  startIndex: string | number | undefined,
  count: string | number | undefined,
  limits: { defaultCount: number; maxResults: number }
): Paging {
  const start = toInteger(startIndex, 'startIndex') ?? 1
  const n = toInteger(count, 'count') ?? limits.defaultCount
  return { startIndex: Math.max(1, start), count: Math.min(Math.max(0, n), limits.maxResults) }
}

export function listResponse(total: number, startIndex: number, resources: unknown[]) {
  return {
    schemas: [URN_LIST_RESPONSE],
    totalResults: total,
    itemsPerPage: resources.length,
    startIndex,
    Resources: resources,
  }
}

/** The ListResponse text around resources that are already serialised (same shape as above). */
export function listResponseJson(total: number, startIndex: number, resources: readonly string[]): string {
  return `{"schemas":["${URN_LIST_RESPONSE}"],"totalResults":${total},"itemsPerPage":${resources.length},"startIndex":${startIndex},"Resources":[${resources.join(',')}]}`
}

/** A cursor-paged ListResponse (RFC 9865 §2.3): no startIndex; nextCursor only when a page follows. */
export function cursorListResponseJson(
  total: number,
  resources: readonly string[],
  next?: string,
  previous?: string
): string {
  const cursors = `${next ? `,"nextCursor":${JSON.stringify(next)}` : ''}${previous ? `,"previousCursor":${JSON.stringify(previous)}` : ''}`
  return `{"schemas":["${URN_LIST_RESPONSE}"],"totalResults":${total},"itemsPerPage":${resources.length}${cursors},"Resources":[${resources.join(',')}]}`
}
