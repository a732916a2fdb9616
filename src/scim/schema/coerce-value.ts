// RFC 7643 §2.3–§2.5: one value for a declared attribute → its canonical stored form, or a typed error.
import { parseDateTime } from '../datetime'
import { deepEqual, isObject, keyIn, valueIn, type Doc } from '../document'
import { ScimError, quoted } from '../errors'
import { parseAttrPath } from '../filter/attr-path'
import { URN_ENTERPRISE_USER } from '../constants'
import type { CompatSink } from '../compat/rules'
import type { CompiledAttribute, CompiledSchema } from './types'

/** One Group member as stored in the membership table. */
export interface MemberRef {
  value: string
  type?: 'User' | 'Group'
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (v === undefined) return 'nothing'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'object') return 'an object'
  // String(): JSON.stringify would show Infinity as null.
  return typeof v === 'string' ? `string ${quoted(v)}` : `${typeof v} ${String(v)}`
}

export function wrongType(where: string, expected: string, v: unknown): ScimError {
  return ScimError.invalidValue(`attribute '${where}': expected ${expected}, got ${describe(v)}`)
}

/** RFC 7643 §2.1 ATTRNAME: an undeclared key is stored as sent only when it is a valid name. */
export function assertAttrName(key: string, where: string): void {
  const p = parseAttrPath(key)
  if (!p || p.uri !== undefined || p.sub !== undefined)
    throw ScimError.invalidPath(`${quoted(key)} in '${where}' is not a valid attribute name`)
}

function coerceScalar(attr: CompiledAttribute, v: unknown, where: string, fired?: CompatSink): unknown {
  switch (attr.type) {
    case 'boolean':
      if (typeof v === 'boolean') return v
      // Entra's default dialect sends "True"/"False" strings (entra-wire.md §1.7, §2.2 Q2).
      if (typeof v === 'string' && /^(true|false)$/i.test(v)) {
        fired?.('bool-string')
        return v.toLowerCase() === 'true'
      }
      throw wrongType(where, 'a boolean', v)
    case 'integer':
      // Past 2^53 - 1 a JSON number no longer holds every whole number: 9007199254740993 arrives
      // as 9007199254740992, so storing it would keep another number than the client sent.
      if (typeof v === 'number' && Number.isSafeInteger(v)) return v
      throw wrongType(where, 'an integer between -9007199254740991 and 9007199254740991', v)
    case 'decimal':
      // Infinity (JSON's 1e400) is refused where every stored number is checked (src/scim/storable.ts).
      if (typeof v === 'number') return v
      throw wrongType(where, 'a number', v)
    case 'dateTime':
      if (typeof v === 'string' && parseDateTime(v) !== undefined) return v
      throw wrongType(where, 'an xsd:dateTime string', v)
    case 'string':
    case 'reference':
    case 'binary': {
      if (typeof v !== 'string') throw wrongType(where, 'a string', v)
      // An empty string is treated as unassigned (Microsoft's validator clears with "", §1.6).
      const kept = emptyIsUnassigned(v, fired)
      if (attr.type === 'binary' && kept !== undefined && !isBase64(kept))
        throw wrongType(where, 'base64 (RFC 7643 §2.3.6)', v)
      return kept
    }
    case 'complex':
      return coerceComplex(attr, v, where, fired)
  }
}

// RFC 4648 §4 base64, or §5 base64url (an attribute may call for it), one alphabet at a time. One
// character class and no nested repetition: a 1 MB value is read once, never backtracked over.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/

/**
 * Whether `v` is base64 text: padding optional but, when given, to a whole quantum; line breaks
 * and spaces (a PEM body pasted as it is) are allowed between characters.
 */
function isBase64(v: string): boolean {
  const text = /\s/.test(v) ? v.replace(/\s+/g, '') : v
  if (!BASE64.test(text) && !BASE64URL.test(text)) return false
  const padded = text.endsWith('=')
  return padded ? text.length % 4 === 0 : text.length % 4 !== 1
}

/** `""` means unassigned, a leniency (RFC 7643 §2.5 names only null and []). */
function emptyIsUnassigned(v: string, fired?: CompatSink): string | undefined {
  if (v !== '') return v
  fired?.('empty-string')
  return undefined
}

