// POST /.search at the service root (RFC 7644 §3.4.3): one result list across resource types.
import { ScimError } from '../scim/errors'
import { clampPaging, listResponseJson } from '../scim/list'
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps } from './context'
import type { Effect } from './effect'
import type { FilterCache } from './filter-cache'
import { parseFilter } from '../scim/filter/parser'
import { filterForType } from './root-filter'
import { Page } from './page'
import { askedFilter, fillPage, lacksSortAttribute, queryRows, resolveSort, type ListParams } from './list'
import type { RequestInfo, ServiceResult } from './result'
import { projectionOf } from './view'

/**
 * The resource types in the order their resources are listed, each with the list query it takes.
 * In registry order (Users, then Groups), except that a type lacking the sortBy attribute holds
 * only resources without a value to sort by, which go last when ascending and first when
 * descending (RFC 7644 §3.4.2.3); it is listed in its order without sortBy. When every type lacks
 * it, each is asked as asked, and the error says sortBy names no attribute.
 */
function typesInOrder(
  types: readonly ResourceType[],
  params: ListParams
): { type: ResourceType; params: ListParams }[] {
  const lacking = types.filter((type) => lacksSortAttribute(type, params.sortBy))
  if (lacking.length === types.length) return types.map((type) => ({ type, params }))
  // A type that has the attribute but cannot sort by it (never returned) refuses the request, as
  // its own /.search would; only a filter's error leaves a type out.
  for (const type of types) if (!lacking.includes(type)) resolveSort(type, params.sortBy)
  const sorted = types.filter((type) => !lacking.includes(type)).map((type) => ({ type, params }))
  const unsorted = lacking.map((type) => ({ type, params: { ...params, sortBy: undefined } }))
  return params.sortOrder?.toLowerCase() === 'descending' ? [...unsorted, ...sorted] : [...sorted, ...unsorted]
}

/**
 * Resource types are concatenated (typesInOrder), each asked the filter as it sees it
 * (filterForType): a type none of whose resources can match is left out.
 */
export function* searchAll(
  deps: ServiceDeps,
  filters: FilterCache,
  params: ListParams,
  req: RequestInfo
): Effect<ServiceResult> {
  if (params.cursor !== undefined)
    throw ScimError.invalidValue('cursor paging is offered per resource type: POST /Users/.search or /Groups/.search')
  const paging = clampPaging(params.startIndex, params.count, deps.settings)
  const types = deps.registry.resourceTypes
  const text = askedFilter(params)
  const ast = text === undefined ? undefined : parseFilter(text)
  const applicable: { type: ResourceType; params: ListParams; total: number }[] = []
  for (const { type, params: asked } of typesInOrder(types, params)) {
    const seen = ast === undefined ? ast : filterForType(ast, type, types)
    if (seen === false) continue
    // The text as sent when the type sees all of it, so the filter cache and its compat report serve it.
    const own = seen === ast ? asked : seen === true ? { ...asked, filter: undefined } : { ...asked, parsed: seen }
    const { total } = yield* queryRows(deps, filters, type, own, { startIndex: 1, count: 0 }, req.compat)
    applicable.push({ type, params: own, total })
  }
  const total = applicable.reduce((sum, a) => sum + a.total, 0)
  const page = new Page()
  let skip = paging.startIndex - 1
  for (const { type, params: asked, total: n } of applicable) {
    if (page.full || page.resources.length >= paging.count) break
    if (skip >= n) {
      skip -= n
      continue
    }
    const want = paging.count - page.resources.length
    yield* fillPage(
      deps,
      page,
      { startIndex: skip + 1, count: want },
      { filters, type, params: asked },
      req,
      projectionOf(type, req)
    )
    skip = 0
  }
  return { status: 200, json: listResponseJson(total, paging.startIndex, page.resources) }
}
