// RFC 7643 §2–§4 / RFC 7644 §3.3, §3.5.1: POST/PUT bodies → canonical stored documents.
/**
 * Undeclared-attribute policy (quoted by the README):
 *
 * Attributes that NO loaded schema declares are stored and returned exactly as sent, under the
 * key as sent, and never fail a request whose keys are attribute names. Examples: MediusFlow's `name.displayName` stays inside
 * `name` as `displayName`; an undeclared vendor extension object such as
 * `"urn:example:params:scim:schemas:extension:acme:2.0:User": {…}` is kept verbatim under that
 * key (and its URN is listed in `schemas`). Nothing about them is validated, canonicalised or
 * typed, and they are not filterable (a filter naming them is `invalidFilter`). A URN-qualified
 * key with a non-object value (`"urn:…:2.0:User:first_name": "x"`) is stored as attribute
 * `first_name` under the URN key, the same place a PATCH path of that text writes to; when that
 * URN key is itself no attribute path (`urn:x` of `urn:x:y`), the write is `invalidPath`
 * (src/scim/storable.ts), since nothing could name it again.
 *
 * Declared attributes are canonicalised to schema casing and type-checked; a wrong type is
 * `invalidValue` naming the attribute path. readOnly input is ignored, never an error. A key that
 * is not an attribute name or path (RFC 7643 §2.1 ATTRNAME), or is a value path, is `invalidPath`,
 * at the top level and in objects one level down (extensions, complex values): no key containing
 * `[` or a space is stored there. Deeper inside an undeclared value, the JSON is kept as sent.
 * A top-level or sub-attribute `null` or `[]` means unassigned (RFC 7643 §2.5) and is never stored,
 * in an extension object too: what is stored is what a GET shows.
 */
import { reportKey } from '../compat/keys'
import type { CompatSink } from '../compat/rules'
import { reportSchemas } from '../compat/schemas'
import { deepEqual, isObject, KeyedBuild, keyIn, type Doc } from '../document'
import { ScimError, quoted } from '../errors'
import {
  assertAttrName,
  coerceExtension,
  coerceMembers,
  coerceValue,
  givenTwice,
  isUnassigned,
  keepsAll,
  wrongType,
  type MemberRef,
} from './coerce-value'
import { settleElements } from './settle-elements'
import { checkRequired } from './required'
import { resolveKey, type AttrTarget, type Target } from './resolve-key'
import type { CompiledAttribute, ResourceType } from './types'

export type { MemberRef } from './coerce-value'

export interface CoerceOptions {
  mode: 'create' | 'replace'
  /** The stored document, for `immutable` checks on replace. */
  existing?: Doc
  /** Told each IdP compatibility rule the body needed (src/scim/compat/rules.ts). */
  compat?: CompatSink
}

export interface CoercedResource {
  doc: Doc
  /** Group members, when the body carried a `members` key (null/[] → []). */
  members?: MemberRef[]
  /** Core URN + URNs of the extension keys present in `doc`, declared or not, each once. */
  schemas: string[]
}

/** Core URN + every URN-named object key of the document (declared extensions or not), each once. */
export function schemasOf(type: ResourceType, doc: Doc): string[] {
  const out = [type.core.id]
  const seen = new Set([type.core.lowerId])
  for (const key of Object.keys(doc)) {
    const lower = key.toLowerCase()
    if (!lower.startsWith('urn:') || !isObject(doc[key]) || seen.has(lower)) continue
    seen.add(lower)
    out.push(key)
  }
  return out
}

/** An undeclared extension object, kept as sent apart from unassigned (null, []) attributes. */
function verbatimObject(raw: unknown, where: string): Doc | undefined {
  if (raw === null) return undefined
  if (!isObject(raw)) throw wrongType(where, 'an object', raw)
  const out: Doc = {}
  for (const [k, v] of Object.entries(raw)) {
    assertAttrName(k, where)
    if (!isUnassigned(v)) out[k] = v
  }
  return Object.keys(out).length === 0 ? undefined : out
}

/** Builds the stored document key by key; each key means what resolveKey says, as in PATCH. */
class Builder {
  /** Indexes the document's keys (and its dotted-key holders') while it is built: see KeyedBuild. */
  readonly keys = new KeyedBuild()
  readonly doc: Doc = this.keys.track({})
  members?: MemberRef[]
  /** The `schemas` the body sent, for the compatibility report only. */
  sentSchemas?: unknown

  constructor(
    readonly type: ResourceType,
    readonly fired?: CompatSink
  ) {}

  add(key: string, raw: unknown): void {
    // Computed from the document (the legacy MS group URN is dropped, entra-wire.md §1.11).
    if (key.toLowerCase() === 'schemas') {
      this.sentSchemas = raw
      return
    }
    const t = resolveKey(this.type, this.doc, key, raw)
    reportKey(key, t, raw, this.fired)
    this.addTarget(t, raw)
  }

