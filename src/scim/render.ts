// Builds the wire form of a stored resource: schemas, id, meta (RFC 7643 §3.1) and references.
import { URN_USER } from './constants'
import { isObject, type Doc } from './document'
import { jsonString } from './json-string'
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

/** Of those, the references: rendered only when the context carries them, which it does only when they are shown. */
export const REFERENCE_KEYS: ReadonlySet<string> = new Set(['members', 'groups'])

/**
 * A resource's `schemas` (RFC 7643 §3): the core URN, then the key of every extension object it
 * holds, declared or not (lenient policy). The one place the list is made: rendering, and again
 * after a projection has left an extension out.
 */
export function schemasOf(type: ResourceType, doc: Doc): string[] {
  const schemas = [type.core.id]
  for (const key in doc) if (isObject(doc[key]) && /^urn:/i.test(key)) schemas.push(key)
  return schemas
}

const isEmptyList = (v: unknown) => Array.isArray(v) && v.length === 0

function hasKeys(doc: Doc): boolean {
  for (const _ in doc) return true
  return false
}

/** An extension object without its empty lists; undefined when nothing is left. */
function visibleExtension(ext: Doc): Doc | undefined {
  let out: Doc | undefined
  for (const key in ext) {
    if (!isEmptyList(ext[key])) continue
    out ??= { ...ext }
    delete out[key]
  }
  const kept = out ?? ext
  return hasKeys(kept) ? kept : undefined
}

/**
 * The stored data as a view shows it: an empty multi-valued attribute is unassigned (RFC 7643
 * §2.5), so `[]` is left out, and so is an extension object left empty. Writes no longer store
 * either (coerce-value.ts `isUnassigned`); this hides those in documents stored before. The data
 * itself when nothing goes, which is what lets a view be spliced from the stored text.
 */
export function visibleData(data: Doc): Doc {
  let out: Doc | undefined
  for (const key in data) {
    const value = data[key]
    const kept = isEmptyList(value)
      ? undefined
      : isObject(value) && /^urn:/i.test(key)
        ? visibleExtension(value)
        : value
    if (kept === value) continue
    out ??= { ...data }
    if (kept === undefined) delete out[key]
    else out[key] = kept
  }
  return out ?? data
}

/** The references a view shows, rendered: a group's members, a user's groups; none when the context has none. */
function shownReferences(type: ResourceType, ctx: RenderContext): Doc {
  const out: Doc = {}
  if (ctx.members !== undefined && ctx.members.length > 0) out.members = withRefs(ctx.base, ctx.members, false)
  if (ctx.groups !== undefined && ctx.groups.length > 0 && type.core.id === URN_USER) {
    out.groups = withRefs(ctx.base, ctx.groups, true)
  }
  return out
}

/** What follows the stored data: references to show, then meta (RFC 7643 §3.1). */
function referencesAndMeta(type: ResourceType, stored: RenderInput, ctx: RenderContext): Doc {
  const out = shownReferences(type, ctx)
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
  const data = visibleData(stored.data)
  return { schemas: schemasOf(type, data), id: stored.id, ...data, ...referencesAndMeta(type, stored, ctx) }
}

/**
 * The extension URNs of `data` when a view of it is the data as stored (visibleData keeps it, and
 * it holds no key the renderer sets), else undefined: the checks of renderResourceJson and the
 * `schemas` list in one walk over the keys.
 */
function splicedExtensions(data: Doc): string[] | undefined {
  let extensions: string[] | undefined
  for (const key in data) {
    const value = data[key]
    if (isEmptyList(value)) return undefined
    if (key.length <= 7 && RENDERED_KEYS.includes(key)) return undefined
    if (isObject(value) && /^urn:/i.test(key)) {
      if (visibleExtension(value) !== value) return undefined
      ;(extensions ??= []).push(key)
    }
  }
  return extensions ?? NO_EXTENSIONS
}

const NO_EXTENSIONS: string[] = []

/** A type's names as JSON text, written into every view of it. */
interface TypeTexts {
  coreId: string
  name: string
  urn(urn: string): string
}

/**
 * Made once per type, not per view: the escape check of each name was a tenth of the text a view
 * writes around its data. Extension URNs are the keys coerce stored, the type's few declared ones;
 * the memo starts over past MAX_URNS all the same.
 */
const typeTexts = new WeakMap<ResourceType, TypeTexts>()
const MAX_URNS = 64

function textsOf(type: ResourceType): TypeTexts {
  let texts = typeTexts.get(type)
  if (!texts) {
    const urns = new Map<string, string>()
    texts = {
      coreId: jsonString(type.core.id),
      name: jsonString(type.name),
      urn: (urn) => {
        let text = urns.get(urn)
        if (text === undefined) {
          if (urns.size >= MAX_URNS) urns.clear()
          text = jsonString(urn)
          urns.set(urn, text)
        }
        return text
      },
    }
    typeTexts.set(type, texts)
  }
  return texts
}

/**
 * renderResource serialised, with `dataJson` (the stored text of `stored.data`) spliced in
 * instead of copying the parsed data and serialising it again: the data is most of a view, and
 * this is the view Entra reads for every object. Undefined when the data holds a key the renderer
 * sets (never stored by coerce) or something a view leaves out; the caller then serialises
 * renderResource. The parts around the data are written directly: two objects built and
 * serialised per view were ~0.3 µs of a cached read.
 */
export function renderResourceJson(
  type: ResourceType,
  stored: RenderInput,
  dataJson: string,
  ctx: RenderContext
): string | undefined {
  const extensions = splicedExtensions(stored.data)
  if (extensions === undefined) return undefined
  const texts = textsOf(type)
  let schemas = texts.coreId
  for (const urn of extensions) schemas += `,${texts.urn(urn)}`
  const data = dataJson.length > 2 ? `${dataJson.slice(1, -1)},` : ''
  const refs = shownReferences(type, ctx)
  const references = hasKeys(refs) ? `${JSON.stringify(refs).slice(1, -1)},` : ''
  // referencesAndMeta's meta, as text (the test compares the two views byte for byte).
  const meta =
    `{"resourceType":${texts.name},"created":${jsonString(stored.created)}` +
    `,"lastModified":${jsonString(stored.lastModified)},"location":${jsonString(locationOf(ctx.base, type, stored.id))}` +
    // etagOf's text, written escaped: its quotes would always send it through JSON.stringify.
    `,"version":"W/\\"${stored.version}\\""}`
  return `{"schemas":[${schemas}],"id":${jsonString(stored.id)},${data}${references}"meta":${meta}}`
}
