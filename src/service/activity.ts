// A tenant's recent activity, for the admin console: what was modified last and how much lately.
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps } from './context'
import type { RequestInfo } from './result'
import { viewJson } from './view'

/** The `count` most recently modified resources of `type`, newest first, each as GET /{type}/{id} serves it. */
export function recentlyModified(deps: ServiceDeps, type: ResourceType, count: number, req: RequestInfo): string[] {
  return deps.store.recentlyModified(type, count).map((row) => viewJson(deps, type, row, req).json)
}

/** How many resources of `type` were modified after `since`. */
export function modifiedSince(deps: ServiceDeps, type: ResourceType, since: Date): number {
  return deps.store.modifiedSince(type, since.toISOString())
}
