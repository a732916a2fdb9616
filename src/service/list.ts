// GET /{type} and POST /{type}/.search (RFC 7644 §3.4.2, §3.4.3): filter, sort, page, project.
import { parseAttrPath } from '../scim/filter/attr-path'
import type { FilterNode } from '../scim/filter/ast'
import { foldCase } from '../scim/case-fold'
import { ScimError } from '../scim/errors'
import { clampPaging, listResponseJson } from '../scim/list'
import { resolveAttribute, type ResolvedAttr } from '../scim/filter/resolve'
import type { ResourceType } from '../scim/schema/types'
import type { ListQuery, ServiceDeps, StoredResource } from './context'
import type { FilterCache } from './filter-cache'
import type { RequestInfo, ServiceResult } from './result'
import { projectionOf, viewJson } from './view'

/** Query parameters, from the URL or a SearchRequest body, as strings or numbers. */
export interface ListParams {
  filter?: string
  sortBy?: string
  sortOrder?: string
  startIndex?: string | number
  count?: string | number
}

/**
 * `userName eq "x"`, `externalId eq "x"` and group `displayName eq "x"`: the lookups Entra sends
 * for every object in every cycle, answered from the store's LRU-cached indexed lookups.
 */
function hotLookup(deps: ServiceDeps, type: ResourceType, ast: FilterNode): readonly StoredResource[] | undefined {
  if (ast.kind !== 'compare' || ast.op !== 'eq' || typeof ast.value !== 'string' || ast.path.sub !== undefined) return undefined
  if (ast.path.uri !== undefined && ast.path.uri.toLowerCase() !== type.core.lowerId) return undefined
  const name = ast.path.name.toLowerCase()
  if (name === 'externalid') return deps.store.findByExternalId(type, ast.value)
  if ((name === 'username' && type.name === 'User') || (name === 'displayname' && type.name === 'Group')) {
    return deps.store.findByName(type, foldCase(ast.value))
  }
  return undefined
}

function resolveSort(type: ResourceType, sortBy: string | undefined): ResolvedAttr | undefined {
  if (sortBy === undefined || sortBy.trim() === '') return undefined
  const path = parseAttrPath(sortBy.trim())
  if (!path) throw ScimError.invalidValue(`sortBy names an unknown attribute '${sortBy}'`)
  // The filters' rule, with sortBy's scimType: unknown and never-returned attributes are refused.
  return resolveAttribute(path, type, ScimError.invalidValue)
}

function descendingOf(order: string | undefined): boolean {
  if (order === undefined || order === '') return false
  const lower = order.toLowerCase()
  if (lower !== 'ascending' && lower !== 'descending') throw ScimError.invalidValue(`sortOrder must be ascending or descending, not '${order}'`)
  return lower === 'descending'
}

/** Runs one list query for one resource type and returns the page of rows and the total. */
export function queryRows(deps: ServiceDeps, filters: FilterCache, type: ResourceType, params: ListParams, paging: { startIndex: number; count: number }) {
  const compiled = params.filter !== undefined && params.filter.trim() !== '' ? filters.compile(type, params.filter) : undefined
  const sortBy = resolveSort(type, params.sortBy)
  const descending = descendingOf(params.sortOrder)
  const hot = compiled && !sortBy ? hotLookup(deps, type, compiled.ast) : undefined
  if (hot) {
    return { total: hot.length, rows: hot.slice(paging.startIndex - 1, paging.startIndex - 1 + paging.count) }
  }
  const query: ListQuery = { filter: compiled?.resolved, sortBy, descending, ...paging }
  return deps.store.query(type, query)
}

export function listResources(deps: ServiceDeps, filters: FilterCache, type: ResourceType, params: ListParams, req: RequestInfo): ServiceResult {
  const paging = clampPaging(params.startIndex, params.count, deps.settings)
  const { total, rows } = queryRows(deps, filters, type, params, paging)
  const projection = projectionOf(type, req)
  const resources = rows.map((row) => viewJson(deps, type, row, req, projection).json)
  return { status: 200, json: listResponseJson(total, paging.startIndex, resources) }
}
