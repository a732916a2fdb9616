// RFC 7644 §3.4.2.5 / §3.9: `attributes`, `excludedAttributes` and the schema's `returned` rules.
import { isObject, type Doc } from './document'
import { parseAttrPath } from './filter/attr-path'
import { RENDERED_KEYS } from './render'
import type { CompiledAttribute, ResourceType } from './schema/types'

/** Selected attributes: key → whole attribute (true) or the set of lower-cased sub-attributes. */
type Selection = Map<string, true | Set<string>>

export interface Projection {
  attributes?: Selection
  excluded?: Selection
}

/** Selection key of a top-level attribute: its lower-cased name, URN-qualified for extensions. */
function keyOf(urn: string | undefined, name: string): string {
  return urn === undefined ? name.toLowerCase() : `${urn.toLowerCase()}:${name.toLowerCase()}`
}


/** Parses a comma-separated attribute list; names it cannot read are ignored (RFC leaves it open). */
export function parseAttributeList(type: ResourceType, list: string | undefined): Selection | undefined {
  if (list === undefined || list.trim() === '') return undefined
  const selection: Selection = new Map()
  for (const raw of list.split(',')) {
    const text = raw.trim()
    if (text === '') continue
    // A declared extension URN selects the whole extension. An undeclared one parses as
    // uri + last segment, whose key is the same lower-cased URN, so it selects the whole too.
    if (type.extensions.has(text.toLowerCase())) {
      selection.set(text.toLowerCase(), true)
      continue
    }
    const path = parseAttrPath(text)
    if (!path) continue
    const core = path.uri === undefined || path.uri.toLowerCase() === type.core.lowerId
    const key = keyOf(core ? undefined : path.uri, path.name)
    const current = selection.get(key)
    if (path.sub === undefined) selection.set(key, true)
    else if (current !== true) selection.set(key, (current ?? new Set<string>()).add(path.sub.toLowerCase()))
  }
  return selection
}

function definitionOf(type: ResourceType, urn: string | undefined, name: string): CompiledAttribute | undefined {
  const lower = name.toLowerCase()
  if (urn === undefined) return type.common.get(lower) ?? type.core.attributes.get(lower)
  return type.extensions.get(urn.toLowerCase())?.schema.attributes.get(lower)
}

function pickSubs(value: unknown, subs: Set<string>, keep: boolean): unknown {
  const pick = (el: unknown) =>
    isObject(el) ? Object.fromEntries(Object.entries(el).filter(([k]) => subs.has(k.toLowerCase()) === keep)) : el
  return Array.isArray(value) ? value.map(pick) : pick(value)
}

const neverSubsCache = new WeakMap<CompiledAttribute, Set<string>>()

/** Lower-cased names of an attribute's sub-attributes returned `never`, computed once per attribute. */
function neverSubsOf(attr: CompiledAttribute): Set<string> {
  let never = neverSubsCache.get(attr)
  if (!never) {
    never = new Set([...attr.sub.values()].filter((s) => s.returned === 'never').map((s) => s.name.toLowerCase()))
    neverSubsCache.set(attr, never)
  }
  return never
}

/** Drops sub-attributes whose `returned` is `never` (none in the built-ins; custom schemas may). */
function dropNeverSubs(attr: CompiledAttribute | undefined, value: unknown): unknown {
  if (!attr || attr.sub.size === 0) return value
  const never = neverSubsOf(attr)
  return never.size === 0 ? value : pickSubs(value, never, false)
}

function allShownByDefault(attrs: Iterable<CompiledAttribute>): boolean {
  for (const a of attrs) {
    if (a.returned === 'never' || a.returned === 'request' || !allShownByDefault(a.sub.values())) return false
  }
  return true
}

/**
 * What a default view (no attributes/excludedAttributes) can hide of a type: its top-level core
 * attributes returned `never` or `request` (User's password), or null when a sub-attribute or an
 * extension attribute can be hidden, which only the full projection handles.
 */