/**
 * RFC 7643 §2.1: attribute names are case-insensitive, so two keys of one object (`userName` and
 * `USERNAME`, `name.givenName` beside `name`) can name one attribute. The last one won silently;
 * now a later key may repeat or add to what an earlier one set, never change it.
 */
export function givenTwice(where: string): ScimError {
  return ScimError.invalidSyntax(`'${where}' is given more than once in the request, with different values`)
}

/** Whether `next` holds everything `prev` does: equal, or an object with each of prev's members kept. */
export function keepsAll(prev: unknown, next: unknown): boolean {
  if (isObject(prev) && isObject(next)) return Object.entries(prev).every(([k, v]) => keepsAll(v, next[k]))
  return deepEqual(prev, next)
}

/** out[name] = value, unless an earlier key of the same object gave that attribute another value. */
function setOnce(out: Doc, name: string, value: unknown, where: string): void {
  if (out[name] !== undefined && !deepEqual(out[name], value)) throw givenTwice(where)
  out[name] = value
}

function coerceComplex(attr: CompiledAttribute, v: unknown, where: string, fired?: CompatSink): unknown {
  // Entra sends the manager id as a bare string (entra-wire.md §1.8, §2.2 Q10).
  if (typeof v === 'string' && isManager(attr)) {
    fired?.('manager-string')
    const id = emptyIsUnassigned(v, fired)
    return id === undefined ? undefined : { value: id }
  }
  if (!isObject(v)) throw wrongType(where, 'an object', v)
  const out: Record<string, unknown> = {}
  for (const [key, raw] of Object.entries(v)) {
    const sub = attr.sub.get(key.toLowerCase())
    if (!sub) {
      // Undeclared sub-attribute (MediusFlow `name.displayName`): kept as sent, see coerce.ts header.
      assertAttrName(key, where)
      keepUndeclared(out, key, raw, fired)
      continue
    }
    // readOnly sub-attributes (manager.displayName) are server-computed: ignore input.
    if (sub.mutability === 'readOnly' || raw === null) continue
    const c = sub.multiValued
      ? coerceMulti(sub, raw, `${where}.${sub.name}`, fired)
      : coerceScalar(sub, raw, `${where}.${sub.name}`, fired)
    if (c !== undefined) setOnce(out, sub.name, c, `${where}.${sub.name}`)
  }
  return isUnassignedComplex(attr, out) ? undefined : out
}

/**
 * RFC 7643 §2.5: null and an empty multi-valued attribute both mean unassigned, for an undeclared
 * attribute as for a declared one. Not storing them keeps what is stored what a GET shows, so a
 * PUT of that GET changes nothing.
 */
export function isUnassigned(raw: unknown): boolean {
  return raw === null || (Array.isArray(raw) && raw.length === 0)
}

/** Stores a value no schema declares as sent (rule `undeclared-attribute`), unless it is unassigned. */
export function keepUndeclared(out: Doc, key: string, raw: unknown, fired?: CompatSink): void {
  if (isUnassigned(raw)) return
  // Under the first spelling sent: `foo` and `FOO` are one attribute (keyIn finds either).
  setOnce(out, keyIn(out, key), raw, key)
  fired?.('undeclared-attribute')
}

/**
 * Whether a complex value with these sub-attributes means "unassigned": none left, or the manager
 * without `value` (`{"value": ""}` clears the manager, entra-wire.md §1.8).
 */
export function isUnassignedComplex(attr: CompiledAttribute, value: Doc): boolean {
  return Object.keys(value).length === 0 || (isManager(attr) && value.value === undefined)
}

function isManager(attr: CompiledAttribute): boolean {
  return attr.name === 'manager' && attr.schema === URN_ENTERPRISE_USER && !attr.parent
}

function coerceMulti(attr: CompiledAttribute, v: unknown, where: string, fired?: CompatSink): unknown[] | undefined {
  // Lenient: a single value for a multi-valued attribute is wrapped.
  const list = asList(v, fired)
  const out: unknown[] = []
  list.forEach((item, i) => {
    if (item === null) return
    const c = coerceScalar(attr, item, `${where}[${i}]`, fired)
    if (c !== undefined) out.push(c)
  })
  if (attr.type === 'complex') assertOnePrimary(out, where)
  return out.length === 0 ? undefined : out
}

