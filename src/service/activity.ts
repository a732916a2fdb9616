// A tenant's recent activity, for the admin console: what was modified last and how much lately.
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps } from './context'
import type { Effect } from './effect'
import type { RequestInfo } from './result'
import { viewJson } from './view'

/** The `count` most recently modified resources of `type`, newest first, each as GET /{type}/{id} serves it. */
export function* recentlyModified(
  deps: ServiceDeps,
  type: ResourceType,
  count: number,
  req: RequestInfo
): Effect<string[]> {
  const views: string[] = []
  for (const row of yield* deps.store.recentlyModified(type, count))
    views.push((yield* viewJson(deps, type, row, req)).json)
  return views
}

/** How many resources of `type` were modified after `since`. */
export function* modifiedSince(deps: ServiceDeps, type: ResourceType, since: Date): Effect<number> {
  return yield* deps.store.modifiedSince(type, since.toISOString())
}
