// GET /{type} and POST /{type}/.search (RFC 7644 §3.4.2, §3.4.3): filter, sort, page, project.
import { parseAttrPath } from '../scim/filter/attr-path'
import type { AttrPath, FilterNode } from '../scim/filter/ast'
import { foldCase } from '../scim/case-fold'
import { ScimError, quoted } from '../scim/errors'
import { clampPaging, listResponseJson, type Paging } from '../scim/list'
import { DEFAULT_FILTER_LIMITS } from '../scim/filter/parser'
import { lookupAttribute, resolveAttribute, type ResolvedAttr } from '../scim/filter/resolve'
import type { ResourceType } from '../scim/schema/types'
import type { ListQuery, ServiceDeps, StoredResource } from './context'
import type { Effect } from './effect'
import type { FilterCache } from './filter-cache'
import { listByCursor } from './list-cursor'
import { Page } from './page'
import type { RequestInfo, ServiceResult } from './result'
import { knownReferences, projectionOf, readReferences, viewJsonWith } from './view'
import type { ViewPlan } from '../scim/project'

/** Query parameters, from the URL or a SearchRequest body, as strings or numbers. */
export interface ListParams {
  filter?: string
  sortBy?: string
  sortOrder?: string
  startIndex?: string | number
  count?: string | number
  /** RFC 9865: present (even empty) means cursor paging. */
  cursor?: string
  /** The filter already parsed, in place of `filter`: a root search's filter as one type sees it (root-filter.ts). */
  parsed?: FilterNode
}

/** The filter text asked for, or undefined when there is none (absent, or nothing but spaces: no filter). */
export function askedFilter(params: ListParams): string | undefined {
  return params.filter !== undefined && params.filter.trim() !== '' ? params.filter : undefined
}

/**
 * `userName eq "x"`, `externalId eq "x"` and group `displayName eq "x"`: the lookups Entra sends
 * for every object in every cycle, answered from the store's LRU-cached indexed lookups.
 */
function hotLookupOf(type: ResourceType, ast: FilterNode): { by: 'name' | 'externalId'; value: string } | undefined {
  if (ast.kind !== 'compare' || ast.op !== 'eq' || typeof ast.value !== 'string' || ast.path.sub !== undefined)
    return undefined
  if (ast.path.uri !== undefined && ast.path.uri.toLowerCase() !== type.core.lowerId) return undefined
  const name = ast.path.name.toLowerCase()
  if (name === 'externalid') return { by: 'externalId', value: ast.value }
  if ((name === 'username' && type.name === 'User') || (name === 'displayname' && type.name === 'Group')) {
    return { by: 'name', value: foldCase(ast.value) }
  }
  return undefined
}

/** The path `sortBy` names (undefined when none is asked), or a 400 invalidValue for text too long or unparsable. */
function sortPathOf(sortBy: string | undefined): AttrPath | undefined {
  if (sortBy === undefined || sortBy.trim() === '') return undefined
  // Client text held to the filter length limit, as every text the server parses.
  const max = DEFAULT_FILTER_LIMITS.maxLength
  if (sortBy.length > max) throw ScimError.invalidValue(`sortBy is longer than ${max} characters`)
  const path = parseAttrPath(sortBy.trim())
  if (!path) throw ScimError.invalidValue(`sortBy names an unknown attribute ${quoted(sortBy)}`)
  return path
}

/** The attribute `sortBy` names in `type`, or a 400 invalidValue (unknown, never returned, unparsable). */
export function resolveSort(type: ResourceType, sortBy: string | undefined): ResolvedAttr | undefined {
  const path = sortPathOf(sortBy)
  // The filters' rule, with sortBy's scimType: unknown and never-returned attributes are refused.
  return path === undefined ? undefined : resolveAttribute(path, type, ScimError.invalidValue)
}

/**
 * Whether `sortBy` names an attribute `type` lacks, so that its resources have no value to sort
 * by (a root /.search over Users and Groups sorted by userName). Text that cannot be a sortBy
 * is refused here as resolveSort refuses it.
 */
export function lacksSortAttribute(type: ResourceType, sortBy: string | undefined): boolean {
  const path = sortPathOf(sortBy)
  return path !== undefined && typeof lookupAttribute(path, type) === 'string'
}

function descendingOf(order: string | undefined): boolean {
  if (order === undefined || order === '') return false
  const lower = order.toLowerCase()
  if (lower !== 'ascending' && lower !== 'descending')
    throw ScimError.invalidValue(`sortOrder must be ascending or descending, not ${quoted(order)}`)
  return lower === 'descending'
}

/** What a list query asks of the store: a hot lookup, or a query without its paging. */
interface PlannedRows {
  hot?: { by: 'name' | 'externalId'; value: string }
  query: Omit<ListQuery, 'startIndex' | 'count'>
}

function planRows(
  filters: FilterCache,
  type: ResourceType,
  params: ListParams,
  fired: RequestInfo['compat']
): PlannedRows {
  const text = askedFilter(params)
  const compiled = params.parsed
    ? filters.compileParsed(type, params.parsed, fired)
    : text !== undefined
      ? filters.compile(type, text, fired)
      : undefined
  const sortBy = resolveSort(type, params.sortBy)
  const descending = descendingOf(params.sortOrder)
  const hot = compiled && !sortBy ? hotLookupOf(type, compiled.ast) : undefined
  return { hot, query: { filter: compiled?.resolved, sortBy, descending } }
}

