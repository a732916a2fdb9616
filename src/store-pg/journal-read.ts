// A tenant's journal entries after a position, from PostgreSQL: what src/journal/reader.ts after() reads from SQLite.
import type { SQL } from 'bun'
import { entryOf } from '../journal/canonical'
import type { EntryRow } from '../journal/reader'
import type { JournalEntry } from '../journal/types'
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
