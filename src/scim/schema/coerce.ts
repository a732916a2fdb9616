// RFC 7643 §2–§4 / RFC 7644 §3.3, §3.5.1: request bodies → canonical stored documents.
/**
 * Undeclared-attribute policy (quoted by the README):
 *
 * Attributes that NO loaded schema declares are stored and returned exactly as sent, under the
 * key as sent, and never fail a request. Examples: MediusFlow's `name.displayName` stays inside
 * `name` as `displayName`; an undeclared vendor extension object such as
 * `"urn:example:params:scim:schemas:extension:acme:2.0:User": {…}` is kept verbatim under that
 * key (and its URN is listed in `schemas`). Nothing about them is validated, canonicalised or
 * typed, and they are not filterable (a filter naming them is `invalidFilter`). A URN-qualified
 * key with a non-object value (`"urn:…:2.0:User:first_name": "x"`) is stored as attribute
 * `first_name` under the URN key, the same place a PATCH path of that text writes to.
 *
 * Declared attributes are canonicalised to schema casing and type-checked; a wrong type is
 * `invalidValue` naming the attribute path. readOnly input is ignored, never an error.
 */
import { isObject, type Doc } from '../document'
import { parseDateTime } from '../datetime'
import { ScimError } from '../errors'
import { URN_ENTERPRISE_USER, URN_GROUP } from '../constants'
import type { CompiledAttribute, CompiledSchema, ResourceType } from './types'

/** A stored resource document: canonical SCIM JSON without id, meta, schemas, members, groups. */

/** One Group member as stored in the membership table. */
export interface MemberRef {
  value: string
  type?: 'User' | 'Group'
}

export interface CoerceOptions {
  mode: 'create' | 'replace'
  /** The stored document, for `immutable` checks on replace. */
  existing?: Doc
}

export interface CoercedResource {
  doc: Doc
  /** Group members, when the body carried a `members` key (null/[] → []). */
  members?: MemberRef[]
  /** Core URN + URNs of the extension keys present in `doc`, declared or not. */
  schemas: string[]
}


/** Structural JSON equality (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  }
  if (!isObject(a) || !isObject(b)) return false
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (v === undefined) return 'nothing'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'object') return 'an object'
  return `${typeof v} ${JSON.stringify(v)}`
}

function wrongType(where: string, expected: string, v: unknown): ScimError {
  return ScimError.invalidValue(`attribute '${where}': expected ${expected}, got ${describe(v)}`)
}

function coerceScalar(attr: CompiledAttribute, v: unknown, where: string): unknown {
  switch (attr.type) {
    case 'boolean':
      if (typeof v === 'boolean') return v
      // Entra's default dialect sends "True"/"False" strings (entra-wire.md §1.7, §2.2 Q2).
      if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true'
      throw wrongType(where, 'a boolean', v)
    case 'integer':
      if (typeof v === 'number' && Number.isInteger(v)) return v
      throw wrongType(where, 'an integer', v)
    case 'decimal':
      if (typeof v === 'number' && Number.isFinite(v)) return v
      throw wrongType(where, 'a number', v)
    case 'dateTime':
      if (typeof v === 'string' && parseDateTime(v) !== undefined) return v
      throw wrongType(where, 'an xsd:dateTime string', v)
    case 'string':
    case 'reference':
    case 'binary':
      if (typeof v !== 'string') throw wrongType(where, 'a string', v)
      // An empty string is treated as unassigned (Microsoft's validator clears with "", §1.6).
      return v === '' ? undefined : v
    case 'complex':
      return coerceComplex(attr, v, where)
  }
}

/** Finds the declared sub-attribute for a key, case-insensitively. */
function subOf(attr: CompiledAttribute, key: string): CompiledAttribute | undefined {
  return attr.sub.get(key.toLowerCase())
}

