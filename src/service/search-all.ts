// POST /.search at the service root (RFC 7644 §3.4.3): one result list across resource types.
import { ScimError } from '../scim/errors'
import { clampPaging, listResponseJson } from '../scim/list'
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps } from './context'
import type { Effect } from './effect'
import type { FilterCache } from './filter-cache'
import { emptyPage, fillPage, queryRows, type ListParams } from './list'
import type { RequestInfo, ServiceResult } from './result'
import { projectionOf } from './view'

/**
 * Resource types are concatenated in registry order (Users, then Groups). A filter that names
 * an attribute one type lacks simply excludes that type; a filter no type understands is an error.
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
  const applicable: { type: ResourceType; total: number }[] = []
  let firstError: unknown
  for (const type of deps.registry.resourceTypes) {
    try {
      applicable.push({
        type,
        total: (yield* queryRows(deps, filters, type, params, { startIndex: 1, count: 0 }, req.compat)).total,
      })
    } catch (err) {
      if (!(err instanceof ScimError)) throw err
      firstError ??= err
    }
  }
  if (applicable.length === 0) throw firstError
  const total = applicable.reduce((sum, a) => sum + a.total, 0)
  const page = emptyPage()
  let skip = paging.startIndex - 1
  for (const { type, total: n } of applicable) {
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
      { filters, type, params },
      req,
      projectionOf(type, req)
    )
    skip = 0
  }
  return { status: 200, json: listResponseJson(total, paging.startIndex, page.resources) }
}