function hiddenByDefault(type: ResourceType): Set<string> | null {
  const hidden = new Set<string>()
  for (const a of [...type.common.values(), ...type.core.attributes.values()]) {
    if (!allShownByDefault(a.sub.values())) return null
    if (a.returned === 'never' || a.returned === 'request') hidden.add(a.name.toLowerCase())
  }
  for (const ext of type.extensions.values()) if (!allShownByDefault(ext.schema.attributes.values())) return null
  return hidden
}

const hiddenCache = new WeakMap<ResourceType, Set<string> | null>()

function hiddenOf(type: ResourceType): Set<string> | null {
  let hidden = hiddenCache.get(type)
  if (hidden === undefined) {
    hidden = hiddenByDefault(type)
    hiddenCache.set(type, hidden)
  }
  return hidden
}

/**
 * Whether the default view of `doc` is `doc` itself: it holds no attribute the type hides by
 * default, and no empty extension object (projection drops those with their `schemas` entry).
 */
function defaultViewIsWhole(type: ResourceType, doc: Doc): boolean {
  const hidden = hiddenOf(type)
  if (hidden === null) return false
  for (const name in doc) {
    const value = doc[name]
    if (hidden.size > 0 && hidden.has(name.toLowerCase())) return false
    if (isObject(value) && Object.keys(value).length === 0 && name.toLowerCase().startsWith('urn:')) return false
  }
  return true
}

/**
 * Whether projection `p` keeps all of a resource rendered from stored `data`, judged without
 * rendering it: the default view, nothing hidden in the data, and none of the keys the renderer
 * adds hidden by the type (a custom schema may make `members` returned `request`).
 */
export function viewKeepsAll(type: ResourceType, data: Doc, p: Projection): boolean {
  if (p.attributes || p.excluded) return false
  const hidden = hiddenOf(type)
  if (hidden === null) return false
  for (const key of RENDERED_KEYS) if (hidden.has(key)) return false
  return defaultViewIsWhole(type, data)
}

function projectValue(attr: CompiledAttribute | undefined, key: string, value: unknown, p: Projection): unknown {
  const returned = attr?.returned ?? 'default'
  if (returned === 'never') return undefined
  if (returned === 'always') return dropNeverSubs(attr, value)
  const wanted = p.attributes?.get(key)
  if (p.attributes) {
    if (wanted === undefined) return undefined
    return dropNeverSubs(attr, wanted === true ? value : pickSubs(value, wanted, true))
  }
  if (returned === 'request') return undefined
  const excluded = p.excluded?.get(key)
  if (excluded === true) return undefined
  return dropNeverSubs(attr, excluded ? pickSubs(value, excluded, false) : value)
}

/** Applies `returned` rules and the request's attribute selection to a rendered resource. */
export function projectResource(type: ResourceType, doc: Doc, p: Projection): Doc {
  // The view Entra reads for every object: nothing selected, nothing hidden, so nothing to copy.
  if (!p.attributes && !p.excluded && defaultViewIsWhole(type, doc)) return doc
  const out: Doc = {}
  const dropped = new Set<string>()
  for (const [name, value] of Object.entries(doc)) {
    if (name === 'schemas') {
      out.schemas = value
    } else if (name.toLowerCase().startsWith('urn:') && isObject(value)) {
      const whole = name.toLowerCase()
      if (p.excluded?.get(whole) === true) continue
      const ext: Doc = {}
      for (const [attrName, attrValue] of Object.entries(value)) {
        const key = keyOf(name, attrName)
        const selected = p.attributes?.has(whole) ? { ...p, attributes: undefined } : p
        const v = projectValue(definitionOf(type, name, attrName), key, attrValue, selected)
        if (v !== undefined) ext[attrName] = v
      }
      if (Object.keys(ext).length > 0) out[name] = ext
      else dropped.add(name)
    } else {
      const v = projectValue(definitionOf(type, undefined, name), name.toLowerCase(), value, p)
      if (v !== undefined) out[name] = v
    }
  }
  // `schemas` names only the extensions still present after projection.
  if (dropped.size > 0 && Array.isArray(out.schemas)) out.schemas = out.schemas.filter((urn) => !dropped.has(urn as string))
  return out
}
