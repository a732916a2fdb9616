// Attribute → storage map (house style §3.6): which SCIM attributes live in columns or group_members, as data.
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import { URN_GROUP, URN_USER } from '../scim/constants'
import { COMMON_SCHEMA_ID } from '../scim/schema/registry'
import type { CompiledAttribute } from '../scim/schema/types'
import { resources } from './tables'

/** A SCIM attribute stored in a `resources` column instead of (or as well as) `data`. */
export interface PromotedColumn {
  column: SQLiteColumn
  /** The column holds the foldCase()d value: compare it with a foldCase()d parameter. */
  folded?: true
  /** The column holds the integer version; the attribute is its weak ETag `W/"<n>"` (RFC 7644 §3.14). */
  weakEtag?: true
}

/** Where a membership sub-attribute's value comes from, relative to one group_members row. */
export type MemberField =
  /** The id on the other side of the row (`members.value`, `groups.value`). */
  | 'otherId'
  /** `group_members.member_type` (`members.type`). */
  | 'memberType'
  /** The other resource's display, `memberDisplaySql` (`members.display`, `groups.display`). */
  | 'otherDisplay'
  /** A fixed value: every `groups` entry is `"direct"` (we do not flatten nested groups). */
  | { constant: string }

/** A multi-valued attribute served from `group_members` instead of `data`. */
export interface Membership {
  /** The group_members column that holds this resource's own id. */
  self: 'group_id' | 'member_id'
  /** Sub-attribute (lower-cased) → its source. A sub-attribute missing here cannot be filtered. */
  fields: Readonly<Record<string, MemberField>>
}

/**
 * A referenced resource's `display` (RFC 7643 §4.1.2, §4.2): its displayName, else its userName.
 * The one definition: rendering (hot-statements.ts), PATCH member selection (member-ops.ts) and
 * filters and sorting (filter-sql.ts) all read it, so a filter tests what a client is shown.
 * `alias` is the resources alias of the other side of a membership row (a constant, never input).
 */
export function memberDisplaySql(alias: string): string {
  return `coalesce(json_extract(${alias}.data, '$.displayName'), json_extract(${alias}.data, '$.userName'))`
}

/** Lookup key of an attribute: `<schema URN>:<dotted canonical path>`, lower-cased. */
export function attrKey(attr: CompiledAttribute): string {
  const dotted = attr.parent ? `${attr.parent.name}.${attr.name}` : attr.name
  return `${attr.schema}:${dotted}`.toLowerCase()
}

const key = (schema: string, path: string): string => `${schema}:${path}`.toLowerCase()

/** Attributes with a column of their own. Keys: `attrKey`. */
export const PROMOTED: ReadonlyMap<string, PromotedColumn> = new Map([
  [key(COMMON_SCHEMA_ID, 'id'), { column: resources.id }],
  [key(COMMON_SCHEMA_ID, 'externalId'), { column: resources.externalId }],
  [key(COMMON_SCHEMA_ID, 'meta.created'), { column: resources.created }],
  [key(COMMON_SCHEMA_ID, 'meta.lastModified'), { column: resources.lastModified }],
  [key(COMMON_SCHEMA_ID, 'meta.resourceType'), { column: resources.type }],
  [key(COMMON_SCHEMA_ID, 'meta.version'), { column: resources.version, weakEtag: true }],
  [key(URN_USER, 'userName'), { column: resources.nameCi, folded: true }],
  [key(URN_GROUP, 'displayName'), { column: resources.nameCi, folded: true }],
])

/** Attributes served from `group_members`. Keys: `attrKey` of the multi-valued attribute. */
export const MEMBERSHIPS: ReadonlyMap<string, Membership> = new Map([
  [
    key(URN_GROUP, 'members'),
    { self: 'group_id', fields: { value: 'otherId', type: 'memberType', display: 'otherDisplay' } },
  ],
  [
    key(URN_USER, 'groups'),
    { self: 'member_id', fields: { value: 'otherId', display: 'otherDisplay', type: { constant: 'direct' } } },
  ],
])

/**
 * Common attributes (RFC 7643 §3.1) are never in `data`: only those in PROMOTED can be filtered.
 * `meta.location` depends on the request's base URL, so it is not stored at all.
 */
export function isCommon(attr: CompiledAttribute): boolean {
  return attr.schema === COMMON_SCHEMA_ID
}