function coerceComplex(attr: CompiledAttribute, v: unknown, where: string): unknown {
  // Entra sends the manager id as a bare string (entra-wire.md §1.8, §2.2 Q10).
  if (typeof v === 'string' && isManager(attr)) return v === '' ? undefined : { value: v }
  if (!isObject(v)) throw wrongType(where, 'an object', v)
  const out: Record<string, unknown> = {}
  for (const [key, raw] of Object.entries(v)) {
    const sub = subOf(attr, key)
    if (!sub) {
      // Undeclared sub-attribute (MediusFlow `name.displayName`): kept as sent, see file header.
      if (raw !== null) out[key] = raw
      continue
    }
    // readOnly sub-attributes (manager.displayName) are server-computed: ignore input.
    if (sub.mutability === 'readOnly' || raw === null) continue
    const c = sub.multiValued ? coerceMulti(sub, raw, `${where}.${sub.name}`) : coerceScalar(sub, raw, `${where}.${sub.name}`)
    if (c !== undefined) out[sub.name] = c
  }
  // `{"value": ""}` clears the manager (entra-wire.md §1.8): a value-less reference is unassigned.
  if (isManager(attr) && out.value === undefined) return undefined
  return Object.keys(out).length === 0 ? undefined : out
}

function isManager(attr: CompiledAttribute): boolean {
  return attr.name === 'manager' && attr.schema === URN_ENTERPRISE_USER && !attr.parent
}

function coerceMulti(attr: CompiledAttribute, v: unknown, where: string): unknown[] | undefined {
  // Lenient: a single value for a multi-valued attribute is wrapped.
  const list = Array.isArray(v) ? v : [v]
  const out: unknown[] = []
  list.forEach((item, i) => {
    if (item === null) return
    const c = coerceScalar(attr, item, `${where}[${i}]`)
    if (c !== undefined) out.push(c)
  })
  if (attr.type === 'complex') assertOnePrimary(out, where)
  return out.length === 0 ? undefined : out
}

/** RFC 7643 §2.4: at most one element of a multi-valued attribute may be `primary: true`. */
export function assertOnePrimary(elements: readonly unknown[], where: string): void {
  const primaries = elements.filter((e) => isObject(e) && e.primary === true).length
  if (primaries > 1) throw ScimError.invalidValue(`attribute '${where}': more than one element has primary true`)
}

/**
 * Coerces one value for a declared attribute to its canonical stored form. Returns undefined
 * when the value means "unassigned" (null, "", [], {}, or an object whose sub-attributes are all
 * null). Throws `invalidValue` naming `where` on a type mismatch.
 * @example coerceValue(activeAttr, 'False', 'active') // false
 */
export function coerceValue(attr: CompiledAttribute, value: unknown, where: string): unknown {
  if (value === null || value === undefined) return undefined
  if (attr.multiValued) return coerceMulti(attr, value, where)
  // The doc's manager form is a one-element array (entra-wire.md §1.8 "Example 5").
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined
    if (value.length > 1) throw wrongType(where, 'a single value', value)
    return coerceValue(attr, value[0], where)
  }
  return coerceScalar(attr, value, where)
}

/**
 * Coerces one element of a multi-valued attribute (or the value of a single-valued one):
 * undefined when it is empty. Used by PATCH for `attr[filter]` element writes.
 */
export function coerceElement(attr: CompiledAttribute, value: unknown, where: string): unknown {
  if (value === null || value === undefined) return undefined
  return coerceScalar(attr, value, where)
}

/** Coerces an extension object: declared attributes canonicalised, undeclared kept as sent. */
export function coerceExtension(schema: CompiledSchema, value: unknown, where: string): Doc | undefined {
  if (value === null) return undefined
  if (!isObject(value)) throw wrongType(where, 'an object', value)
  const out: Doc = {}
  for (const [key, raw] of Object.entries(value)) {
    const attr = schema.attributes.get(key.toLowerCase())
    if (!attr) {
      if (raw !== null) out[key] = raw
      continue
    }
    if (attr.mutability === 'readOnly') continue
    const c = coerceValue(attr, raw, `${schema.id}:${attr.name}`)
    if (c !== undefined) out[attr.name] = c
  }
  return Object.keys(out).length === 0 ? undefined : out
}

