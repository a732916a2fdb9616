// RFC 7644 §3.5.2 helpers shared by add/replace/remove: holders, clearing, primary, element lists.
import type { CompatSink } from '../compat/rules'
import { ScimError } from '../errors'
import { canonicalJson, deepEqual, isObject, valueIn, type Doc } from '../document'
import type { AttrTarget } from '../schema/resolve-key'
import type { CompiledAttribute } from '../schema/types'

/**
 * `null` and `""` mean "clear" in add/replace (Microsoft's SCIM_Null_Update test, entra-wire.md §1.6).
 * `""` is a leniency (RFC 7643 §2.5 names null), told to `fired` when the caller clears on it.
 */
export function isClear(value: unknown, fired?: CompatSink): boolean {
  if (value === '') fired?.('empty-string')
  return value === null || value === undefined || value === ''
}

/**
 * Whether a value written to an undeclared attribute removes it rather than being stored: what
 * clears any attribute, and `[]`, which RFC 7643 §2.5 makes unassigned as coerce's isUnassigned
 * does on POST and PUT (stored, it showed in no GET yet made a new version and a journal entry).
 */
export function clearsUndeclared(value: unknown, fired?: CompatSink): boolean {
  return isClear(value, fired) || (Array.isArray(value) && value.length === 0)
}

/** The object holding the target attribute: the document, or its extension object (made when `create`). */
export function holderOf(doc: Doc, t: AttrTarget, create: true): Doc
export function holderOf(doc: Doc, t: AttrTarget, create: false): Doc | undefined
export function holderOf(doc: Doc, t: AttrTarget, create: boolean): Doc | undefined {
  if (t.holderKey === undefined) return doc
  const h = doc[t.holderKey]
  if (isObject(h)) return h
  if (!create) return undefined
  const fresh: Doc = {}
  doc[t.holderKey] = fresh
  return fresh
}

/** Drops an extension object left empty, so "unassigned" has one representation. */
export function pruneHolder(doc: Doc, t: AttrTarget): void {
  if (t.holderKey === undefined) return
  const h = doc[t.holderKey]
  if (isObject(h) && Object.keys(h).length === 0) delete doc[t.holderKey]
}

/**
 * Unassigns a declared attribute. Removing a required one is left to checkRequired after the
 * operation (`invalidValue`, as a POST without it gets, RFC 7644 §3.12 Table 9).
 */
export function unassign(holder: Doc, attr: CompiledAttribute): void {
  if (holder[attr.name] === undefined) return
  assertMutable(attr, holder[attr.name], undefined)
  delete holder[attr.name]
}

/** RFC 7644 §3.5.2: a path naming a readOnly attribute or sub-attribute is `mutability`. */
export function assertWritable(t: AttrTarget): void {
  const readOnly = [t.subAttr, t.attr].find((a) => a?.mutability === 'readOnly')
  if (readOnly) throw ScimError.mutability(`attribute '${readOnly.path}' is readOnly`)
}

/** RFC 7644 §3.5.2: an immutable attribute may be set once; changing it is `mutability`. */
export function assertMutable(attr: CompiledAttribute, prev: unknown, next: unknown): void {
  if (attr.mutability === 'immutable' && prev !== undefined && !deepEqual(prev, next)) {
    throw ScimError.mutability(`attribute '${attr.path}' is immutable and already has a value`)
  }
}

/** The elements of a (multi- or single-valued) complex attribute, shallow-copied. */
export function elementsOf(attr: CompiledAttribute, value: unknown): unknown[] {
  if (value === undefined || value === null) return []
  const list = attr.multiValued && Array.isArray(value) ? value : [value]
  return list.map((e) => (isObject(e) ? { ...e } : e))
}

/** Writes elements back: an array, the single value, or nothing when empty. */
export function storeElements(holder: Doc, attr: CompiledAttribute, elements: readonly unknown[]): void {
  const kept = elements.filter((e) => e !== undefined)
  if (kept.length === 0) delete holder[attr.name]
  else holder[attr.name] = attr.multiValued ? kept : kept[0]
}

/**
 * RFC 7644 §3.5.2: when a value is set `primary: true`, the server sets `primary` to false on the
 * others. `touched` are the elements this operation wrote; two primaries among them is invalidValue.
 */
export function settlePrimary(elements: unknown[], touched: ReadonlySet<unknown>, where: string): void {
  const winners = elements.filter((e) => touched.has(e) && isObject(e) && e.primary === true)
  if (winners.length > 1) throw ScimError.invalidValue(`attribute '${where}': more than one element has primary true`)
  if (winners.length === 0) return
  elements.forEach((e, i) => {
    if (!touched.has(e) && isObject(e) && e.primary === true) elements[i] = { ...e, primary: false }
  })
}

/** The canonical texts of `obj`'s values under `keys` (lower-cased), or undefined when one is missing. */
function projection(obj: Doc, keys: readonly string[]): string | undefined {
  const parts: string[] = []
  for (const k of keys) {
    const v = valueIn(obj, k)
    if (v === undefined) return undefined
    parts.push(canonicalJson(v))
  }
  return parts.join(',')
}

/**
 * A test for "the element has every key/value of one of `probes`" (keys compared ignoring case),
 * as `remove` with a value needs it (RFC 7644 §3.5.2.2). Probes are hashed by canonical JSON and
 * grouped by key set, so testing n elements against m probes costs O(n + m), not O(n × m).
 */
export function describedBy(probes: readonly unknown[]): (element: unknown) => boolean {
  const scalars = new Set<string>()
  const groups = new Map<string, { keys: string[]; hashes: Set<string> }>()
  for (const probe of probes) {
    if (!isObject(probe)) {
      scalars.add(canonicalJson(probe))
      continue
    }
    const keys = Object.keys(probe)
      .map((k) => k.toLowerCase())
      .sort()
    const id = keys.join('\u0000')
    let group = groups.get(id)
    if (!group) groups.set(id, (group = { keys, hashes: new Set() }))
    const hash = projection(probe, keys)
    if (hash !== undefined) group.hashes.add(hash)
  }
  return (element) => {
    if (!isObject(element)) return scalars.has(canonicalJson(element))
    for (const { keys, hashes } of groups.values()) {
      const h = projection(element, keys)
      if (h !== undefined && hashes.has(h)) return true
    }
    return false
  }
}
