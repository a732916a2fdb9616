// Builds the wire form of a stored resource: schemas, id, meta (RFC 7643 §3.1) and references.
import { URN_USER } from './constants'
import { isObject, type Doc } from './document'
import type { ResourceType } from './schema/types'

export interface RenderInput {
  id: string
  data: Doc
  version: number
  created: string
  lastModified: string
}

export interface Reference {
  value: string
  type: string
  display?: string
}

export interface RenderContext {
  /** Absolute API base, e.g. https://host/scim/v2, for meta.location and $ref. */
  base: string
  /** Group members, when they are to be shown. */
  members?: readonly Reference[]
  /** A user's groups (read-only `groups` attribute), when they are to be shown. */
  groups?: readonly Reference[]
}

/**
 * The weak ETag for a version (RFC 7644 §3.14); meta.version carries the same text, and a
 * `meta.version` filter compares the same text. The version moves whenever the resource as served
 * does, references included, so nothing else goes into the tag.
 */
export function etagOf(version: number): string {
  return `W/"${version}"`
}

export function locationOf(base: string, type: ResourceType, id: string): string {
  return `${base}${type.endpoint}/${id}`
}

const ENDPOINT_OF_TYPE: Record<string, string> = { User: '/Users', Group: '/Groups' }

function withRefs(base: string, refs: readonly Reference[], groupsAttr: boolean): Doc[] {
  return refs.map((r) => {
    const out: Doc = { value: r.value, $ref: `${base}${ENDPOINT_OF_TYPE[r.type] ?? '/Users'}/${r.value}` }
    if (r.display !== undefined) out.display = r.display
    // A user's `groups[].type` says how it is a member (RFC 7643 §4.1.2); ours are all direct.
    out.type = groupsAttr ? 'direct' : r.type
    return out
  })
}

/** The keys the renderer sets around a resource's stored data (coerce never stores them). */
export const RENDERED_KEYS: readonly string[] = ['schemas', 'id', 'members', 'groups', 'meta']

function schemasOf(type: ResourceType, data: Doc): string[] {
  const schemas = [type.core.id]
  for (const key of Object.keys(data)) {
    // Extension objects sit under their URN; declared or not (lenient policy), they are listed.
    if (key.toLowerCase().startsWith('urn:') && isObject(data[key])) schemas.push(key)
  }
  return schemas
}

/** What follows the stored data: references to show, then meta (RFC 7643 §3.1). */
function referencesAndMeta(type: ResourceType, stored: RenderInput, ctx: RenderContext): Doc {
  const out: Doc = {}
  if (ctx.members !== undefined) out.members = withRefs(ctx.base, ctx.members, false)
  if (ctx.groups !== undefined && ctx.groups.length > 0 && type.core.id === URN_USER) {
    out.groups = withRefs(ctx.base, ctx.groups, true)
  }
  out.meta = {
    resourceType: type.name,
    created: stored.created,
    lastModified: stored.lastModified,
    location: locationOf(ctx.base, type, stored.id),
    version: etagOf(stored.version),
  }
  return out
}

/** The full resource as a client sees it, before `attributes`/`excludedAttributes` projection. */
export function renderResource(type: ResourceType, stored: RenderInput, ctx: RenderContext): Doc {
  return { schemas: schemasOf(type, stored.data), id: stored.id, ...stored.data, ...referencesAndMeta(type, stored, ctx) }
}

/**
 * renderResource serialised, with `dataJson` (the stored text of `stored.data`) spliced in
 * instead of copying the parsed data and serialising it again: the data is most of a view, and
 * this is the view Entra reads for every object. Undefined when the data holds a key the renderer
 * sets (never stored by coerce; the caller then serialises renderResource).
 */
export function renderResourceJson(type: ResourceType, stored: RenderInput, dataJson: string, ctx: RenderContext): string | undefined {
  for (const key of RENDERED_KEYS) if (key in stored.data) return undefined
  const head = JSON.stringify({ schemas: schemasOf(type, stored.data), id: stored.id })
  const tail = JSON.stringify(referencesAndMeta(type, stored, ctx))
  const data = dataJson.length > 2 ? `${dataJson.slice(1, -1)},` : ''
  return `${head.slice(0, -1)},${data}${tail.slice(1)}`
}
