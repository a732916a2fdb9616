// RFC 7644 §3.5.2 / §3.10: binds a PATCH path to a place in the stored document.
import { ScimError } from '../errors'
import type { FilterNode, PatchPath } from '../filter/ast'
import { isObject, type Doc } from '../document'
import { extensionDeclaring, isGroupMembers } from '../schema/coerce'
import type { CompiledAttribute, CompiledSchema, ResourceType } from '../schema/types'

/** Where a PATCH operation writes. */
export type Target =
  /** A path that is exactly an extension URN: the whole extension object (`schema` when declared). */
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

/** Existing key of `obj` equal to `key` ignoring case, else `key` (undeclared names keep their casing). */
export function keyIn(obj: unknown, key: string): string {
  if (!isObject(obj)) return key
  if (Object.hasOwn(obj, key)) return key
  return Object.keys(obj).find((k) => k.toLowerCase() === key.toLowerCase()) ?? key
}

function attrTarget(holderKey: string | undefined, attr: CompiledAttribute | undefined, name: string, pp: PatchPath, label: string): Target {
  const subName = pp.path.sub ?? pp.sub
  const t: AttrTarget = { kind: 'attr', key: attr?.name ?? name, label }
  if (holderKey !== undefined) t.holderKey = holderKey
  if (attr) t.attr = attr
  if (pp.filter) {
    // Undeclared attributes have no types to evaluate a filter against.
    if (!attr) throw ScimError.invalidPath(`'${label}' is not declared by any schema, so it cannot take a [filter]`)
    if (attr.type !== 'complex') throw ScimError.invalidPath(`'${attr.path}' is not complex, so it cannot take a [filter]`)
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
 * Resolves `pp` against `type`. Unqualified and core-URN-qualified names are core or common
 * attributes (entra-wire.md §2.2 Q12 reports `urn:…:core:2.0:User:role`); a declared extension URN
 * prefix selects that extension; anything else is undeclared and stored as sent (coerce.ts header).
 * An undeclared `urn:a:b:C` path with an object value (or one that already names a stored object)
 * is taken as a whole vendor extension object; otherwise as attribute `C` under key `urn:a:b`.
 */
export function resolveTarget(type: ResourceType, doc: Doc, pp: PatchPath, value: unknown, label: string): Target {
  const { uri, name } = pp.path
  if (uri === undefined) return coreTarget(type, pp, doc, label)
  const full = `${uri}:${name}`
  const subName = pp.path.sub ?? pp.sub
  const wholeExt = type.extensions.get(full.toLowerCase())
  if (wholeExt && subName === undefined && !pp.filter) {
    return { kind: 'extension', urnKey: wholeExt.schema.id, schema: wholeExt.schema, label }
  }
  const lowerUri = uri.toLowerCase()
  if (lowerUri === type.core.lowerId) return coreTarget(type, { ...pp, path: { name, ...(pp.path.sub ? { sub: pp.path.sub } : {}) } }, doc, label)
  const ext = type.extensions.get(lowerUri)
  if (ext) {
    const attr = ext.schema.attributes.get(name.toLowerCase())
    const key = attr ? attr.name : keyIn(doc[ext.schema.id], name)
    return attrTarget(ext.schema.id, attr, key, pp, label)
  }
  const existingWhole = keyIn(doc, full)
  if (subName === undefined && !pp.filter && (isObject(value) || isObject(doc[existingWhole]))) {
    return { kind: 'extension', urnKey: existingWhole, label }
  }
  const holderKey = keyIn(doc, uri)
  return attrTarget(holderKey, undefined, keyIn(doc[holderKey], name), pp, label)
}