/** The page `paging` of what a hot lookup found, and how many it found. */
function hotPage(found: readonly StoredResource[], paging: { startIndex: number; count: number }) {
  return { total: found.length, rows: found.slice(paging.startIndex - 1, paging.startIndex - 1 + paging.count) }
}

/** The store calls of a planned list query: the hot lookup, or the query with its paging. */
function* readRows(
  deps: ServiceDeps,
  type: ResourceType,
  { hot, query }: PlannedRows,
  paging: { startIndex: number; count: number; maxBytes?: number }
): Effect<{ total: number; rows: readonly StoredResource[] }> {
  if (!hot) return yield* deps.store.query(type, { ...query, ...paging })
  if (hot.by === 'name') return hotPage(yield* deps.store.findByName(type, hot.value), paging)
  return hotPage(yield* deps.store.findByExternalId(type, hot.value), paging)
}

/** Runs one list query for one resource type and returns the page of rows and the total. */
export function queryRows(
  deps: ServiceDeps,
  filters: FilterCache,
  type: ResourceType,
  params: ListParams,
  paging: { startIndex: number; count: number; maxBytes?: number },
  fired?: RequestInfo['compat']
): Effect<{ total: number; rows: readonly StoredResource[] }> {
  // The planning is plain code (and throws at once for a bad filter); only the store calls are effects.
  return readRows(deps, type, planRows(filters, type, params, fired), paging)
}

export function* listResources(
  deps: ServiceDeps,
  filters: FilterCache,
  type: ResourceType,
  params: ListParams,
  req: RequestInfo
): Effect<ServiceResult> {
  if (params.cursor !== undefined) return yield* listByCursor(deps, filters, type, params, req)
  const paging = clampPaging(params.startIndex, params.count, deps.settings)
  const planned = planRows(filters, type, params, req.compat)
  const projection = projectionOf(type, req)
  const page = new Page()
  let total: number
  if (planned.hot) {
    // Entra's lookups: the few rows found are in memory at once, so the page is filled from them
    // here, without slices and without the generators that reading in slices takes.
    const { hot } = planned
    const found =
      hot.by === 'name'
        ? yield* deps.store.findByName(type, hot.value)
        : yield* deps.store.findByExternalId(type, hot.value)
    total = found.length
    for (const row of hotPage(found, paging).rows) {
      const refs = knownReferences(type, row, projection) ?? (yield* readReferences(deps, type, row))
      if (!page.add(viewJsonWith(type, row, req, projection, refs).json, deps.settings.limits)) break
    }
  } else total = yield* fillPlanned(deps, page, paging, type, planned, req, projection)
  return { status: 200, json: listResponseJson(total, paging.startIndex, page.resources) }
}

/**
 * Rows a page reads in its first query: above the default count (100) and Entra's page sizes,
 * so most pages stay one query, while a count of 1,000 over large documents no longer loads
 * all of them to render the few that fit the budget.
 */
const FIRST_READ = 200

/** Where a page's rows come from: one resource type's list query. */
export interface RowSource {
  filters: FilterCache
  type: ResourceType
  params: ListParams
  fired?: RequestInfo['compat']
}

/**
 * Reads `paging.count` rows of `source` from `paging.startIndex` in slices and adds their views
 * until the budget is spent: the first slice is FIRST_READ rows, each later one what the rest of
 * the budget holds at the size of the largest resource so far. A query reads its rows whole
 * (parsed documents), so this, not the budget alone, is what bounds memory: 1,000 users of 100 KB
 * had cost +400 MB. Returns the query's total.
 */
export function fillPage(
  deps: ServiceDeps,
  page: Page,
  paging: Paging,
  source: RowSource,
  req: RequestInfo,
  projection: ViewPlan
): Effect<number> {
  const planned = planRows(source.filters, source.type, source.params, source.fired)
  return fillPlanned(deps, page, paging, source.type, planned, req, projection)
}

function* fillPlanned(
  deps: ServiceDeps,
  page: Page,
  paging: Paging,
  type: ResourceType,
  planned: PlannedRows,
  req: RequestInfo,
  projection: ViewPlan
): Effect<number> {
  const { limits } = deps.settings
  let startIndex = paging.startIndex
  let left = paging.count
  let want = Math.min(left, FIRST_READ)
  for (;;) {
    const slice = { startIndex, count: want, maxBytes: limits.maxResponseBytes - page.spent }
    const { total, rows } = yield* readRows(deps, type, planned, slice)
    for (const row of rows) {
      const refs = knownReferences(type, row, projection) ?? (yield* readReferences(deps, type, row))
      if (!page.add(viewJsonWith(type, row, req, projection, refs).json, limits)) return total
    }
    left -= rows.length
    if (rows.length < want || left <= 0) return total
    startIndex += rows.length
    want = Math.min(left, Math.max(1, Math.floor((limits.maxResponseBytes - page.spent) / Math.max(1, page.largest))))
  }
}
