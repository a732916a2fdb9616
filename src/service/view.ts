// Renders stored resources for responses: references looked up only when they will be shown.
import { planOf, type ViewPlan } from '../scim/project'
import { etagOf, renderResource, renderResourceJson, type RenderContext } from '../scim/render'
import type { Doc } from '../scim/document'
import { documentText } from '../scim/document-text'
import type { ResourceType } from '../scim/schema/types'
import type { MemberRow, ServiceDeps, StoredResource } from './context'
import type { Effect } from './effect'
import type { RequestInfo } from './result'

/** The request's `attributes`/`excludedAttributes` as a plan for `type` (built once per request shape). */
export function projectionOf(type: ResourceType, req: RequestInfo): ViewPlan {
  return planOf(type, req.attributes, req.excludedAttributes)
}

/** The references a view shows: a group's members, a user's groups. */
export interface References {
  members?: readonly MemberRow[]
  groups?: readonly MemberRow[]
}

const NONE: References = {}

/**
 * The references a view shows when no read is needed: none shown, or a user's groups read with
 * the row (a GET by id, a list page). Undefined when the store must be asked (readReferences).
 */
export function knownReferences(type: ResourceType, row: StoredResource, plan: ViewPlan): References | undefined {
  if (type.name === 'Group') return plan.shows('members') ? undefined : NONE
  if (type.name !== 'User' || !plan.shows('groups')) return NONE
  return row.groupsRead ? { groups: row.groupsRead } : undefined
}

/**
 * The references a view shows, read from the store: a group's members, a user's groups. The one
 * store call of a view, made only when knownReferences has no answer, so most views run no
 * generator of their own for it; rendering is plain code below.
 */
export function* readReferences(deps: ServiceDeps, type: ResourceType, row: StoredResource): Effect<References> {
  if (type.name === 'Group') return { members: yield* deps.store.members(row.id) }
  return { groups: yield* deps.store.groupsOf(row) }
}

/**
 * What rendering a row needs besides the row: its references and ETag. The version covers the
 * references too: the store gives a resource a new one when they change.
 */
function contextOf(req: RequestInfo, refs: References): RenderContext {
  return { base: req.base, members: refs.members, groups: refs.groups }
}

function rendered(
  type: ResourceType,
  row: StoredResource,
  req: RequestInfo,
  plan: ViewPlan,
  refs: References
): { doc: Doc; etag: string } {
  return { doc: plan.project(renderResource(type, row, contextOf(req, refs))), etag: etagOf(row.version) }
}

/**
 * The serialised view with its references given. A whole view of a document read from the
 * database is written around its stored text (renderResourceJson) instead of being serialised again.
 */
export function viewJsonWith(
  type: ResourceType,
  row: StoredResource,
  req: RequestInfo,
  plan: ViewPlan,
  refs: References
): { json: string; etag: string } {
  const text = documentText(row.data)
  if (text !== undefined && plan.keepsRendered && plan.keepsWhole(row.data)) {
    const spliced = renderResourceJson(type, row, text, contextOf(req, refs))
    if (spliced !== undefined) return { json: spliced, etag: etagOf(row.version) }
  }
  const { doc, etag } = rendered(type, row, req, plan, refs)
  return { json: JSON.stringify(doc), etag }
}

/** The response body for one resource, honouring `attributes`/`excludedAttributes`, and its ETag. */
export function* renderView(
  deps: ServiceDeps,
  type: ResourceType,
  row: StoredResource,
  req: RequestInfo,
  plan = projectionOf(type, req)
): Effect<{ doc: Doc; etag: string }> {
  return rendered(type, row, req, plan, knownReferences(type, row, plan) ?? (yield* readReferences(deps, type, row)))
}

export function* viewOf(
  deps: ServiceDeps,
  type: ResourceType,
  row: StoredResource,
  req: RequestInfo,
  plan = projectionOf(type, req)
): Effect<Doc> {
  return rendered(type, row, req, plan, knownReferences(type, row, plan) ?? (yield* readReferences(deps, type, row)))
    .doc
}

/** The same view, serialised, with its ETag. */
export function* viewJson(
  deps: ServiceDeps,
  type: ResourceType,
  row: StoredResource,
  req: RequestInfo,
  plan = projectionOf(type, req)
): Effect<{ json: string; etag: string }> {
  return viewJsonWith(
    type,
    row,
    req,
    plan,
    knownReferences(type, row, plan) ?? (yield* readReferences(deps, type, row))
  )
}
