// A multi-valued complex attribute once a write is final: elements naming no value dropped, one (type, value) held once.
import { deepEqual, isObject, type Doc } from '../document'
import { identityOf } from './element-identity'
import type { CompiledAttribute, ResourceType } from './types'

/**
 * Sub-attributes that only say which value an element is (RFC 7643 §2.4), never the value: an
 * element holding nothing else, such as `{"type": "work"}` once Entra cleared the work email
 * (`replace emails[type eq "work"].value ""`), names no email, phone or address, so an app reading
 * the directory would see an email without an address.
 */
const QUALIFIERS = new Set(['type', 'primary'])

/** Whether a complex element holds only qualifiers (an empty object included). */
export function isVacantElement(element: unknown): boolean {
  if (!isObject(element)) return false
  for (const key in element) if (!QUALIFIERS.has(key)) return false
  return true
}

interface Plan {
  core: CompiledAttribute[]
  extensions: { urn: string; attrs: CompiledAttribute[] }[]
}

// Schemas are fixed after start-up, so each resource type's attributes are picked once.
const plans = new WeakMap<ResourceType, Plan>()

const multiComplex = (attrs: Iterable<CompiledAttribute>) =>
  [...attrs].filter((a) => a.multiValued && a.type === 'complex' && a.mutability !== 'readOnly')

function planOf(type: ResourceType): Plan {
  let plan = plans.get(type)
  if (!plan) {
    plan = {
      core: multiComplex(type.core.attributes.values()),
      extensions: [...type.extensions.values()]
        .map(({ schema }) => ({ urn: schema.id, attrs: multiComplex(schema.attributes.values()) }))
        .filter((e) => e.attrs.length > 0),
    }
    plans.set(type, plan)
  }
  return plan
}

/**
 * Elements that are the same one (identityOf: the same type and value, as the schema compares
 * them) merged into the first, each later one's sub-attributes over it: RFC 7643 §2.4 says a
 * (type, value) pair SHOULD NOT come back twice, and PATCH add merges so already. A POST of `a@x`
 * and `A@X` as work emails, or a filtered write giving two elements one value, stored both.
 */
function mergeRepeated(attr: CompiledAttribute, list: unknown[]): unknown[] | undefined {
  const at = new Map<string, number>()
  let out: unknown[] | undefined
  list.forEach((e, i) => {
    const key = identityOf(attr, e)
    const first = at.get(key)
    if (first === undefined) {
      at.set(key, out ? out.length : i)
      out?.push(e)
      return
    }
    out ??= list.slice(0, i)
    const kept = out[first]
    if (isObject(kept) && isObject(e) && !deepEqual(kept, e)) out[first] = { ...kept, ...e }
  })
  return out
}

function settleIn(holder: Doc, attrs: readonly CompiledAttribute[]): boolean {
  let changed = false
  for (const attr of attrs) {
    const value = holder[attr.name]
    if (!Array.isArray(value)) continue
    let kept = value.some(isVacantElement) ? value.filter((e) => !isVacantElement(e)) : value
    kept = mergeRepeated(attr, kept) ?? kept
    if (kept === value) continue
    changed = true
    // An empty multi-valued attribute is unassigned (RFC 7643 §2.5): one representation, none.
    if (kept.length === 0) delete holder[attr.name]
    else holder[attr.name] = kept
  }
  return changed
}

/**
 * Drops vacant elements from `doc`'s multi-valued complex attributes and merges repeated ones, in
 * place, and drops an extension object left empty. Runs on a whole document once it is final: after coercing a POST or PUT
 * body, and after the last operation of a PATCH, never after each operation, since a PATCH may
 * send an element's `primary` before its `value` (or clear a value and set it again) and an
 * element dropped in between would lose its qualifiers. With `only` (core attribute names and
 * extension URNs, as checkRequired takes them), just those: a PATCH rewrites what it touched.
 * Returns whether it changed anything (the caller checks required attributes again).
 */
export function settleElements(type: ResourceType, doc: Doc, only?: ReadonlySet<string>): boolean {
  const plan = planOf(type)
  let changed = settleIn(doc, only ? plan.core.filter((a) => only.has(a.name)) : plan.core)
  for (const { urn, attrs } of plan.extensions) {
    if (only && !only.has(urn)) continue
    const ext = doc[urn]
    if (!isObject(ext) || !settleIn(ext, attrs)) continue
    changed = true
    if (Object.keys(ext).length === 0) delete doc[urn]
  }
  return changed
}
