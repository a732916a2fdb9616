// Copies the SQLite tables into PostgreSQL in multi-row batches, and counts both sides' rows per tenant and table.
import type { Database } from 'bun:sqlite'
import type { SQL } from 'bun'
import { COPIED_TABLES, type CopiedTable, countSql, pgInsert, SKIPPED_TABLES, sqliteSelect } from './migrate-db-tables'

/** Rows per INSERT: a few thousand rows cost one round trip and one statement. */
export const BATCH_ROWS = 2000

/**
 * Characters of batch text after which a batch is sent early, whatever its row count: documents
 * may be up to --max-document-bytes each, and a batch is held in memory twice (text and parsed).
 */
const BATCH_CHARS = 8_000_000

/** A table's rows failed to go in; the message names the table and PostgreSQL's reason. */
export class CopyError extends Error {}

/** Rows per table per tenant ('' for server-wide tables such as settings and admins). */
export type Counts = Map<string, Map<string, number>>

function add(counts: Counts, tenant: string, table: string, n: number): void {
  let tables = counts.get(tenant)
  if (!tables) counts.set(tenant, (tables = new Map()))
  tables.set(table, (tables.get(table) ?? 0) + n)
}

/** The source's rows per tenant and table, for every copied table and every skipped one. */
export function sourceCounts(source: Database): Counts {
  const counts: Counts = new Map()
  for (const t of [...COPIED_TABLES, ...Object.keys(SKIPPED_TABLES).map((name) => ({ name }))])
    for (const r of source.query<{ tenant: string; n: number }, []>(countSql(t)).all())
      if (r.n > 0) add(counts, r.tenant, t.name, r.n)
  return counts
}

/** The target's rows per tenant and table, read through `sql` (the copying transaction sees its own rows). */
export async function targetCounts(sql: SQL): Promise<Counts> {
  const counts: Counts = new Map()
  for (const t of COPIED_TABLES)
    for (const r of (await sql.unsafe(countSql(t))) as { tenant: string; n: string | number }[])
      if (Number(r.n) > 0) add(counts, r.tenant, t.name, Number(r.n))
  return counts
}

/** Rows of every copied table, for the progress line's total. */
export function totalRows(counts: Counts): number {
  let n = 0
  for (const tables of counts.values()) for (const [table, rows] of tables) if (!(table in SKIPPED_TABLES)) n += rows
  return n
}

/**
 * Copies table `t` from `source` into the transaction `tx`, in rowid order, `BATCH_ROWS` rows
 * (or BATCH_CHARS of text) per statement; `copied(n)` hears of each batch. Returns the rows copied.
 */
export async function copyTable(
  source: Database,
  tx: SQL,
  t: CopiedTable,
  copied: (rows: number) => void
): Promise<number> {
  const page = source.query<unknown[], [number, number]>(sqliteSelect(t))
  const insert = pgInsert(t)
  let batch: string[] = []
  let chars = 0
  let total = 0
  const send = async () => {
    if (batch.length === 0) return
    try {
      await tx.unsafe(insert, [`[${batch.join(',')}]`])
    } catch (err) {
      throw new CopyError(`copying ${t.name} failed near row ${total + 1}: ${(err as Error).message}`)
    }
    total += batch.length
    copied(batch.length)
    batch = []
    chars = 0
  }
  let after = 0
  for (;;) {
    const rows = page.values(after, BATCH_ROWS) as unknown[][]
    for (const row of rows) {
      const text = JSON.stringify(row)
      batch.push(text)
      chars += text.length
      if (batch.length >= BATCH_ROWS || chars >= BATCH_CHARS) await send()
    }
    if (rows.length < BATCH_ROWS) break
    after = Number(rows[rows.length - 1]![0])
  }
  await send()
  return total
}
