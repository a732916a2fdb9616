// The per-request reads (by id, userName, externalId; a user's groups, a group's members) as raw bun:sqlite statements.
import type { Database, Statement } from 'bun:sqlite'
import type { MemberRow, StoredResource } from '../service/context'
import type { Doc } from '../scim/document'
import { parseDocument } from '../scim/document-text'
import { MAX_DISPLAY_CHARACTERS, memberDisplaySql } from './columns'

const DISPLAY_OF = memberDisplaySql

/** DISPLAY_OF in JavaScript: what other resources show of `data` as their references' display. */
export function displayOf(data: Doc): string | null {
  const name =
    typeof data.displayName === 'string' ? data.displayName : typeof data.userName === 'string' ? data.userName : null
  // SQLite's substr counts code points; so must this, or a name cut inside a surrogate pair differs.
  return name === null || name.length <= MAX_DISPLAY_CHARACTERS
    ? name
    : Array.from(name).slice(0, MAX_DISPLAY_CHARACTERS).join('')
}

/**
 * A user's groups as one JSON text, in the row's own statement: a second statement per read cost
 * ~7 µs at 1M users, the subquery ~0.2 µs when the user is in no group. Only users have a
 * `groups` attribute (RFC 7643 §4.1.2); for other types the column is NULL.
 */
export function groupsColumn(type: string): string {
  if (type !== 'User') return 'NULL'
  return `(SELECT json_group_array(json_array(m.group_id, ${DISPLAY_OF('g')}))
    FROM group_members m JOIN resources g ON g.id = m.group_id WHERE m.member_id = resources.id)`
}

/** What rendering needs of a row: the type is known, the promoted columns are copies of `data`. */
export const READ_COLUMNS =
  'resources.rowid AS rowid, resources.id AS id, resources.data AS data, resources.version AS version, resources.created AS created, resources.last_modified AS lastModified'

export interface ReadRow {
  rowid: number
  id: string
  data: string
  version: number
  created: string
  lastModified: string
  groups: string | null
}

/**
 * Matching rows as read. This, not parsed documents, is what the lookup cache keeps (packed into
 * one string, see packed-rows.ts).
 */
export type RawRows = readonly ReadRow[]

type RefRow = { value: string; type: string; display: string | null }

/** The lookup value first, the tenant second: `lookupSql`'s ?1 and ?2. */
type Lookup = Statement<ReadRow, [string, string]>

interface TypeStatements {
  byId: Lookup
  byName: Lookup
  byExternalId: Lookup
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

/**
 * The read of one row of `type` by `column` (?1) in tenant ?2. The tenant is a parameter, not a
 * literal: bun:sqlite hands out one prepared statement per SQL text, so every tenant's store runs
 * the same few statements. With the tenant written in, 50 tenants made 50 statements of each,
 * taken in turn, and a GET by id spread over 50 tenants cost 1.11–1.13× the CPU of one over a
 * tenant holding the same 500,000 users; 1.01–1.08× with one (the planner uses the same indexes:
 * tests/store/hot-statements.test.ts).
 */
export function lookupSql(type: string, column: 'id' | 'name_ci' | 'external_id'): string {
  return `SELECT ${READ_COLUMNS}, ${groupsColumn(type)} AS groups FROM resources WHERE tenant = ?2 AND type = ${sqlString(type)} AND ${column} = ?1`
}

/**
 * Why not Drizzle here: these run on every Entra read, and at a million users the mapping layer
 * cost as much as the lookup. Why the type is a literal and there is no ORDER BY: with the type
 * bound as a parameter SQLite rechecks the partial unique index (type = 'User') on every call,
 * and `ORDER BY rowid` adds a step even though the index already yields rowid order; measured at
 * 1M users, each roughly doubled the lookup (5.5 µs → 10 µs). Rows come back in rowid order
 * (index entries with equal keys are stored by rowid); several matches are re-sorted to be sure.
 */
export class HotStatements {
  private readonly perType = new Map<string, TypeStatements>()
  private readonly groupsOfMember: Statement<RefRow, [string]>
  private readonly membersOfGroup: Statement<RefRow, [string]>

