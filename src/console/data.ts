// What the console shows, read through the same services that answer SCIM, so both always agree.
// Each read runs its service with run(): it answers once the store has (at once, for SQLite).
import type { Doc } from '../scim/document'
import type { ResourceType } from '../scim/schema/types'
import type { MemberRow, ServiceDeps } from '../service/context'
import { run } from '../service/effect'
import { FilterCache } from '../service/filter-cache'
import { modifiedSince as modifiedSinceOf, recentlyModified as recentViews } from '../service/activity'
import { getResource } from '../service/get'
import { queryRows } from '../service/list'
import { listByCursor } from '../service/list-cursor'
import type { RequestInfo, ServiceResult } from '../service/result'

/** Rows on one page of the users or groups list. */
export const PAGE_SIZE = 50
/** Members a group page links to; a larger group's JSON is shown without its member list. */
export const MEMBER_LINKS = 1000

export interface ListPage {
  resources: Doc[]
  total: number
  next?: string
  previous?: string
}

function bodyOf<T>(result: ServiceResult): T {
  return JSON.parse(result.json ?? JSON.stringify(result.body ?? null)) as T
}

// Filters resolve against a tenant's registry, so each tenant's deps get a cache of their own.
const caches = new WeakMap<ServiceDeps, FilterCache>()

/** The console's parsed filters for the tenant `deps` serves. */
export function filtersOf(deps: ServiceDeps): FilterCache {
  let cache = caches.get(deps)
  if (!cache) caches.set(deps, (cache = new FilterCache()))
  return cache
}

/** The resource type by name (User, Group); undefined when this tenant does not serve it. */
export function typeNamed(deps: ServiceDeps, name: string): ResourceType | undefined {
  return deps.registry.resourceType(name)
}

/** How many resources of `type` match `filter` (all without one): a count-only list query. */
export async function countOf(
  deps: ServiceDeps,
  filters: FilterCache,
  type: ResourceType,
  filter?: string
): Promise<number> {
  return (await run(queryRows(deps, filters, type, { filter }, { startIndex: 1, count: 0 }))).total
}

/**
 * One page of a cursor walk (RFC 9865) over `type`, as GET /{type}?cursor= serves it: it walks the
 * primary key, so the first page and the ten-thousandth cost the same on a million users. Groups
 * are listed without their members, which only the detail page shows.
 */
export async function listPage(
  deps: ServiceDeps,
  filters: FilterCache,
  type: ResourceType,
  params: { filter?: string; cursor?: string },
  req: RequestInfo
): Promise<ListPage> {
  const view = type.name === 'Group' ? { ...req, excludedAttributes: 'members' } : req
  const result = await run(
    listByCursor(deps, filters, type, { filter: params.filter, cursor: params.cursor ?? '', count: PAGE_SIZE }, view)
  )
  const body = bodyOf<{ totalResults: number; Resources: Doc[]; nextCursor?: string; previousCursor?: string }>(result)
  return { resources: body.Resources, total: body.totalResults, next: body.nextCursor, previous: body.previousCursor }
}

/** The most recently modified resources of `type`, newest first, as the API serves them (groups without members). */
export async function recentlyModified(
  deps: ServiceDeps,
  type: ResourceType,
  count: number,
  req: RequestInfo
): Promise<Doc[]> {
  const view = type.name === 'Group' ? { ...req, excludedAttributes: 'members' } : req
  return (await run(recentViews(deps, type, count, view))).map((json) => JSON.parse(json) as Doc)
}

/** The resource as GET /{type}/{id} serves it (a ScimError 404 when there is none). */
export async function resourceAsServed(
  deps: ServiceDeps,
  type: ResourceType,
  id: string,
  req: RequestInfo
): Promise<Doc> {
  return bodyOf<Doc>(await run(getResource(deps, type, id, req)))
}

/** Resources of `type` modified after `since`. */
export async function modifiedSince(deps: ServiceDeps, type: ResourceType, since: Date): Promise<number> {
  return await run(modifiedSinceOf(deps, type, since))
}

/** A group's first `limit` members, as its `members` attribute serves them, and how many it has. */
export async function membersOf(
  deps: ServiceDeps,
  groupId: string,
  limit: number
): Promise<{ total: number; rows: MemberRow[] }> {
  return await run(deps.store.memberPage(groupId, limit))
}
