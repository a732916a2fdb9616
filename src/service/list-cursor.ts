// GET /{type}?cursor= and POST /{type}/.search with `cursor` (RFC 9865): pages along the id order.
import { decodeCursor, encodeCursor, queryFingerprint, type CursorPosition } from '../scim/cursor'
import { ScimError, quoted } from '../scim/errors'
import { cursorListResponseJson } from '../scim/list'
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps, StoredResource } from './context'
import type { Effect } from './effect'
import type { FilterCache } from './filter-cache'
import { askedFilter, type ListParams } from './list'
import type { RequestInfo, ServiceResult } from './result'
import { projectionOf, viewJson } from './view'
import { Page } from './page'
import { integerParam } from '../scim/integer-param'

/** The first page starts after every id: ids are non-empty strings. */
const FROM_THE_START: CursorPosition = { direction: 'after', id: '' }

function pageSize(raw: string | number | undefined, settings: { defaultCount: number; maxResults: number }): number {
  const n = integerParam(raw)
  if (n === undefined) return settings.defaultCount
  if (n === null || n < 0)
    throw ScimError.invalidCount(
      `count must be an integer from 0 to ${settings.maxResults} (maxPageSize), got ${quoted(String(raw))}`
    )
  return Math.min(n, settings.maxResults)
}

/**
 * One page of a cursor walk. An empty `cursor` asks for the first page; a page that has more
 * after it carries `nextCursor` (its absence is the only end signal, RFC 9865 §2), and every page
 * but the first carries `previousCursor`. Pages follow the primary key, which no write changes:
 * a walk under concurrent writes sees every resource that existed throughout exactly once.
 */
export function* listByCursor(
  deps: ServiceDeps,
  filters: FilterCache,
  type: ResourceType,
  params: ListParams,
  req: RequestInfo
): Effect<ServiceResult> {
  const cursor = params.cursor ?? ''
  if (params.startIndex !== undefined && params.startIndex !== '')
    throw ScimError.invalidValue('send either cursor or startIndex, not both (RFC 9865 §2)')
  if (params.sortBy !== undefined && params.sortBy.trim() !== '') {
    throw ScimError.invalidValue(
      'sortBy does not combine with cursor paging: a cursor walks resources in a fixed order; use startIndex paging to sort'
    )
  }
  const count = pageSize(params.count, deps.settings)
  const fingerprint = queryFingerprint(type.name, params.filter)
  const now = Math.floor(deps.now().getTime() / 1000)
  const position = cursor === '' ? FROM_THE_START : decodeCursor(cursor, fingerprint, now, deps.settings.cursorTimeout)
  const text = askedFilter(params)
  const filter = text === undefined ? undefined : filters.compile(type, text, req.compat).resolved
  // One row more than the page tells whether another page follows in the walk's direction. The
  // page also ends where the response budget does, like an index page; the cursor goes on from there.
  const { limits } = deps.settings
  const { total, rows, cut } = yield* deps.store.query(type, {
    filter,
    startIndex: 1,
    count: count === 0 ? 0 : count + 1,
    keyset: position,
    maxBytes: limits.maxResponseBytes,
  })
  const projection = projectionOf(type, req)
  const kept: { row: StoredResource; json: string }[] = []
  const budget = new Page()
  for (const row of rows.slice(0, count)) {
    const json = (yield* viewJson(deps, type, row, req, projection)).json
    if (!budget.add(json, limits)) break
    kept.push({ row, json })
  }
  // More follow when the store read a row past the page, the response budget left rows out, or the
  // store's own byte budget ended its read early: then the rows after these were never looked at.
  const beyond = rows.length > kept.length || cut === true
  const forward = position.direction === 'after'
  if (!forward) kept.reverse()
  const page = kept.map((k) => k.row)
  const first = page[0]
  const last = page[page.length - 1]
  const next =
    last && (forward ? beyond : true) ? encodeCursor({ direction: 'after', id: last.id }, fingerprint, now) : undefined
  const previous =
    first && (forward ? position !== FROM_THE_START : beyond)
      ? encodeCursor({ direction: 'before', id: first.id }, fingerprint, now)
      : undefined
  return {
    status: 200,
    json: cursorListResponseJson(
      total,
      kept.map((k) => k.json),
      next,
      previous
    ),
  }
}