/** The elements of a multi-valued input; a lone value is one element (rule `single-as-multi`). */
function asList(v: unknown, fired?: CompatSink): readonly unknown[] {
  if (Array.isArray(v)) return v
  fired?.('single-as-multi')
  return [v]
}

/** RFC 7643 §2.4: at most one element of a multi-valued attribute may be `primary: true`. */
export function assertOnePrimary(elements: readonly unknown[], where: string): void {
  const primaries = elements.filter((e) => isObject(e) && e.primary === true).length
  if (primaries > 1) throw ScimError.invalidValue(`attribute '${where}': more than one element has primary true`)
}

/**
 * Coerces one value for a declared attribute to its canonical stored form. Returns undefined
 * when the value means "unassigned" (null, "", [], {}, or an object whose sub-attributes are all
 * null). Throws `invalidValue` naming `where` on a type mismatch. Each leniency applied is told
 * to `fired` (src/scim/compat/rules.ts).
 * @example coerceValue(activeAttr, 'False', 'active') // false, fires 'bool-string'
 */
export function coerceValue(attr: CompiledAttribute, value: unknown, where: string, fired?: CompatSink): unknown {
  if (value === null || value === undefined) return undefined
  if (attr.multiValued) return coerceMulti(attr, value, where, fired)
  // The doc's manager form is a one-element array (entra-wire.md §1.8 "Example 5").
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined
    if (value.length > 1) throw wrongType(where, 'a single value', value)
    fired?.('array-as-single')
    return coerceValue(attr, value[0], where, fired)
  }
  return coerceScalar(attr, value, where, fired)
}

/**
 * Coerces one element of a multi-valued attribute (or the value of a single-valued one):
 * undefined when it is empty. Used by PATCH for `attr[filter]` element writes.
 */
export function coerceElement(attr: CompiledAttribute, value: unknown, where: string, fired?: CompatSink): unknown {
  if (value === null || value === undefined) return undefined
  return coerceScalar(attr, value, where, fired)
}

/** Coerces an extension object: declared attributes canonicalised, undeclared kept as sent. */
export function coerceExtension(
  schema: CompiledSchema,
  value: unknown,
  where: string,
  fired?: CompatSink
): Doc | undefined {
  if (value === null) return undefined
  if (!isObject(value)) throw wrongType(where, 'an object', value)
  const out: Doc = {}
  for (const [key, raw] of Object.entries(value)) {
    const attr = schema.attributes.get(key.toLowerCase())
    if (!attr) {
      assertAttrName(key, where)
      keepUndeclared(out, key, raw, fired)
      continue
    }
    if (attr.mutability === 'readOnly') continue
    const c = coerceValue(attr, raw, `${schema.id}:${attr.name}`, fired)
    if (c !== undefined) setOnce(out, attr.name, c, `${schema.id}:${attr.name}`)
  }
  return Object.keys(out).length === 0 ? undefined : out
}

/** Coerces Group `members` input into member references (RFC 7643 §4.2). */
export function coerceMembers(value: unknown, fired?: CompatSink, where = 'members'): MemberRef[] {
  if (value === null || value === undefined) return []
  const list = asList(value, fired)
  const out = new Map<string, MemberRef>()
  list.forEach((item, i) => {
    if (item === null) return
    if (!isObject(item)) throw wrongType(`${where}[${i}]`, 'an object', item)
    const id = valueIn(item, 'value')
    if (typeof id !== 'string' || id === '') throw wrongType(`${where}[${i}].value`, 'a non-empty string', id)
    const ref: MemberRef = { value: id }
    const t = valueIn(item, 'type')
    if (typeof t === 'string' && /^(user|group)$/i.test(t)) ref.type = t.toLowerCase() === 'user' ? 'User' : 'Group'
    else if (t !== undefined && t !== null) throw wrongType(`${where}[${i}].type`, '"User" or "Group"', t)
    out.set(id, ref)
  })
  return [...out.values()]
}
