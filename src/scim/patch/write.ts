// RFC 7644 §3.5.2.1 add and §3.5.2.3 replace on one resolved target (they differ only in places).
import type { CompatSink } from '../compat/rules'
import { ScimError, quoted } from '../errors'
import { deepEqual, isObject, keyIn, valueIn, type Doc } from '../document'
import {
  assertAttrName,
  coerceElement,
  coerceExtension,
  coerceValue,
  isUnassignedComplex,
} from '../schema/coerce-value'
import { identityOf } from '../schema/element-identity'
import type { AttrTarget, Target } from '../schema/resolve-key'
import type { CompiledAttribute } from '../schema/types'
import {
  assertMutable,
  assertWritable,
  clearsUndeclared,
  elementsOf,
  holderOf,
  isClear,
  pruneHolder,
  settlePrimary,
  storeElements,
  unassign,
} from './doc'
import { removeExtension } from './remove'
import type { FilterNode } from '../filter/ast'
import type { ResolvedFilter } from '../filter/resolve'
import { elementFromFilter, resolveElementFilter, selectIndices } from './select'

type WriteOp = 'add' | 'replace'

/** Sets (or, for null and "", clears) one sub-attribute inside an element object. */
function writeSubInto(
  element: Doc,
  attr: CompiledAttribute,
  name: string,
  subAttr: CompiledAttribute | undefined,
  value: unknown,
  fired?: CompatSink
): void {
  if (!subAttr) {
    // Undeclared sub-attribute (MediusFlow `name.displayName`): stored as sent (coerce.ts header).
    assertAttrName(name, attr.path)
    const k = keyIn(element, name)
    if (clearsUndeclared(value, fired)) delete element[k]
    else {
      element[k] = value
      fired?.('undeclared-attribute')
    }
    return
  }
  const next = coerceValue(subAttr, value, subAttr.path, fired)
  assertMutable(subAttr, element[subAttr.name], next)
  if (next === undefined) delete element[subAttr.name]
  else element[subAttr.name] = next
}

/**
 * `element` with `value`'s sub-attributes written into a copy: those in the value are set (each
 * coerced), a null one is cleared (RFC 7643 §2.5), the others are left unchanged (RFC 7644
 * §3.5.2.3). readOnly ones (manager.displayName) are server-set and ignored, as on POST.
 */
function mergeSubs(attr: CompiledAttribute, element: unknown, value: Doc, fired?: CompatSink): Doc {
  const out: Doc = isObject(element) ? { ...element } : {}
  for (const [k, v] of Object.entries(value)) {
    const subAttr = attr.sub.get(k.toLowerCase())
    if (subAttr?.mutability === 'readOnly') continue
    writeSubInto(out, attr, subAttr?.name ?? k, subAttr, v, fired)
  }
  return out
}

/** A reference's `$ref`/display describe its old `value`; a new `value` makes those not re-sent stale. */
function dropStaleRef(attr: CompiledAttribute, prev: unknown, next: Doc, value: Doc): void {
  if (!attr.sub.has('$ref') || !isObject(prev) || next.value === prev.value) return
  for (const k of ['$ref', 'display', 'displayName']) {
    const sent = valueIn(value, k) !== undefined && attr.sub.get(k.toLowerCase())?.mutability !== 'readOnly'
    if (!sent) delete next[k]
  }
}

/**
 * The one merge of a complex value into a stored one, for `attr` and for each element `attr[filter]`
 * selects: `mergeSubs`, stale reference parts dropped, undefined when nothing is left (unassigned).
 */
function mergeComplex(attr: CompiledAttribute, prev: unknown, patch: Doc, fired?: CompatSink): Doc | undefined {
  const merged = mergeSubs(attr, prev, patch, fired)
  dropStaleRef(attr, prev, merged, patch)
  return isUnassignedComplex(attr, merged) ? undefined : merged
}

/**
 * A single-valued complex attribute (add and replace alike, RFC 7644 §3.5.2.1/§3.5.2.3): the value's
 * sub-attributes are merged into the stored ones. Entra's bare-string manager is read first.
 */
