// A tenant's journal entries after a position, from PostgreSQL: what src/journal/reader.ts after() reads from SQLite.
import type { SQL } from 'bun'
import { entryOf } from '../journal/canonical'
import type { EntryRow } from '../journal/reader'
import type { EntryPage, JournalEntry } from '../journal/types'
import { PG_ENTRY_COLUMNS } from './journal'

/**
 * The tenant's entries with seq > `afterSeq`, in seq order, at most `limit` (Infinity: all).
 * Under the tenant's append lock seq grows in commit order, so a reader that resumes after the
 * last seq it saw misses nothing a later commit adds.
 */
export async function pgJournalAfter(
  sql: SQL,
  tenant: string,
  afterSeq: number,
  limit: number
): Promise<JournalEntry[]> {
  const rows = Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : null
  const found = (await sql.unsafe(
    `SELECT ${PG_ENTRY_COLUMNS} FROM journal WHERE tenant = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [tenant, afterSeq, rows]
  )) as EntryRow[]
  return found.map((r) => entryOf({ ...r, seq: Number(r.seq) }))
}

/**
 * The first of pgJournalAfter's entries whose stored text fits in `maxBytes` together, and always
 * the first (JournalFeed.within). The cut is made in the statement: the page's sizes come from
 * octet_length, which reads a TOASTed value's length from its pointer without fetching it, a
 * running sum over them picks the rows, and only those are fetched and sent. `read` is how many
 * the page held before the cut, which tells a cut page from the journal's end.
 */
export async function pgJournalWithin(
  sql: SQL,
  tenant: string,
  afterSeq: number,
  limit: number,
  maxBytes: number
): Promise<EntryPage> {
  const rows = Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : null
  const found = (await sql.unsafe(
    // The CTEs name their columns apart from the journal's, which PG_ENTRY_COLUMNS names unqualified.
    `WITH page AS (
       SELECT seq AS s, octet_length(changes) + octet_length(compat) AS size
         FROM journal WHERE tenant = $1 AND seq > $2 ORDER BY seq LIMIT $3
     ), sized AS (
       SELECT s, size, sum(size) OVER (ORDER BY s) AS upto, row_number() OVER (ORDER BY s) AS n FROM page
     )
     SELECT ${PG_ENTRY_COLUMNS}, sized.size AS bytes, (SELECT count(*) FROM page) AS read
       FROM sized JOIN journal ON journal.tenant = $1 AND journal.seq = sized.s
      WHERE sized.upto <= $4 OR sized.n = 1
      ORDER BY sized.s`,
    [tenant, afterSeq, rows, maxBytes]
  )) as (EntryRow & { bytes: number | string; read: number | string })[]
  return {
    entries: found.map((r) => entryOf({ ...r, seq: Number(r.seq) })),
    bytes: found.map((r) => Number(r.bytes)),
    cut: found.length > 0 && found.length < Number(found[0]!.read),
  }
}

/** The seqs of the entries pgJournalAfter would return, from the (tenant, seq) index alone. */
export async function pgJournalSeqsAfter(sql: SQL, tenant: string, afterSeq: number, limit: number): Promise<number[]> {
  const rows = Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : null
  const found = (await sql.unsafe('SELECT seq FROM journal WHERE tenant = $1 AND seq > $2 ORDER BY seq LIMIT $3', [
    tenant,
    afterSeq,
    rows,
  ])) as { seq: string | number }[]
  return found.map((r) => Number(r.seq))
}

/** Entries read per query by pgEntriesSince: a million entries never sit in memory at once. */
const PAGE = 1000

/**
 * The entries of `tenant` (every tenant when undefined) whose time is `since` or later (all when
 * undefined), in seq order, a page at a time: what src/journal/query.ts entriesSince reads from SQLite.
 */
export async function* pgEntriesSince(sql: SQL, tenant?: string, since?: string): AsyncGenerator<JournalEntry> {
  let after = 0
  for (;;) {
    const rows = (await sql.unsafe(
      `SELECT ${PG_ENTRY_COLUMNS} FROM journal WHERE ($1::text IS NULL OR tenant = $1) AND ($2::text IS NULL OR at >= $2)
         AND seq > $3 ORDER BY seq LIMIT ${PAGE}`,
      [tenant ?? null, since ?? null, after]
    )) as EntryRow[]
    for (const r of rows) yield entryOf({ ...r, seq: Number(r.seq) })
    if (rows.length < PAGE) return
    after = Number(rows[rows.length - 1]!.seq)
  }
}