/** Coerces Group `members` input into member references (RFC 7643 §4.2). */
export function coerceMembers(value: unknown, where = 'members'): MemberRef[] {
  if (value === null || value === undefined) return []
  const list = Array.isArray(value) ? value : [value]
  const out = new Map<string, MemberRef>()
  list.forEach((item, i) => {
    if (item === null) return
    if (!isObject(item)) throw wrongType(`${where}[${i}]`, 'an object', item)
    const key = Object.keys(item).find((k) => k.toLowerCase() === 'value')
    const id = key === undefined ? undefined : item[key]
    if (typeof id !== 'string' || id === '') throw wrongType(`${where}[${i}].value`, 'a non-empty string', id)
    const ref: MemberRef = { value: id }
    const typeKey = Object.keys(item).find((k) => k.toLowerCase() === 'type')
    const t = typeKey === undefined ? undefined : item[typeKey]
    if (typeof t === 'string' && /^(user|group)$/i.test(t)) ref.type = t.toLowerCase() === 'user' ? 'User' : 'Group'
    else if (t !== undefined && t !== null) throw wrongType(`${where}[${i}].type`, '"User" or "Group"', t)
    out.set(id, ref)
  })
  return [...out.values()]
}

/** True when `type` is the Group resource type and `attr` its `members`. */
export function isGroupMembers(type: ResourceType, attr: CompiledAttribute): boolean {
  return type.core.id === URN_GROUP && attr.schema === URN_GROUP && attr.name === 'members' && !attr.parent
}

/** Which declared extension a top-level key names: the exact URN, or `urn:…:attr`. */
function extensionForKey(type: ResourceType, key: string): { schema: CompiledSchema; attrName?: string } | undefined {
  const lower = key.toLowerCase()
  const exact = type.extensions.get(lower)
  if (exact) return { schema: exact.schema }
  const colon = lower.lastIndexOf(':')
  if (colon < 0) return undefined
  const ext = type.extensions.get(lower.slice(0, colon))
  return ext ? { schema: ext.schema, attrName: key.slice(colon + 1) } : undefined
}

/**
 * The one declared extension attribute an unqualified name can mean, when no core or common
 * attribute has that name: Entra's docs write `"path":"manager"` and POST top-level `department`
 * and `manager` (entra-wire.md §1.3 Example 2, §1.8 Example 5). Ambiguous names resolve to nothing.
 */
export function extensionDeclaring(type: ResourceType, name: string): { schema: CompiledSchema; attr: CompiledAttribute } | undefined {
  const lower = name.toLowerCase()
  if (type.common.has(lower) || type.core.attributes.has(lower)) return undefined
  const hits = [...type.extensions.values()].flatMap(({ schema }) => {
    const attr = schema.attributes.get(lower)
    return attr ? [{ schema, attr }] : []
  })
  return hits.length === 1 ? hits[0] : undefined
}

function keyIgnoringCase(obj: Doc, key: string): string {
  return Object.keys(obj).find((k) => k.toLowerCase() === key.toLowerCase()) ?? key
}

/** Core URN + every URN-named key of the document (declared extensions or not). */
export function schemasOf(type: ResourceType, doc: Doc): string[] {
  return [type.core.id, ...Object.keys(doc).filter((k) => /^urn:/i.test(k) && isObject(doc[k]))]
}

class Builder {
  readonly doc: Doc = {}
  members?: MemberRef[]

  constructor(readonly type: ResourceType) {}

  put(key: string, value: unknown): void {
    if (value !== undefined) this.doc[key] = value
  }

  putIn(urnKey: string, attr: string, value: unknown): void {
    if (value === undefined) return
    const k = keyIgnoringCase(this.doc, urnKey)
    const holder = isObject(this.doc[k]) ? (this.doc[k] as Doc) : {}
    holder[attr] = value
    this.doc[k] = holder
  }