function writeComplex(op: WriteOp, holder: Doc, attr: CompiledAttribute, value: unknown, fired?: CompatSink): void {
  const prev = holder[attr.name]
  const patch = isObject(value) ? value : coerceValue(attr, value, attr.path, fired)
  if (!isObject(patch)) {
    // null, "" or [] clear; an add of [] adds nothing.
    if (op === 'replace' || isClear(value)) unassign(holder, attr)
    return
  }
  const next = mergeComplex(attr, prev, patch, fired)
  assertMutable(attr, prev, next)
  if (next === undefined) delete holder[attr.name]
  else holder[attr.name] = next
}

/**
 * Add appends to a multi-valued attribute (RFC 7644 §3.5.2.1); an element already there is not
 * added twice: one that is the same as a stored one (identityOf: `A@X` for a stored `a@x`, or the
 * stored email re-sent with `primary: true`) is merged into it, its sub-attributes written over
 * the stored ones, so the attribute never holds the same (type, value) twice. Elements are looked
 * up in a hash map: linear, where a pairwise search took seconds for thousands of elements.
 */
function append(attr: CompiledAttribute, prev: unknown, next: unknown[]): unknown[] {
  const list = elementsOf(attr, prev)
  const at = new Map(list.map((e, i) => [identityOf(attr, e), i] as const))
  const touched = new Set<unknown>()
  for (const e of next) {
    const key = identityOf(attr, e)
    const i = at.get(key)
    if (i === undefined) {
      at.set(key, list.length)
      list.push(e)
      touched.add(e)
      continue
    }
    const stored = list[i]
    if (isObject(stored) && isObject(e) && !deepEqual(stored, e)) list[i] = { ...stored, ...e }
    touched.add(list[i])
  }
  if (attr.type === 'complex') settlePrimary(list, touched, attr.path)
  return list
}

/** A simple or multi-valued attribute as a whole. */
function writeWhole(op: WriteOp, holder: Doc, attr: CompiledAttribute, value: unknown, fired?: CompatSink): void {
  const prev = holder[attr.name]
  const next = coerceValue(attr, value, attr.path, fired)
  if (next === undefined) {
    // replace with null, "" or [] clears, and so does an add of null or "" to a single value (its
    // value is replaced); an add of any of them to a multi-valued attribute adds nothing.
    if (op === 'replace' || (isClear(value) && !attr.multiValued)) unassign(holder, attr)
    return
  }
  const result = attr.multiValued && op === 'add' ? append(attr, prev, next as unknown[]) : next
  assertMutable(attr, prev, result)
  holder[attr.name] = result
}

/** Appends the element a filter of `eq` tests describes; `noTarget` when it describes none. */
function createElement(
  filter: ResolvedFilter,
  attr: CompiledAttribute,
  elements: unknown[],
  fired?: CompatSink
): number {
  const base = elementFromFilter(filter)
  if (!base || (!attr.multiValued && elements.length > 0)) {
    throw ScimError.noTarget(`no element of '${attr.path}' matches the filter`)
  }
  fired?.('vpath-create')
  return elements.push(base) - 1
}

/**
 * One matched element after the write, undefined when cleared. Add and replace alike merge the
 * value into the element with `mergeComplex`, as for a single-valued complex attribute (RFC 7644
 * §3.5.2.3: sub-attributes not in the value are left unchanged; RFC 7643 §2.5: null unassigns only
 * that one); `.sub` writes that sub-attribute. An element left with no sub-attributes is unassigned
 * and removed: kept, it would be served as `{}`, which no filter can select again.
 */
function writtenElement(
  t: AttrTarget,
  attr: CompiledAttribute,
  element: unknown,
  value: unknown,
  fired?: CompatSink
): unknown {
  if (t.sub === undefined && isClear(value, fired)) return undefined
  const patch =
    t.sub !== undefined ? { [t.sub]: value } : isObject(value) ? value : coerceElement(attr, value, attr.path, fired)
  if (!isObject(patch)) throw ScimError.invalidValue(`${quoted(t.label)} needs an object value`)
  return mergeComplex(attr, element, patch, fired)
}

/**
 * `attr[filter]` and `attr[filter].sub`. With no matching element, add and replace CREATE one from
 * the filter's `eq` clauses (Entra relies on it, entra-wire.md §2.2 Q7) and merge the value into
 * it, and later operations in the same request then match it, so `addresses[type eq "work"].locality`
 * + `….postalCode` merge into one element (§2.2 Q8). A filter that cannot describe an element is
 * `noTarget` (RFC 7644 §3.5.2.3).
 */
