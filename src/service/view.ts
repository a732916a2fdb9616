// Renders stored resources for responses: references looked up only when they will be shown.
import { projectResource, parseAttributeList, viewKeepsAll, type Projection } from '../scim/project'
import { etagOf, renderResource, renderResourceJson, type RenderContext } from '../scim/render'
import type { Doc } from '../scim/document'
import { documentText } from '../scim/document-text'
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

/**
 * What rendering a row needs besides the row: its references (read only when shown) and ETag. The
 * version covers the references too: the store gives a resource a new one when they change.
 */
function contextOf(deps: ServiceDeps, type: ResourceType, row: StoredResource, req: RequestInfo, p: Projection): { ctx: RenderContext; etag: string } {
  const members = type.name === 'Group' && shows(p, 'members') ? deps.store.members(row.id) : undefined
  const groups = type.name === 'User' && shows(p, 'groups') ? deps.store.groupsOf(row) : undefined
  return { ctx: { base: req.base, members, groups }, etag: etagOf(row.version) }
}

/** The response body for one resource, honouring `attributes`/`excludedAttributes`, and its ETag. */
export function renderView(deps: ServiceDeps, type: ResourceType, row: StoredResource, req: RequestInfo, p = projectionOf(type, req)): { doc: Doc; etag: string } {
  const { ctx, etag } = contextOf(deps, type, row, req, p)
  return { doc: projectResource(type, renderResource(type, row, ctx), p), etag }
}

export function viewOf(deps: ServiceDeps, type: ResourceType, row: StoredResource, req: RequestInfo, p = projectionOf(type, req)): Doc {
  return renderView(deps, type, row, req, p).doc
}

/**
 * The same view, serialised, with its ETag. A whole view of a document read from the database is
 * written around its stored text (renderResourceJson) instead of being serialised again.
 */
export function viewJson(deps: ServiceDeps, type: ResourceType, row: StoredResource, req: RequestInfo, p = projectionOf(type, req)): { json: string; etag: string } {
  const text = documentText(row.data)
  if (text !== undefined && viewKeepsAll(type, row.data, p)) {
    const { ctx, etag } = contextOf(deps, type, row, req, p)
    const json = renderResourceJson(type, row, text, ctx)
    if (json !== undefined) return { json, etag }
  }
  const { doc, etag } = renderView(deps, type, row, req, p)
  return { json: JSON.stringify(doc), etag }
}
