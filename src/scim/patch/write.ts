// RFC 7644 §3.5.2.1 add and §3.5.2.3 replace on one resolved target (they differ only in places).
import { ScimError } from '../errors'
import { isObject, type Doc } from '../document'
import { coerceElement, coerceExtension, coerceValue, deepEqual } from '../schema/coerce'
import type { CompiledAttribute } from '../schema/types'
import {
  assertMutable,
  elementsOf,
  holderOf,
  isClear,
  pruneHolder,
  settlePrimary,
  storeElements,
  unassign,
} from './doc'
import { removeExtension } from './remove'
import { elementFromFilter, resolveElementFilter, selectIndices } from './select'
import { keyIn, type AttrTarget, type Target } from './target'

type WriteOp = 'add' | 'replace'

/** A reference's `$ref`/display describe its old `value`; a new `value` makes them stale. */
function mergeComplex(attr: CompiledAttribute, prev: unknown, next: Record<string, unknown>): Record<string, unknown> {
  if (!isObject(prev)) return next
  const out = { ...prev, ...next }
  if (attr.sub.has('$ref') && next.value !== undefined && next.value !== prev.value) {
    for (const k of ['$ref', 'display', 'displayName']) if (!(k in next)) delete out[k]
  }
  return out
}

/** Add appends to a multi-valued attribute, skipping elements already present (RFC 7644 §3.5.2.1). */
function append(attr: CompiledAttribute, prev: unknown, next: unknown[]): unknown[] {
  const list = elementsOf(attr, prev)
  const touched = new Set<unknown>()
  for (const e of next) {
    const same = list.find((x) => deepEqual(x, e))
    if (same === undefined) list.push(e)
    touched.add(same ?? e)
  }
  if (attr.type === 'complex') settlePrimary(list, touched, attr.path)
  return list
}

function writeWhole(op: WriteOp, holder: Doc, attr: CompiledAttribute, value: unknown): void {
  const prev = holder[attr.name]
  const next = coerceValue(attr, value, attr.path)
  if (next === undefined) {
    // add of [] or {} adds nothing; replace with them, or either op with null/"", clears.
    if (op === 'replace' || isClear(value)) unassign(holder, attr)
    return
  }
  let result: unknown = next
  if (attr.multiValued) result = op === 'add' ? append(attr, prev, next as unknown[]) : next
  else if (attr.type === 'complex') result = mergeComplex(attr, prev, next as Record<string, unknown>)
  assertMutable(attr, prev, result)
  holder[attr.name] = result
}

/** Sets (or clears) `t.sub` inside one element object. */
function writeSubInto(element: Record<string, unknown>, t: AttrTarget, attr: CompiledAttribute, value: unknown): void {
  const sub = t.sub!
  if (!t.subAttr) {
    // Undeclared sub-attribute (MediusFlow `name.displayName`): stored as sent (coerce.ts header).
    const k = keyIn(element, sub)
    if (isClear(value)) delete element[k]
    else element[k] = value
    return
  }
  const next = coerceValue(t.subAttr, value, `${attr.path}.${t.subAttr.name}`)
  assertMutable(t.subAttr, element[t.subAttr.name], next)
  if (next === undefined) delete element[t.subAttr.name]
  else element[t.subAttr.name] = next
}

function writeSub(holder: Doc, t: AttrTarget, attr: CompiledAttribute, value: unknown): void {
  if (attr.multiValued) {
    throw ScimError.invalidPath(`'${attr.path}' is multi-valued; address one element with '${attr.name}[filter].${t.sub}'`)
  }
  const prev = holder[attr.name]
  const element = isObject(prev) ? { ...prev } : {}
  writeSubInto(element, t, attr, value)
  // Re-coerce the whole value: drops emptied objects and a manager left without `value`.
  const next = coerceValue(attr, element, attr.path)
  if (next === undefined) delete holder[attr.name]
  else holder[attr.name] = next
}

/**
 * `attr[filter]` and `attr[filter].sub`. With no matching element, add and replace CREATE one from
 * the filter's `eq` clauses (Entra relies on it, entra-wire.md §2.2 Q7), and later operations in the
 * same request then match it, so `addresses[type eq "work"].locality` + `….postalCode` merge into
 * one element (§2.2 Q8). A filter that cannot describe an element is `noTarget` (RFC 7644 §3.5.2.3).
 */
