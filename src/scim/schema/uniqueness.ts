// RFC 7643 §2.2 uniqueness: which declared attributes of a resource type must be unique, and their values in a document.
import { foldCase } from '../case-fold'
import { URN_USER } from '../constants'
import { isObject, valueIn, type Doc } from '../document'
import type { CompiledAttribute, ResourceType } from './types'

/** A scalar attribute (top-level or sub-attribute) whose values no two resources of a type may share. */
export interface UniqueAttribute {
  /** The attribute that holds the values (the sub-attribute for `keys.value`). */
  readonly attr: CompiledAttribute
  /** Filter path naming it (extensions under their URN): `urn:…:User:badge`, `emails.value`. */
  readonly path: string
}

/**
 * The core User `userName` is enforced by the store's unique index on the folded name (and `id`,
 * a common attribute, by the primary key); checking them here as well would be a second mechanism
 * for the same rule.
 */
function indexEnforced(type: ResourceType, attr: CompiledAttribute): boolean {
  return type.core.id === URN_USER && !attr.parent && attr.schema === URN_USER && attr.name === 'userName'
}

/**
 * Complex attributes have no value of their own to compare (their sub-attributes do), and
 * never-returned ones cannot be filtered on, so a lookup would have to bypass the filter rules.
 */
function checkable(attr: CompiledAttribute): boolean {
  return (
    (attr.uniqueness === 'server' || attr.uniqueness === 'global') &&
    attr.type !== 'complex' &&
    attr.returned !== 'never'
  )
}

function collect(type: ResourceType): UniqueAttribute[] {
  const out: UniqueAttribute[] = []
  const schemas = [type.core, ...[...type.extensions.values()].map((e) => e.schema)]
  for (const schema of schemas) {
    for (const attr of schema.attributes.values()) {
      const candidates = attr.type === 'complex' ? [...attr.sub.values()] : [attr]
      for (const c of candidates) {
        if (checkable(c) && !indexEnforced(type, c)) out.push({ attr: c, path: c.path })
      }
    }
  }
  return out
}

const cache = new WeakMap<ResourceType, readonly UniqueAttribute[]>()

/**
 * The attributes of `type` with uniqueness "server" or "global" that are checked on write: we have
 * one service provider, so "global" is enforced as "server", per resource type. Cached per type.
 */
export function uniqueAttributes(type: ResourceType): readonly UniqueAttribute[] {
  let hit = cache.get(type)
  if (!hit) {
    hit = collect(type)
    cache.set(type, hit)
  }
  return hit
}

function elements(value: unknown, attr: CompiledAttribute): unknown[] {
  if (value === undefined || value === null) return []
  return attr.multiValued && Array.isArray(value) ? value : [value]
}

function isScalar(v: unknown): v is string | number | boolean {
  return (typeof v === 'string' && v !== '') || typeof v === 'number' || typeof v === 'boolean'
}

/** The present values of `u` in a canonical document: every element of a multi-valued attribute. */
export function uniqueValues(u: UniqueAttribute, doc: Doc): (string | number | boolean)[] {
  const { attr } = u
  const top = attr.parent ?? attr
  const holder = top.inExtension ? valueIn(doc, top.schema) : doc
  let values = elements(valueIn(holder, top.name), top)
  if (attr.parent) values = values.flatMap((e) => (isObject(e) ? elements(valueIn(e, attr.name), attr) : []))
  return values.filter(isScalar)
}

/** Equal values give equal keys: caseExact:false strings compare folded (RFC 7643 §2.2 with §7 caseExact). */
export function uniqueKey(u: UniqueAttribute, value: string | number | boolean): string {
  return typeof value === 'string' && !u.attr.caseExact ? `s${foldCase(value)}` : JSON.stringify(value)
}
