// Renders stored resources for responses: references looked up only when they will be shown.
import { planOf, type ViewPlan } from '../scim/project'
import { etagOf, renderResource, renderResourceJson, type RenderContext } from '../scim/render'
import type { Doc } from '../scim/document'
import { documentText } from '../scim/document-text'
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps, StoredResource } from './context'
import type { Effect } from './effect'
import type { RequestInfo } from './result'

/** The request's `attributes`/`excludedAttributes` as a plan for `type` (built once per request shape). */
export function projectionOf(type: ResourceType, req: RequestInfo): ViewPlan {
  return planOf(type, req.attributes, req.excludedAttributes)
}

/**
 * What rendering a row needs besides the row: its references (read only when shown) and ETag. The
 * version covers the references too: the store gives a resource a new one when they change.
 */
function* contextOf(
  deps: ServiceDeps,
  type: ResourceType,
  row: StoredResource,
  req: RequestInfo,
  plan: ViewPlan
): Effect<{ ctx: RenderContext; etag: string }> {
  const members = type.name === 'Group' && plan.shows('members') ? yield* deps.store.members(row.id) : undefined
  const groups = type.name === 'User' && plan.shows('groups') ? yield* deps.store.groupsOf(row) : undefined
  return { ctx: { base: req.base, members, groups }, etag: etagOf(row.version) }
}

/** The response body for one resource, honouring `attributes`/`excludedAttributes`, and its ETag. */
export function* renderView(
  deps: ServiceDeps,
  type: ResourceType,
  row: StoredResource,
  req: RequestInfo,
  plan = projectionOf(type, req)
): Effect<{ doc: Doc; etag: string }> {
  const { ctx, etag } = yield* contextOf(deps, type, row, req, plan)
  return { doc: plan.project(renderResource(type, row, ctx)), etag }
}

export function* viewOf(
  deps: ServiceDeps,
  type: ResourceType,
  row: StoredResource,
  req: RequestInfo,
  plan = projectionOf(type, req)
): Effect<Doc> {
  return (yield* renderView(deps, type, row, req, plan)).doc
}

/**
 * The same view, serialised, with its ETag. A whole view of a document read from the database is
 * written around its stored text (renderResourceJson) instead of being serialised again.
 */
export function* viewJson(
  deps: ServiceDeps,
  type: ResourceType,
  row: StoredResource,
  req: RequestInfo,
  plan = projectionOf(type, req)
): Effect<{ json: string; etag: string }> {
  const text = documentText(row.data)
  if (text !== undefined && plan.keepsRendered && plan.keepsWhole(row.data)) {
    const { ctx, etag } = yield* contextOf(deps, type, row, req, plan)
    const json = renderResourceJson(type, row, text, ctx)
    if (json !== undefined) return { json, etag }
  }
  const { doc, etag } = yield* renderView(deps, type, row, req, plan)
  return { json: JSON.stringify(doc), etag }
}
