// The PostgreSQL store's reads by key (id, folded name, externalId; members, groups, activity) as fixed statements over Bun SQL.
import type { SQL } from 'bun'
import type { Doc } from '../scim/document'
import type { MemberRow, StoredResource } from '../service/context'
import { MAX_DISPLAY_CHARACTERS } from '../store/columns'

/**
 * A referenced resource's `display`, as src/store/columns.ts memberDisplaySql defines it for
 * SQLite: its displayName, else its userName, at most MAX_DISPLAY_CHARACTERS code points
 * (PostgreSQL's substr counts characters, as SQLite's does). `alias` is a constant, never input.
 */
export function displayPgSql(alias: string): string {
  return `substr(coalesce(${alias}.data ->> 'displayName', ${alias}.data ->> 'userName'), 1, ${MAX_DISPLAY_CHARACTERS})`
}

/**
 * A user's groups as an array of [id, display] pairs, read in the row's own statement (as
 * src/store/hot-statements.ts groupsColumn does). Ordered by group id, the order SQLite's
 * (member_id, group_id) index gives them. NULL for types other than User. An ARRAY of the
 * ordered rows, not jsonb_agg(… ORDER BY …): the ordered aggregate sets up a sort on every
 * execution, even for a user in no group (measured ~2.5 µs of PostgreSQL CPU per read).
 */
export function groupsPgColumn(type: string): string {
  if (type !== 'User') return 'NULL::jsonb[]'
  return `ARRAY(SELECT jsonb_build_array(m.group_id, ${displayPgSql('g')})
    FROM group_members m JOIN resources g ON g.id = m.group_id WHERE m.member_id = resources.id ORDER BY m.group_id)`
}

/** What rendering needs of a row (READ_COLUMNS of the SQLite store); `seq` stands for rowid. */
export const PG_READ_COLUMNS =
  'resources.seq, resources.id, resources.data, resources.version, resources.created, resources.last_modified AS "lastModified"'

export interface PgReadRow {
  seq: string
  id: string
  data: Doc
  version: number
  created: string
  lastModified: string
  groups: [string, string | null][] | null
}

type RefRow = { value: string; type: string; display: string | null }

function dropNullDisplay(r: RefRow): MemberRow {
  return r.display === null ? { value: r.value, type: r.type } : { value: r.value, type: r.type, display: r.display }
}

/** A row read with PG_READ_COLUMNS and groupsPgColumn(type), as a StoredResource. */
export function pgStored(type: string, row: PgReadRow): StoredResource {
  const { id, data, version, created, lastModified } = row
  if (row.groups === null) return { id, type, data, version, created, lastModified }
  const groupsRead = row.groups.map(([value, display]) => dropNullDisplay({ value, type: 'Group', display }))
  return { id, type, data, version, created, lastModified, groupsRead }
}

/** The select every by-key read shares; `lock` adds FOR UPDATE of the row (a write's read). */
export function selectOf(type: string, where: string, lock = false): string {
  return `SELECT ${PG_READ_COLUMNS}, ${groupsPgColumn(type)} AS groups FROM resources
    WHERE tenant = $1 AND type = $2 AND ${where}${lock ? ' FOR UPDATE OF resources' : ''}`
}

const GROUPS_OF = `SELECT m.group_id AS value, 'Group' AS type, ${displayPgSql('g')} AS display
  FROM group_members m JOIN resources g ON g.id = m.group_id WHERE m.member_id = $1 ORDER BY m.group_id`
const MEMBERS_OF = `SELECT m.member_id AS value, m.member_type AS type, ${displayPgSql('r')} AS display
  FROM group_members m JOIN resources r ON r.id = m.member_id WHERE m.group_id = $1 ORDER BY m.seq`
// The limit applies to group_members before the join that reads each display (member-page.ts).
const MEMBER_PAGE = `SELECT m.member_id AS value, m.member_type AS type, ${displayPgSql('r')} AS display
  FROM (SELECT member_id, member_type, seq FROM group_members WHERE group_id = $1 ORDER BY seq LIMIT $2) m
  JOIN resources r ON r.id = m.member_id ORDER BY m.seq`
const MEMBER_COUNT = 'SELECT count(*)::int AS n FROM group_members WHERE group_id = $1'

/** `seq` as PostgreSQL sends a bigint: digits, so the shorter is the smaller. */
function bySeq(a: PgReadRow, b: PgReadRow): number {
  return a.seq.length - b.seq.length || (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0)
}

/** PostgreSQL text cannot hold NUL (a query binding one fails): a key with NUL names no stored row. */
export function canNameRow(key: string): boolean {
  return !key.includes('\u0000')
}

/** The reads of one tenant, over `q`: the pooled client, or a write's transaction (which then sees its own changes). */
export function pgReads(tenant: string) {
  // No ORDER BY: over the one row most keys name, the sort node it adds is work for nothing
  // (~1.5 µs of PostgreSQL CPU per read); several matches are put in insertion order here.
  const byKey = async (q: SQL, type: string, column: string, value: string, lock = false) => {
    if (!canNameRow(value)) return []
    const rows = (await q.unsafe(selectOf(type, `${column} = $3`, lock), [tenant, type, value])) as PgReadRow[]
    if (rows.length > 1) rows.sort(bySeq)
    return rows.map((r) => pgStored(type, r))
  }
  return {
    byId: async (q: SQL, type: string, id: string, lock = false): Promise<StoredResource | undefined> =>
      (await byKey(q, type, 'id', id, lock))[0],
    byName: (q: SQL, type: string, nameKey: string) => byKey(q, type, 'name_ci', nameKey),
    byExternalId: (q: SQL, type: string, externalId: string) => byKey(q, type, 'external_id', externalId),
    groupsOf: async (q: SQL, memberId: string): Promise<MemberRow[]> =>
      ((await q.unsafe(GROUPS_OF, [memberId])) as RefRow[]).map(dropNullDisplay),
    members: async (q: SQL, groupId: string): Promise<MemberRow[]> =>
      ((await q.unsafe(MEMBERS_OF, [groupId])) as RefRow[]).map(dropNullDisplay),
    memberPage: async (q: SQL, groupId: string, limit: number): Promise<{ total: number; rows: MemberRow[] }> => {
      const [count, rows] = await Promise.all([
        q.unsafe(MEMBER_COUNT, [groupId]),
        q.unsafe(MEMBER_PAGE, [groupId, limit]),
      ])
      return { total: (count as { n: number }[])[0]?.n ?? 0, rows: (rows as RefRow[]).map(dropNullDisplay) }
    },
    /** Newest first along (tenant, type, last_modified); ties newest row first, as SQLite walks its index back. */
    recentlyModified: async (q: SQL, type: string, limit: number): Promise<StoredResource[]> => {
      const text = `${selectOf(type, 'true')} ORDER BY resources.last_modified DESC, resources.seq DESC LIMIT $3`
      return ((await q.unsafe(text, [tenant, type, limit])) as PgReadRow[]).map((r) => pgStored(type, r))
    },
    modifiedSince: async (q: SQL, type: string, since: string): Promise<number> => {
      const rows = await q.unsafe(
        'SELECT count(*)::int AS n FROM resources WHERE tenant = $1 AND type = $2 AND last_modified > $3',
        [tenant, type, since]
      )
      return (rows as { n: number }[])[0]?.n ?? 0
    },
  }
}

export type PgReads = ReturnType<typeof pgReads>
