// The tables `migrate-db` copies from SQLite to PostgreSQL, in foreign-key order, with each column's PostgreSQL type.
import { ENTRY_COLUMNS } from '../store-pg/write-queue'

/** How a column's value is read back from the batch's JSON text into its PostgreSQL column. */
type PgType = 'text' | 'bigint' | 'integer' | 'jsonb'

export interface CopiedTable {
  name: string
  /** The columns both stores share (src/store/tables.ts and src/store-pg/tables.ts), in SELECT order. */
  columns: readonly (readonly [string, PgType])[]
  /**
   * The PostgreSQL identity that stands in for SQLite's rowid (insertion order: members are
   * served in it, pages tie-break on it, cursors resume from it). The rowid itself goes there, so
   * the order is SQLite's exactly; the identity's sequence is moved past it afterwards.
   */
  rowidAs?: string
  /** Rows the PostgreSQL migrations made themselves (the default tenant) take the source's values. */
  onConflict?: string
  /** Where a row's tenant is, for counts per tenant (the same SQL in both dialects); none: server-wide. */
  tenantOf?: { from: string; tenant: string }
}

const byTenant = (table: string) => ({ from: table, tenant: 'tenant' })

/**
 * Every table that carries state, parents before children. Console sessions (admin_sessions) are
 * not copied: a session is a sign-in on one server, and signing in again costs an admin nothing.
 */
export const COPIED_TABLES: readonly CopiedTable[] = [
  {
    name: 'tenants',
    columns: [
      ['name', 'text'],
      ['packs', 'text'],
      ['schemas', 'text'],
      ['settings', 'text'],
      ['created', 'text'],
    ],
    onConflict:
      'ON CONFLICT (name) DO UPDATE SET packs = excluded.packs, schemas = excluded.schemas, settings = excluded.settings, created = excluded.created',
    tenantOf: { from: 'tenants', tenant: 'name' },
  },
  {
    name: 'settings',
    columns: [
      ['key', 'text'],
      ['value', 'text'],
    ],
  },
  {
    name: 'admins',
    columns: [
      ['name', 'text'],
      ['password_hash', 'text'],
      ['created', 'text'],
    ],
  },
  {
    name: 'admin_links',
    columns: [
      ['hash', 'text'],
      ['admin', 'text'],
      ['created', 'text'],
      ['expires', 'text'],
    ],
  },
  {
    name: 'resources',
    // `data` is the canonical JSON text SQLite keeps; the PostgreSQL store writes the same text as jsonb.
    columns: [
      ['id', 'text'],
      ['tenant', 'text'],
      ['type', 'text'],
      ['name_ci', 'text'],
      ['external_id', 'text'],
      ['data', 'jsonb'],
      ['version', 'integer'],
      ['created', 'text'],
      ['last_modified', 'text'],
    ],
    rowidAs: 'seq',
    tenantOf: byTenant('resources'),
  },
  {
    name: 'group_members',
    columns: [
      ['group_id', 'text'],
      ['member_id', 'text'],
      ['member_type', 'text'],
    ],
    rowidAs: 'seq',
    tenantOf: {
      from: 'group_members JOIN resources ON resources.id = group_members.group_id',
      tenant: 'resources.tenant',
    },
  },
  {
    name: 'tokens',
    // Hashes as stored: a token issued on SQLite signs in on PostgreSQL.
    columns: [
      ['id', 'text'],
      ['tenant', 'text'],
      ['label', 'text'],
      ['scope', 'text'],
      ['hash', 'text'],
      ['created', 'text'],
      ['expires', 'text'],
      ['last_used', 'text'],
    ],
    tenantOf: byTenant('tokens'),
  },
  {
    name: 'event_keys',
    columns: [
      ['kid', 'text'],
      ['tenant', 'text'],
      ['private_jwk', 'text'],
      ['created', 'text'],
    ],
    tenantOf: byTenant('event_keys'),
  },
  {
    name: 'event_streams',
    columns: [
      ['tenant', 'text'],
      ['stream', 'text'],
      ['acked_seq', 'bigint'],
    ],
    tenantOf: byTenant('event_streams'),
  },
  {
    name: 'event_acks',
    columns: [
      ['tenant', 'text'],
      ['stream', 'text'],
      ['seq', 'bigint'],
    ],
    tenantOf: byTenant('event_acks'),
  },
  {
    name: 'journal',
    // seq is kept: each entry's hash covers it, and event positions (acked_seq) point at it.
    columns: ENTRY_COLUMNS,
    tenantOf: byTenant('journal'),
  },
  {
    name: 'journal_chains',
    columns: [
      ['tenant', 'text'],
      ['head_seq', 'bigint'],
      ['head_hash', 'text'],
      ['checkpoint_seq', 'bigint'],
      ['checkpoint_hash', 'text'],
    ],
    tenantOf: byTenant('journal_chains'),
  },
]

