// RFC 7644 §3.5.2.2 remove on one resolved target; removing what is absent is a no-op (Entra retries).
import type { CompatSink } from '../compat/rules'
import { isObject, keyIn, type Doc } from '../document'
import type { FilterNode } from '../filter/ast'
import { coerceValue, isUnassignedComplex } from '../schema/coerce-value'
import type { AttrTarget, Target } from '../schema/resolve-key'
import type { CompiledAttribute } from '../schema/types'
import {
  assertMutable,
  assertWritable,
  describedBy,
  elementsOf,
  holderOf,
  pruneHolder,
  storeElements,
  unassign,
} from './doc'
import { resolveElementFilter, selectIndices } from './select'

/** Drops sub-attribute `sub` from one element; the element itself goes when nothing is left. */
function dropSub(attr: CompiledAttribute, t: AttrTarget, sub: string, element: unknown): unknown {
  if (!isObject(element)) return element
  const copy = { ...element }
  const key = t.subAttr ? t.subAttr.name : keyIn(copy, sub)
  if (t.subAttr) assertMutable(t.subAttr, copy[key], undefined)
  delete copy[key]
  return isUnassignedComplex(attr, copy) ? undefined : copy
}

/**
 * `attr[filter]` removes the matching elements, `attr[filter].sub` that sub-attribute of them.
 * A filter matching nothing is a no-op, not `noTarget`: Entra retries failed operations every
 * cycle (entra-wire.md §2.4), so a repeated removal must succeed. A single-valued complex counts
 * as one element (`manager[value eq "…"]`, entra-wire.md §1.8, scim-patch#453).
 */
function removeFiltered(
  holder: Doc,
  t: AttrTarget,
  attr: CompiledAttribute,
  filter: FilterNode,
  fired?: CompatSink
): void {
  const elements = elementsOf(attr, holder[attr.name])
  const indices = new Set(selectIndices(resolveElementFilter(attr, filter), elements))
  if (indices.size === 0) return fired?.('vpath-no-match')
  const { sub } = t
  const next = elements.map((e, i) => (!indices.has(i) ? e : sub !== undefined ? dropSub(attr, t, sub, e) : undefined))
  storeElements(holder, attr, next)
}

/**
 * `remove` with a `value` on a multi-valued attribute removes only the elements it describes, where
 * RFC 7644 §3.5.2.2 would remove them all (Entra's member removal, entra-wire.md §2.2 Q3).
 */
function removeValues(holder: Doc, attr: CompiledAttribute, value: unknown, fired?: CompatSink): void {
  fired?.('remove-by-value')
  const described = describedBy((coerceValue(attr, value, attr.path, fired) as unknown[] | undefined) ?? [])
  const elements = elementsOf(attr, holder[attr.name])
  const kept = elements.filter((e) => !described(e))
  if (kept.length === elements.length) return
  if (kept.length === 0) unassign(holder, attr)
  storeElements(holder, attr, kept)
}

function removeDeclared(
  holder: Doc,
  t: AttrTarget,
  attr: CompiledAttribute,
  value: unknown,
  hasValue: boolean,
  fired?: CompatSink
): void {
  if (t.filter) return removeFiltered(holder, t, attr, t.filter, fired)
  const { sub } = t
  if (sub !== undefined) {
    if (holder[attr.name] === undefined) return
    // `emails.display` without a filter addresses that sub-attribute of every element.
    storeElements(
      holder,
      attr,
      elementsOf(attr, holder[attr.name]).map((e) => dropSub(attr, t, sub, e))
    )
    return
  }
  if (hasValue && value !== null && attr.multiValued) return removeValues(holder, attr, value, fired)
  unassign(holder, attr)
}

/** remove on an attribute target (declared or not). */
export function removeAttr(doc: Doc, t: AttrTarget, value: unknown, hasValue: boolean, fired?: CompatSink): void {
  assertWritable(t)
  const holder = holderOf(doc, t, false)
  if (!holder) {
    // No extension object, so a value filter inside it matched nothing.
    if (t.filter) fired?.('vpath-no-match')
    return
  }
  if (t.attr) removeDeclared(holder, t, t.attr, value, hasValue, fired)
  else if (t.sub === undefined) delete holder[t.key]
  else if (isObject(holder[t.key])) {
    const obj = { ...(holder[t.key] as Doc) }
    delete obj[keyIn(obj, t.sub)]
    if (Object.keys(obj).length === 0) delete holder[t.key]
    else holder[t.key] = obj
  }
  pruneHolder(doc, t)
}

/** Removes a whole extension object; its required and immutable attributes still guard it. */
export function removeExtension(doc: Doc, t: Extract<Target, { kind: 'extension' }>): void {
  const stored = doc[t.urnKey]
  if (t.schema && isObject(stored)) {
    for (const attr of t.schema.attributes.values()) if (stored[attr.name] !== undefined) unassign({ ...stored }, attr)
  }
  delete doc[t.urnKey]
}