function writeFiltered(
  holder: Doc,
  t: AttrTarget,
  attr: CompiledAttribute,
  where: FilterNode,
  value: unknown,
  fired?: CompatSink
): void {
  const filter = resolveElementFilter(attr, where)
  const elements = elementsOf(attr, holder[attr.name])
  let indices = selectIndices(filter, elements)
  if (indices.length === 0) {
    // Nothing matched, so nothing to clear: RFC 7644 §3.5.2.3 would say noTarget.
    if (isClear(value, fired)) return fired?.('vpath-no-match')
    indices = [createElement(filter, attr, elements, fired)]
  }
  const touched = new Set<unknown>()
  for (const i of indices) {
    const next = writtenElement(t, attr, elements[i], value, fired)
    elements[i] = next
    if (next !== undefined) touched.add(next)
  }
  if (attr.multiValued) settlePrimary(elements, touched, attr.path)
  storeElements(holder, attr, elements)
}

/** add/replace on an attribute target (declared or not). */
export function writeAttr(op: WriteOp, doc: Doc, t: AttrTarget, value: unknown, fired?: CompatSink): void {
  assertWritable(t)
  const holder = holderOf(doc, t, true)
  const attr = t.attr
  if (!attr) writeUndeclared(holder, t, value, fired)
  else if (t.filter) writeFiltered(holder, t, attr, t.filter, value, fired)
  else if (attr.type === 'complex' && !attr.multiValued)
    writeComplex(op, holder, attr, t.sub !== undefined ? { [t.sub]: value } : value, fired)
  else if (t.sub !== undefined) {
    throw ScimError.invalidPath(
      `'${attr.path}' is multi-valued; address one element with '${attr.name}[filter].${t.sub}'`
    )
  } else writeWhole(op, holder, attr, value, fired)
  pruneHolder(doc, t)
}

/** Undeclared attributes: stored exactly as sent; `null`, "" and `[]` clear (coerce.ts header). */
function writeUndeclared(holder: Doc, t: AttrTarget, value: unknown, fired?: CompatSink): void {
  if (t.sub === undefined) {
    if (clearsUndeclared(value, fired)) delete holder[t.key]
    else holder[t.key] = value
    return
  }
  const prev = holder[t.key]
  const obj: Record<string, unknown> = isObject(prev) ? { ...prev } : {}
  const k = keyIn(obj, t.sub)
  if (clearsUndeclared(value, fired)) delete obj[k]
  else obj[k] = value
  if (Object.keys(obj).length === 0) delete holder[t.key]
  else holder[t.key] = obj
}

/** A path that is exactly an extension URN: merge its attributes (RFC 7644 §3.5.2.1/§3.5.2.3). */
export function writeExtension(
  op: WriteOp,
  doc: Doc,
  t: Extract<Target, { kind: 'extension' }>,
  value: unknown,
  fired?: CompatSink
): void {
  if (isClear(value, fired)) return removeExtension(doc, t)
  if (!isObject(value)) throw ScimError.invalidValue(`${quoted(t.label)} is an extension and needs an object value`)
  if (!t.schema) {
    const merged: Record<string, unknown> = isObject(doc[t.urnKey]) ? { ...(doc[t.urnKey] as Doc) } : {}
    for (const [k, v] of Object.entries(value)) {
      assertAttrName(k, t.urnKey)
      if (clearsUndeclared(v, fired)) delete merged[keyIn(merged, k)]
      else merged[keyIn(merged, k)] = v
    }
    if (Object.keys(merged).length === 0) delete doc[t.urnKey]
    else doc[t.urnKey] = merged
    return
  }
  coerceExtension(t.schema, value, t.urnKey, fired) // type-checks the whole object up front
  for (const [k, v] of Object.entries(value)) {
    const attr = t.schema.attributes.get(k.toLowerCase())
    if (attr?.mutability === 'readOnly') continue
    const target: AttrTarget = { kind: 'attr', holderKey: t.urnKey, key: attr?.name ?? k, label: `${t.urnKey}:${k}` }
    if (attr) target.attr = attr
    writeAttr(op, doc, target, v, fired)
  }
}
