// The PostgreSQL store's reads by key (id, folded name, externalId; members, groups, activity) as fixed statements over Bun SQL.
import type { SQL } from 'bun'
import { isStorableText } from '../scim/storable'
import type { MemberRow, StoredResource } from '../service/context'
import { MAX_DISPLAY_CHARACTERS } from '../store/columns'
import { inInsertionOrder, type ReadRow, storedOf } from '../store/hot-statements'

/**
 * A referenced resource's `display`, as src/store/columns.ts memberDisplaySql defines it for
 * SQLite: its displayName, else its userName, at most MAX_DISPLAY_CHARACTERS code points
 * (PostgreSQL's substr counts characters, as SQLite's does). `alias` is a constant, never input.
 */
export function displayPgSql(alias: string): string {
  return `substr(coalesce(${alias}.data ->> 'displayName', ${alias}.data ->> 'userName'), 1, ${MAX_DISPLAY_CHARACTERS})`
}

/**
 * A user's groups as the JSON text of [id, display] pairs, read in the row's own statement, the
 * form the SQLite store reads (src/store/hot-statements.ts groupsColumn), so both stores' rows
 * become StoredResources the same way (storedOf). Ordered by group id, the order SQLite's
 * (member_id, group_id) index gives them. NULL for types other than User. An ARRAY of the
 * ordered rows, not json_agg(… ORDER BY …): the ordered aggregate sets up a sort on every
 * execution, even for a user in no group (measured ~2.5 µs of PostgreSQL CPU per read).
 */
export function groupsPgColumn(type: string): string {
  if (type !== 'User') return 'NULL::text'
  return `array_to_json(ARRAY(SELECT json_build_array(m.group_id, ${displayPgSql('g')})
    FROM group_members m JOIN resources g ON g.id = m.group_id WHERE m.member_id = resources.id ORDER BY m.group_id))::text`
}

/**
 * What rendering needs of a row, as src/store/hot-statements.ts ReadRow: `seq` stands for rowid
 * (a float8 is exact far past any seq), the document as jsonb's text, parsed by storedOf, which
 * remembers it so that a whole view is written around it (src/service/view.ts).
 */
export const PG_READ_COLUMNS =
  'resources.seq::float8 AS rowid, resources.id, resources.data::text AS data, resources.version, resources.created, resources.last_modified AS "lastModified"'

type RefRow = { value: string; type: string; display: string | null }

function dropNullDisplay(r: RefRow): MemberRow {
  return r.display === null ? { value: r.value, type: r.type } : { value: r.value, type: r.type, display: r.display }
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

/**
 * PostgreSQL text cannot hold NUL or a lone surrogate (a query binding one fails, as jsonb text or
 * as text), and no write stores either (src/scim/storable.ts): such a key names no stored row.
 */
export function canNameRow(key: string): boolean {
  return isStorableText(key)
}

/** The reads of one tenant, over `q`: the pooled client, or a write's transaction (which then sees its own changes). */
export function pgReads(tenant: string) {
  // No ORDER BY: over the one row most keys name, the sort node it adds is work for nothing
  // (~1.5 µs of PostgreSQL CPU per read); several matches are put in insertion order here.
  const byKey = async (q: SQL, type: string, column: string, value: string, lock = false) => {
    if (!canNameRow(value)) return []
    const rows = (await q.unsafe(selectOf(type, `${column} = $3`, lock), [tenant, type, value])) as ReadRow[]
    return inInsertionOrder(rows).map((r) => storedOf(type, r))
  }
  return {
    /** A write's read of one row, locked FOR UPDATE when `lock`; the other reads by key are cached-reads.ts's. */
    byId: async (q: SQL, type: string, id: string, lock = false): Promise<StoredResource | undefined> =>
      (await byKey(q, type, 'id', id, lock))[0],
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
      return ((await q.unsafe(text, [tenant, type, limit])) as ReadRow[]).map((r) => storedOf(type, r))
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
