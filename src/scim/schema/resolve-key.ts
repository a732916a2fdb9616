// RFC 7643 §2.1, §3 / RFC 7644 §3.10, §3.5.2: what a body key or PATCH path names in a resource.
import { isObject, keyIn, type Doc } from '../document'
import { ScimError, quoted } from '../errors'
import type { FilterNode, PatchPath } from '../filter/ast'
import { parsePatchPath } from '../path/parse'
import { URN_GROUP } from '../constants'
import { extensionDeclaring } from './registry'
import type { CompiledAttribute, CompiledSchema, ResourceType } from './types'

/** Every core schema's id begins so (RFC 7643 §8.7.1): User, Group, and the discovery ones. */
const CORE_SCHEMA_PREFIX = 'urn:ietf:params:scim:schemas:core:2.0:'

/** What a key or path addresses. */
export type Target =
  /** Exactly the core schema URN: its value's keys are top-level attributes (RFC 7643 §3). */
  | { kind: 'core'; label: string }
  /** Exactly an extension URN: the whole extension object (`schema` when declared). */
  | { kind: 'extension'; urnKey: string; schema?: CompiledSchema; label: string }
  /** Group `members`, which live in their own table and never in the document. */
  | { kind: 'members'; attr: CompiledAttribute; filter?: FilterNode; sub?: string; label: string }
  | AttrTarget

/** An attribute (declared or not), optionally narrowed by a value filter and/or a sub-attribute. */
export interface AttrTarget {
  kind: 'attr'
  /** Key of the extension object holding the attribute; undefined for top-level attributes. */
  holderKey?: string
  /** Key inside the holder: canonical name when declared, the name as sent when not. */
  key: string
  attr?: CompiledAttribute
  filter?: FilterNode
  /** Sub-attribute name: canonical when declared, as sent when not. */
  sub?: string
  subAttr?: CompiledAttribute
  label: string
}

/** True when `type` is the Group resource type and `attr` its `members`. */
export function isGroupMembers(type: ResourceType, attr: CompiledAttribute): boolean {
  return type.core.id === URN_GROUP && attr.schema === URN_GROUP && attr.name === 'members' && !attr.parent
}

function attrTarget(
  holderKey: string | undefined,
  attr: CompiledAttribute | undefined,
  name: string,
  pp: PatchPath,
  label: string
): Target {
  const subName = pp.path.sub ?? pp.sub
  const t: AttrTarget = { kind: 'attr', key: attr?.name ?? name, label }
  if (holderKey !== undefined) t.holderKey = holderKey
  if (attr) t.attr = attr
  if (pp.filter) {
    // Undeclared attributes have no types to evaluate a filter against.
    if (!attr)
      throw ScimError.invalidPath(`${quoted(label)} is not declared by any schema, so it cannot take a [filter]`)
    if (attr.type !== 'complex')
      throw ScimError.invalidPath(`'${attr.path}' is not complex, so it cannot take a [filter]`)
    t.filter = pp.filter
  }
  if (subName !== undefined) {
    if (attr && attr.type !== 'complex') throw ScimError.invalidPath(`'${attr.path}' has no sub-attributes`)
    const subAttr = attr?.sub.get(subName.toLowerCase())
    t.sub = subAttr?.name ?? subName
    if (subAttr) t.subAttr = subAttr
  }
  return t
}

function coreTarget(type: ResourceType, pp: PatchPath, doc: Doc, label: string): Target {
  const name = pp.path.name
  const lower = name.toLowerCase()
  if (lower === 'schemas') throw ScimError.mutability(`'schemas' is derived from the resource and cannot be patched`)
  const attr = type.common.get(lower) ?? type.core.attributes.get(lower)
  if (attr && isGroupMembers(type, attr)) {
    const t: Target = { kind: 'members', attr, label }
    if (pp.filter) t.filter = pp.filter
    const sub = pp.path.sub ?? pp.sub
    if (sub !== undefined) t.sub = sub
    return t
  }
  if (!attr) {
    const ext = extensionDeclaring(type, name)
    if (ext) return attrTarget(ext.schema.id, ext.attr, ext.attr.name, pp, label)
  }
  return attrTarget(undefined, attr, attr ? attr.name : keyIn(doc, name), pp, label)
}

/**
 * Resolves a parsed path against `type` and the current document. Unqualified and
 * core-URN-qualified names are core or common attributes (entra-wire.md §2.2 Q12 reports
 * `urn:…:core:2.0:User:role`); the core URN alone is the resource itself; a declared extension URN
 * prefix selects that extension; anything else is undeclared and stored as sent (coerce.ts header).
 * An undeclared `urn:a:b:C` with an object value (or one that already names a stored object) is
 * taken as a whole vendor extension object; otherwise as attribute `C` under key `urn:a:b`.
 */
export function resolvePath(type: ResourceType, doc: Doc, pp: PatchPath, value: unknown, label: string): Target {
  const { uri, name } = pp.path
  if (uri === undefined) return coreTarget(type, pp, doc, label)
  const full = `${uri}:${name}`
  const subName = pp.path.sub ?? pp.sub
  const whole = subName === undefined && !pp.filter
  if (whole && full.toLowerCase() === type.core.lowerId) return { kind: 'core', label }
  const wholeExt = type.extensions.get(full.toLowerCase())
  if (wholeExt && whole) return { kind: 'extension', urnKey: wholeExt.schema.id, schema: wholeExt.schema, label }
  const lowerUri = uri.toLowerCase()
  if (lowerUri === type.core.lowerId)
    return coreTarget(type, { ...pp, path: { name, ...(pp.path.sub ? { sub: pp.path.sub } : {}) } }, doc, label)
  const ext = type.extensions.get(lowerUri)
  if (ext) {
    const attr = ext.schema.attributes.get(name.toLowerCase())
    const key = attr ? attr.name : keyIn(doc[ext.schema.id], name)
    return attrTarget(ext.schema.id, attr, key, pp, label)
  }
  // RFC 7643 §3: a resource holds its type's core schema and that type's extensions. Another core
  // schema (a Group's on a User) is none of them; stored as an undeclared extension, it was listed
  // in `schemas` and refused by every filter naming it.
  if (full.toLowerCase().startsWith(CORE_SCHEMA_PREFIX)) {
    const schema = lowerUri.startsWith(CORE_SCHEMA_PREFIX) ? uri : full
    throw ScimError.invalidPath(`${quoted(label)} names ${schema}, a core schema other than ${type.name}'s`)
  }
  const existingWhole = keyIn(doc, full)
  if (whole && (isObject(value) || isObject(doc[existingWhole])))
    return { kind: 'extension', urnKey: existingWhole, label }
  const holderKey = keyIn(doc, uri)
  return attrTarget(holderKey, undefined, keyIn(doc[holderKey], name), pp, label)
}

/**
 * Resolves a key of a request body (POST/PUT) or of a pathless PATCH value: a plain name, a dotted
 * `name.givenName` (Entra, entra-wire.md §2.1), a URN-qualified name, an extension or core URN, or a
 * value path `emails[type eq "work"].value`. Anything that is not an attribute path (RFC 7643 §2.1
 * ATTRNAME, RFC 7644 §3.10) is `invalidPath`, so no such key is ever stored.
 */
export function resolveKey(type: ResourceType, doc: Doc, key: string, value: unknown): Target {
  if (key.trim() !== key) throw ScimError.invalidPath(`${quoted(key)} is not a valid attribute name`)
  return resolvePath(type, doc, parsePatchPath(key), value, key)
}