  private addTarget(t: Target, raw: unknown): void {
    switch (t.kind) {
      case 'core':
        // `{"urn:…:core:2.0:User": {"userName": …}}`: the attributes of the resource itself.
        if (raw === null) return
        if (!isObject(raw)) throw wrongType(t.label, 'an object', raw)
        for (const [k, v] of Object.entries(raw)) this.add(k, v)
        return
      case 'members':
        if (t.filter || t.sub !== undefined)
          throw ScimError.invalidPath(`${quoted(t.label)} is a path; a body names whole attributes`)
        this.members = coerceMembers(raw, this.fired)
        return
      case 'extension': {
        const next = t.schema ? coerceExtension(t.schema, raw, t.schema.id, this.fired) : verbatimObject(raw, t.urnKey)
        const prev = this.doc[t.urnKey]
        if (next === undefined) return
        const merged = isObject(prev) ? { ...prev, ...next } : next
        if (prev !== undefined && !keepsAll(prev, merged)) throw givenTwice(t.urnKey)
        this.keys.set(this.doc, t.urnKey, merged)
        return
      }
      case 'attr':
        return this.addAttr(t, raw)
    }
  }

  private addAttr(t: AttrTarget, raw: unknown): void {
    if (t.filter)
      throw ScimError.invalidPath(`${quoted(t.label)} is a value path; a body names attributes, not elements`)
    // id, meta, groups, manager.displayName: server-set, ignored (RFC 7643 §2.2).
    if (t.attr?.mutability === 'readOnly' || t.subAttr?.mutability === 'readOnly') return
    const stored = t.holderKey === undefined ? this.doc : this.doc[t.holderKey]
    // The document starts empty: what it holds at this key, an earlier key of the body set.
    const prev = isObject(stored) ? stored[t.key] : undefined
    const value = this.valueFor(t, prev, raw)
    if (value === undefined) return
    if (prev !== undefined && !keepsAll(prev, value)) throw givenTwice(t.attr?.path ?? t.label)
    if (t.holderKey === undefined) this.keys.set(this.doc, t.key, value)
    // A holder this build made is its own to change in place: a copy per key was quadratic too.
    else if (this.keys.tracks(stored)) this.keys.set(stored, t.key, value)
    else this.keys.set(this.doc, t.holderKey, this.keys.track({ ...(isObject(stored) ? stored : {}), [t.key]: value }))
  }

  /** The attribute's value after this key: a dotted key or a complex object merges with `prev`. */
  private valueFor(t: AttrTarget, prev: unknown, raw: unknown): unknown {
    const attr: CompiledAttribute | undefined = t.attr
    if (t.sub === undefined) {
      if (!attr) {
        if (isUnassigned(raw)) return prev
        // As a declared complex value: two keys of one undeclared object add to it.
        return isObject(prev) && isObject(raw) ? { ...prev, ...raw } : raw
      }
      const next = coerceValue(attr, raw, attr.path, this.fired)
      if (next === undefined) return prev
      return attr.type === 'complex' && !attr.multiValued && isObject(prev) && isObject(next)
        ? { ...prev, ...next }
        : next
    }
    if (attr?.multiValued)
      throw ScimError.invalidPath(`${quoted(t.label)}: '${attr.path}' is multi-valued; send its elements instead`)
    if (isUnassigned(raw)) return prev
    const merged = { ...(isObject(prev) ? prev : {}), [keyIn(prev, t.sub)]: raw }
    return attr ? (coerceValue(attr, merged, attr.path, this.fired) ?? prev) : merged
  }
}

/** Immutable attributes may be set once; afterwards a different value is `mutability`. */
function checkImmutable(type: ResourceType, doc: Doc, existing: Doc): void {
  const visit = (attrs: Iterable<CompiledAttribute>, next: Doc, prev: Doc): void => {
    for (const attr of attrs) {
      if (attr.mutability !== 'immutable' || prev[attr.name] === undefined) continue
      if (next[attr.name] === undefined)
        next[attr.name] = prev[attr.name] // omitted: keep the stored value
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
  const b = new Builder(type, opts.compat)
  try {
    for (const [key, raw] of Object.entries(body)) b.add(key, raw)
  } finally {
    b.keys.done()
  }
  settleElements(type, b.doc)
  checkRequired(type, b.doc)
  if (opts.mode === 'replace' && opts.existing) checkImmutable(type, b.doc, opts.existing)
  const result: CoercedResource = { doc: b.doc, schemas: schemasOf(type, b.doc) }
  reportSchemas(b.sentSchemas, result.schemas, opts.compat)
  if (b.members !== undefined) result.members = b.members
  return result
}
