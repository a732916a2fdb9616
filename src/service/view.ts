// Renders stored resources for responses: references looked up only when they will be shown.
import { projectResource, parseAttributeList, type Projection } from '../scim/project'
import { renderResource } from '../scim/render'
import type { Doc } from '../scim/document'
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps, StoredResource } from './context'
import type { RequestInfo } from './result'

export function projectionOf(type: ResourceType, req: RequestInfo): Projection {
  return {
    attributes: parseAttributeList(type, req.attributes),
    excluded: parseAttributeList(type, req.excludedAttributes),
  }
}

/** Whether the projection keeps attribute `name`, so a costly lookup can be skipped when not. */
function shows(p: Projection, name: string): boolean {
  if (p.attributes) return p.attributes.has(name)
  return p.excluded?.get(name) !== true
}

/** The response body for one resource, honouring `attributes`/`excludedAttributes`. */
export function viewOf(deps: ServiceDeps, type: ResourceType, row: StoredResource, req: RequestInfo, p = projectionOf(type, req)): Doc {
  const members = type.name === 'Group' && shows(p, 'members') ? deps.store.members(row.id) : undefined
  const groups = type.name === 'User' && shows(p, 'groups') ? deps.store.groupsOf(row.id) : undefined
  const doc = renderResource(type, row, { base: req.base, members, groups })
  return projectResource(type, doc, p)
}

/**
 * The same view, serialised. A user's default view (no attributes/excludedAttributes) is what
 * Entra reads for every object in every cycle, so it is served from the view cache.
 */
export function viewJson(deps: ServiceDeps, type: ResourceType, row: StoredResource, req: RequestInfo, p = projectionOf(type, req)): string {
  const render = () => JSON.stringify(viewOf(deps, type, row, req, p))
  if (type.name !== 'User' || p.attributes || p.excluded) return render()
  return deps.views.getOrRender(row.id, row.version, deps.store.membershipEpoch(), req.base, render)
}