/** Tables whose rows are not copied, and why (the summary says so). */
export const SKIPPED_TABLES: Readonly<Record<string, string>> = {
  admin_sessions: 'console sessions are not copied: admins sign in to the console again',
}

/** Every table of the schema that holds state, copied or not: what "the target holds no data" looks at. */
export const STATE_TABLES: readonly string[] = [...COPIED_TABLES.map((t) => t.name), ...Object.keys(SKIPPED_TABLES)]

/**
 * Run once every row is in: sequences moved past the copied numbers, so the PostgreSQL store's
 * next row or journal entry gets a number after them (setval ignores NULL: an empty table leaves
 * its sequence alone), and the tables analysed.
 */
export const AFTER_COPY = [
  "SELECT setval(pg_get_serial_sequence('resources', 'seq'), (SELECT max(seq) FROM resources))",
  "SELECT setval(pg_get_serial_sequence('group_members', 'seq'), (SELECT max(seq) FROM group_members))",
  "SELECT setval('journal_seq', (SELECT max(seq) FROM journal))",
  // Statistics for the planner, taken in the copy's transaction: without them it plans the
  // verification's paged walk of the journal (and the first requests) as if the tables were
  // empty. Measured at 200,000 entries: that walk took 3.3 to 4.9 s without, 1.1 s after an
  // ANALYZE of 0.7 s.
  `ANALYZE ${COPIED_TABLES.map((t) => t.name).join(', ')}`,
]

/** The SQLite page read: `limit` rows after rowid `after`, the rowid first. */
export function sqliteSelect(t: CopiedTable): string {
  return `SELECT rowid, ${t.columns.map(([c]) => `"${c}"`).join(', ')} FROM "${t.name}" WHERE rowid > ? ORDER BY rowid LIMIT ?`
}

/**
 * The PostgreSQL insert of one batch: $1 is a JSON array of rows, each an array of the rowid and
 * the columns' values, unpacked server-side so thousands of rows cost one statement and one
 * parameter. Text comes out of the JSON as it went in; `data` is parsed as jsonb from its text,
 * as the PostgreSQL store's own insert does (`$6::text::jsonb`).
 */
export function pgInsert(t: CopiedTable): string {
  const names = [...(t.rowidAs ? [t.rowidAs] : []), ...t.columns.map(([c]) => c)]
  const values = [
    ...(t.rowidAs ? ['(r ->> 0)::bigint'] : []),
    ...t.columns.map(([, type], i) => {
      const v = `(r ->> ${i + 1})`
      return type === 'text' ? v : `${v}::${type}`
    }),
  ]
  const overriding = t.rowidAs ? ' OVERRIDING SYSTEM VALUE' : ''
  return `INSERT INTO ${t.name} (${names.join(', ')})${overriding}
    SELECT ${values.join(', ')} FROM jsonb_array_elements($1::text::jsonb) AS r ${t.onConflict ?? ''}`
}

/** Rows per tenant of `t` (server-wide tables under ''), in SQL both dialects run. */
export function countSql(t: CopiedTable | { name: string; tenantOf?: undefined }): string {
  if (!t.tenantOf) return `SELECT '' AS tenant, count(*) AS n FROM ${t.name}`
  return `SELECT ${t.tenantOf.tenant} AS tenant, count(*) AS n FROM ${t.tenantOf.from} GROUP BY ${t.tenantOf.tenant}`
}