function writeFiltered(op: WriteOp, holder: Doc, t: AttrTarget, attr: CompiledAttribute, value: unknown): void {
  const filter = resolveElementFilter(attr, t.filter!)
  const elements = elementsOf(attr, holder[attr.name])
  let indices = selectIndices(filter, elements)
  let created = false
  if (indices.length === 0) {
    if (isClear(value)) return // nothing matched, so nothing to clear
    const base = elementFromFilter(filter)
    if (!base || (!attr.multiValued && elements.length > 0)) {
      throw ScimError.noTarget(`no element of '${attr.path}' matches the filter`)
    }
    elements.push(base)
    indices = [elements.length - 1]
    created = true
  }
  const touched = new Set<unknown>()
  for (const i of indices) {
    const current = elements[i] as Record<string, unknown>
    let next: unknown
    if (t.sub !== undefined) {
      writeSubInto(current, t, attr, value)
      next = coerceElement(attr, current, attr.path)
    } else if (isClear(value)) {
      next = undefined
    } else {
      const v = coerceElement(attr, value, attr.path)
      if (v !== undefined && !isObject(v)) throw ScimError.invalidValue(`'${t.label}' needs an object value`)
      // RFC 7644 §3.5.2.3 example: replace swaps the whole matched element; add merges into it.
      next = op === 'replace' && !created ? v : coerceElement(attr, { ...current, ...(v ?? {}) }, attr.path)
    }
    elements[i] = next
    if (next !== undefined) touched.add(next)
  }
  if (attr.multiValued) settlePrimary(elements, touched, attr.path)
  storeElements(holder, attr, elements)
}

/** add/replace on an attribute target (declared or not). */
export function writeAttr(op: WriteOp, doc: Doc, t: AttrTarget, value: unknown): void {
  if (t.attr?.mutability === 'readOnly' || t.subAttr?.mutability === 'readOnly') {
    throw ScimError.mutability(`attribute '${t.subAttr?.path ?? t.attr!.path}' is readOnly`)
  }
  const holder = holderOf(doc, t, true)!
  const attr = t.attr
  if (!attr) writeUndeclared(holder, t, value)
  else if (t.filter) writeFiltered(op, holder, t, attr, value)
  else if (t.sub !== undefined) writeSub(holder, t, attr, value)
  else writeWhole(op, holder, attr, value)
  pruneHolder(doc, t)
}

/** Undeclared attributes: stored exactly as sent, `null`/"" clears (coerce.ts header). */
function writeUndeclared(holder: Doc, t: AttrTarget, value: unknown): void {
  if (t.sub === undefined) {
    if (isClear(value)) delete holder[t.key]
    else holder[t.key] = value
    return
  }
  const prev = holder[t.key]
  const obj: Record<string, unknown> = isObject(prev) ? { ...prev } : {}
  const k = keyIn(obj, t.sub)
  if (isClear(value)) delete obj[k]
  else obj[k] = value
  if (Object.keys(obj).length === 0) delete holder[t.key]
  else holder[t.key] = obj
}

/** A path that is exactly an extension URN: merge its attributes (RFC 7644 §3.5.2.1/§3.5.2.3). */
export function writeExtension(op: WriteOp, doc: Doc, t: Extract<Target, { kind: 'extension' }>, value: unknown): void {
  if (isClear(value)) return removeExtension(doc, t)
  if (!isObject(value)) throw ScimError.invalidValue(`'${t.label}' is an extension and needs an object value`)
  if (!t.schema) {
    const merged: Record<string, unknown> = isObject(doc[t.urnKey]) ? { ...(doc[t.urnKey] as Doc) } : {}
    for (const [k, v] of Object.entries(value)) {
      if (v === null) delete merged[keyIn(merged, k)]
      else merged[keyIn(merged, k)] = v
    }
    if (Object.keys(merged).length === 0) delete doc[t.urnKey]
    else doc[t.urnKey] = merged
    return
  }
  coerceExtension(t.schema, value, t.urnKey) // type-checks the whole object up front
  for (const [k, v] of Object.entries(value)) {
    const attr = t.schema.attributes.get(k.toLowerCase())
    if (attr?.mutability === 'readOnly') continue
    const target: AttrTarget = { kind: 'attr', holderKey: t.urnKey, key: attr?.name ?? k, label: `${t.urnKey}:${k}` }
    if (attr) target.attr = attr
    writeAttr(op, doc, target, v)
  }
}