  /** `tenant` is bound to every lookup (lookupSql says why it is not a literal as the type is). */
  constructor(
    private readonly sqlite: Database,
    private readonly tenant: string
  ) {
    // `= +?`, not `= ?`: SQLite (3.54 as Bun ships it) prepares a join whose WHERE compares an
    // indexed column with a bare parameter again on every execution after binding (~4.5 µs, most
    // of the read); the unary plus keeps the same plan (both lookups by index) without that.
    // A user's groups, read after every create/replace/patch of a user: 5.4 → 0.4 µs.
    this.groupsOfMember = sqlite.query(
      `SELECT m.group_id AS value, 'Group' AS type, ${DISPLAY_OF('g')} AS display
       FROM group_members m JOIN resources g ON g.id = m.group_id WHERE m.member_id = +?`
    )
    this.membersOfGroup = sqlite.query(
      `SELECT m.member_id AS value, m.member_type AS type, ${DISPLAY_OF('r')} AS display
       FROM group_members m JOIN resources r ON r.id = m.member_id WHERE m.group_id = +? ORDER BY m.rowid`
    )
  }

  private statements(type: string): TypeStatements {
    let s = this.perType.get(type)
    if (!s) {
      s = {
        byId: this.sqlite.query(lookupSql(type, 'id')),
        byName: this.sqlite.query(lookupSql(type, 'name_ci')),
        byExternalId: this.sqlite.query(lookupSql(type, 'external_id')),
      }
      this.perType.set(type, s)
    }
    return s
  }

  byId(type: string, id: string): StoredResource | undefined {
    const row = this.statements(type).byId.get(id, this.tenant)
    return row ? this.toStored(type, row) : undefined
  }

  /** The row of `id` as RawRows (none or one), for the lookup cache. */
  byIdRows(type: string, id: string): RawRows {
    const row = this.statements(type).byId.get(id, this.tenant)
    return row ? [row] : []
  }

  byName(type: string, nameKey: string): RawRows {
    return this.raw(this.statements(type).byName.all(nameKey, this.tenant))
  }

  byExternalId(type: string, externalId: string): RawRows {
    return this.raw(this.statements(type).byExternalId.all(externalId, this.tenant))
  }

  groupsOf(memberId: string): MemberRow[] {
    return this.groupsOfMember.all(memberId).map(dropNullDisplay)
  }

  members(groupId: string): MemberRow[] {
    return this.membersOfGroup.all(groupId).map(dropNullDisplay)
  }

  private raw(rows: ReadRow[]): RawRows {
    return inInsertionOrder(rows)
  }

  stored(type: string, raw: RawRows): StoredResource[] {
    return raw.map((row) => this.toStored(type, row))
  }

  toStored(type: string, row: ReadRow): StoredResource {
    return storedOf(type, row)
  }
}

/** Several rows one key names, sorted in place into insertion order (rowid; the PostgreSQL store's seq). */
export function inInsertionOrder(rows: ReadRow[]): ReadRow[] {
  if (rows.length > 1) rows.sort((a, b) => a.rowid - b.rowid)
  return rows
}

/** A row read with READ_COLUMNS and groupsColumn(type) (or the PostgreSQL store's cached form), as a StoredResource. */
export function storedOf(type: string, row: ReadRow): StoredResource {
  const data = parseDocument(row.data)
  const { id, version, created, lastModified } = row
  if (row.groups === null) return { id, type, data, version, created, lastModified }
  const pairs = row.groups === '[]' ? [] : (JSON.parse(row.groups) as [string, string | null][])
  const refs = pairs.map(([value, display]) => dropNullDisplay({ value, type: 'Group', display }))
  return { id, type, data, version, created, lastModified, groupsRead: refs }
}

function dropNullDisplay(r: RefRow): MemberRow {
  return r.display === null ? { value: r.value, type: r.type } : { value: r.value, type: r.type, display: r.display }
}
