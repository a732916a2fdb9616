// Attribute → storage table (house style §3.6): columns, group_members, derived values or the data document.
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import { URN_GROUP, URN_USER } from '../scim/constants'
import { COMMON_SCHEMA_ID } from '../scim/schema/registry'
import type { CompiledAttribute } from '../scim/schema/types'
import { resources } from './tables'

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
  return `substr(coalesce(json_extract(${alias}.data, '$.displayName'), json_extract(${alias}.data, '$.userName')), 1, ${MAX_DISPLAY_CHARACTERS})`
}

/**
 * A reference's `display` shows at most this many characters (code points) of the other resource's
 * name. It is derived and for display only (RFC 7643 §4.1.2, §4.2), and it is what bounds a group
 * as served: a group repeats the name of each of its members, which may each be up to the stored
 * document limit long. Filters and PATCH value filters read the same shortened text.
 */
export const MAX_DISPLAY_CHARACTERS = 256

/**
 * Where one SCIM attribute is kept, for filters and sorting: the one attribute → storage table
 * (house style §3.6). Values a client is shown are read the way rendering shows them: member
 * `display` through memberDisplaySql, meta.version as render.ts etagOf writes it (a user in
 * groups is served versionTag's `W/"<n>-<hash>"`, which a filter cannot know).
 */
export type Storage =
  /** A `resources` column; `folded`: it holds foldCase() text (name_ci). */
  | { kind: 'column'; column: SQLiteColumn; folded: boolean }
  /** meta.version: the integer `version` column, served as the weak ETag `W/"<n>"` (RFC 7644 §3.14). */
  | { kind: 'etag'; column: SQLiteColumn }
  /** A multi-valued attribute served from `group_members`. */
  | { kind: 'membership'; membership: Membership }
  /** `schemas`: the core schema, then every URN key of `data` holding an object (as render.ts lists them). */
  | { kind: 'schemas' }
  /** `meta` itself: every resource has one. */
  | { kind: 'always' }
  /** Rendered but not stored: meta.location depends on the request's base URL. */
  | { kind: 'unstored' }
  /** In the `data` document, at the attribute's canonical JSON path. */
  | { kind: 'document' }

/** Lookup key of an attribute: `<schema URN>:<dotted canonical path>`, lower-cased. */
function attrKey(attr: CompiledAttribute): string {
  const dotted = attr.parent ? `${attr.parent.name}.${attr.name}` : attr.name
  return `${attr.schema}:${dotted}`.toLowerCase()
}

const key = (schema: string, path: string): string => `${schema}:${path}`.toLowerCase()
const column = (c: SQLiteColumn, folded = false): Storage => ({ kind: 'column', column: c, folded })

const UNSTORED: Storage = { kind: 'unstored' }
const DOCUMENT: Storage = { kind: 'document' }

/** Attributes kept outside `data`. Keys: `attrKey`; a membership's entry covers its sub-attributes. */
const STORAGE: ReadonlyMap<string, Storage> = new Map([
  [key(COMMON_SCHEMA_ID, 'id'), column(resources.id)],
  [key(COMMON_SCHEMA_ID, 'externalId'), column(resources.externalId)],
  [key(COMMON_SCHEMA_ID, 'schemas'), { kind: 'schemas' }],
  [key(COMMON_SCHEMA_ID, 'meta'), { kind: 'always' }],
  [key(COMMON_SCHEMA_ID, 'meta.created'), column(resources.created)],
  [key(COMMON_SCHEMA_ID, 'meta.lastModified'), column(resources.lastModified)],
  [key(COMMON_SCHEMA_ID, 'meta.resourceType'), column(resources.type)],
  [key(COMMON_SCHEMA_ID, 'meta.version'), { kind: 'etag', column: resources.version }],
  [key(COMMON_SCHEMA_ID, 'meta.location'), UNSTORED],
  [key(URN_USER, 'userName'), column(resources.nameCi, true)],
  [key(URN_GROUP, 'displayName'), column(resources.nameCi, true)],
  [
    key(URN_GROUP, 'members'),
    {
      kind: 'membership',
      membership: { self: 'group_id', fields: { value: 'otherId', type: 'memberType', display: 'otherDisplay' } },
    },
  ],
  [
    key(URN_USER, 'groups'),
    {
      kind: 'membership',
      membership: {
        self: 'member_id',
        fields: { value: 'otherId', display: 'otherDisplay', type: { constant: 'direct' } },
      },
    },
  ],
])

/**
 * Where `attr` (optionally its sub-attribute `sub`) is kept. Common attributes (RFC 7643 §3.1)
 * are never in `data`: one without an entry is not stored; any other attribute not listed is.
 */
export function storageOf(attr: CompiledAttribute, sub?: CompiledAttribute): Storage {
  const own = STORAGE.get(attrKey(sub ?? attr))
  if (own) return own
  const whole = sub && STORAGE.get(attrKey(attr))
  if (whole?.kind === 'membership') return whole
  return attr.schema === COMMON_SCHEMA_ID ? UNSTORED : DOCUMENT
}