  add(key: string, raw: unknown): void {
    const lower = key.toLowerCase()
    if (lower === 'schemas') return // computed from the document (legacy MS group URN dropped, §1.11)
    const attr = this.type.common.get(lower) ?? this.type.core.attributes.get(lower)
    if (attr) return this.addDeclared(attr, raw)
    const ext = extensionForKey(this.type, key)
    if (ext && ext.attrName === undefined) {
      const c = coerceExtension(ext.schema, raw, ext.schema.id)
      const prev = this.doc[ext.schema.id]
      this.put(ext.schema.id, c && isObject(prev) ? { ...prev, ...c } : c ?? prev)
      return
    }
    if (ext && ext.attrName !== undefined) {
      const a = ext.schema.attributes.get(ext.attrName.toLowerCase())
      if (a?.mutability === 'readOnly') return
      const c = a ? coerceValue(a, raw, `${ext.schema.id}:${a.name}`) : raw === null ? undefined : raw
      return this.putIn(ext.schema.id, a?.name ?? ext.attrName, c)
    }
    const alias = extensionDeclaring(this.type, key)
    if (alias) {
      if (alias.attr.mutability === 'readOnly') return
      return this.putIn(alias.schema.id, alias.attr.name, coerceValue(alias.attr, raw, alias.attr.path))
    }
    if (raw === null) return
    // Undeclared: verbatim; a URN-qualified scalar goes under its URN key (file header).
    const colon = key.lastIndexOf(':')
    if (/^urn:/i.test(key) && !isObject(raw) && colon > 0) return this.putIn(key.slice(0, colon), key.slice(colon + 1), raw)
    this.doc[key] = raw
  }

  private addDeclared(attr: CompiledAttribute, raw: unknown): void {
    if (isGroupMembers(this.type, attr)) {
      this.members = coerceMembers(raw)
      return
    }
    if (attr.mutability === 'readOnly') return // id, meta, groups: ignored (RFC 7643 §2.2)
    this.put(attr.name, coerceValue(attr, raw, attr.path))
  }
}

function checkRequired(type: ResourceType, doc: Doc): void {
  for (const attr of type.core.attributes.values()) {
    if (attr.required && attr.mutability !== 'readOnly' && doc[attr.name] === undefined) {
      if (isGroupMembers(type, attr)) continue
      throw ScimError.invalidValue(`attribute '${attr.path}' is required`)
    }
  }
  for (const [, { schema, required }] of type.extensions) {
    const ext = doc[schema.id]
    if (required && !isObject(ext)) throw ScimError.invalidValue(`extension '${schema.id}' is required`)
    if (!isObject(ext)) continue
    for (const attr of schema.attributes.values()) {
      if (attr.required && attr.mutability !== 'readOnly' && ext[attr.name] === undefined) {
        throw ScimError.invalidValue(`attribute '${attr.path}' is required`)
      }
    }
  }
}

/** Immutable attributes may be set once; afterwards a different value is `mutability`. */
function checkImmutable(type: ResourceType, doc: Doc, existing: Doc): void {
  const visit = (attrs: Iterable<CompiledAttribute>, next: Doc, prev: Doc): void => {
    for (const attr of attrs) {
      if (attr.mutability !== 'immutable' || prev[attr.name] === undefined) continue
      if (next[attr.name] === undefined) next[attr.name] = prev[attr.name] // omitted: keep the stored value
      else if (!deepEqual(next[attr.name], prev[attr.name])) {
        throw ScimError.mutability(`attribute '${attr.path}' is immutable and already has a value`)
      }
    }
  }
  visit([...type.common.values(), ...type.core.attributes.values()], doc, existing)
  for (const [, { schema }] of type.extensions) {
    const prev = existing[schema.id]
    if (!isObject(prev)) continue
    const next = isObject(doc[schema.id]) ? (doc[schema.id] as Doc) : {}
    visit(schema.attributes.values(), next, prev)
    if (Object.keys(next).length > 0) doc[schema.id] = next
  }
}

/**
 * Turns a POST/PUT body into a stored document (RFC 7644 §3.3, §3.5.1). Names are
 * canonicalised, readOnly input ignored, types checked, `required` enforced, and on replace
 * `immutable` values compared with `existing`. Group `members` are returned separately.
 * @example coerceResource(userType, { userName: 'bjensen', active: 'True' }, { mode: 'create' })
 */
export function coerceResource(type: ResourceType, body: unknown, opts: CoerceOptions): CoercedResource {
  if (!isObject(body)) throw ScimError.invalidSyntax('request body must be a JSON object')
  const b = new Builder(type)
  for (const [key, raw] of Object.entries(body)) b.add(key, raw)
  checkRequired(type, b.doc)
  if (opts.mode === 'replace' && opts.existing) checkImmutable(type, b.doc, opts.existing)
  const result: CoercedResource = { doc: b.doc, schemas: schemasOf(type, b.doc) }
  if (b.members !== undefined) result.members = b.members
  return result
}
