// The writes a PostgreSQL batch holds back to send as one statement: created rows, journal entries and, last, the chain's new head.
import type { SQL } from 'bun'
import { type EntryColumns, entryValues } from '../journal/canonical'
import type { ResourceType } from '../scim/schema/types'
import type { ResourceRow } from '../store/rows'
import { translatePgConstraintError, sqlState } from './errors'
import { type BatchState, DeferredWriteFailed } from './write-batches'

/** A resource row's columns as toRow (src/store/rows.ts) gives them; `data` is the document's JSON text. */
export type QueuedRow = ResourceRow

/** The columns of a held back row and of a journal entry, in their tables' names, with each parameter's type. */
const ROW_COLUMNS: readonly (readonly [string, string])[] = [
  ['id', 'text'],
  ['tenant', 'text'],
  ['type', 'text'],
  ['name_ci', 'text'],
  ['external_id', 'text'],
  // Sent as text (Bun SQL would encode a string given for a jsonb parameter as a JSON string).
  ['data', 'text::jsonb'],
  ['version', 'int'],
  ['created', 'text'],
  ['last_modified', 'text'],
]
/** The journal's columns (also what migrate-db copies, src/cli/migrate-db-tables.ts). */
export const ENTRY_COLUMNS = [
  ['seq', 'bigint'],
  ['tenant', 'text'],
  ['at', 'text'],
  ['actor', 'text'],
  ['request_id', 'text'],
  ['op', 'text'],
  ['resource_type', 'text'],
  ['resource_id', 'text'],
  ['version_before', 'integer'],
  ['version_after', 'integer'],
  ['changes', 'text'],
  ['compat', 'text'],
  ['cascade', 'integer'],
  ['prev_hash', 'text'],
  ['hash', 'text'],
] as const satisfies readonly (readonly [string, 'text' | 'bigint' | 'integer'])[]

/** The most rows, and the most entries, one statement carries (its parameters stay far below PostgreSQL's 65,535). */
const MOST_PER_STATEMENT = 256

/**
 * Rows and entries go as one parameter per column, in multi-row VALUES lists: each value reaches
 * its column through its type's input function alone (a document through jsonb's), where a JSON
 * array of records was parsed whole first, costing PostgreSQL ~6 µs of CPU more per journal entry.
 * A list is padded with rows of NULLs, filtered out, to the next power of two, so a connection
 * prepares at most a few dozen statement texts, whatever the batch sizes.
 */
const padded = (n: number): number => (n === 0 ? 0 : 2 ** Math.ceil(Math.log2(n)))

function valuesList(columns: readonly (readonly [string, string])[], rows: number, first: number): string {
  const list: string[] = []
  for (let r = 0; r < rows; r++) {
    const at = first + r * columns.length
    list.push(`(${columns.map(([, type], c) => `$${at + c}::${type}`).join(',')})`)
  }
  return list.join(',')
}

// An entry's `changes` and `compat` are canonical JSON text, sent as text parameters, so the
// hashed text arrives unchanged. Rows go in the order they were queued (their seq is the
// insertion order sorted pages and cursors use; an INSERT's rows are inserted in its list's
// order); a failing row or entry fails the whole statement, so nothing goes in halfway. The head
// is written once per transaction, by its last flush: each update of the head row leaves a
// version the next lookup of it in the same transaction steps over. So is the tenant's change
// token (resource_changes), when the transaction changed any of its resources.
function flushStatement(rows: number, entries: number): string {
  const names = (columns: readonly (readonly [string, string])[]) => columns.map(([name]) => name).join(', ')
  const fixed = 5
  const parts: string[] = []
  if (rows > 0)
    parts.push(`r AS (INSERT INTO resources (${names(ROW_COLUMNS)}) SELECT * FROM (VALUES ${valuesList(ROW_COLUMNS, rows, fixed + 1)})
      AS x(${names(ROW_COLUMNS)}) WHERE x.id IS NOT NULL)`)
  if (entries > 0)
    parts.push(
      `e AS (INSERT INTO journal (${names(ENTRY_COLUMNS)}) SELECT * FROM (VALUES ${valuesList(
        ENTRY_COLUMNS,
        entries,
        fixed + 1 + rows * ROW_COLUMNS.length
      )}) AS y(${names(ENTRY_COLUMNS)}) WHERE y.seq IS NOT NULL)`
    )
  parts.push(`c AS (INSERT INTO resource_changes (tenant, token) SELECT $4, $5 WHERE $5::text IS NOT NULL
    ON CONFLICT (tenant) DO UPDATE SET token = excluded.token)`)
  return `WITH ${parts.join(',\n  ')}
  INSERT INTO journal_chains (tenant, head_seq, head_hash) SELECT $1, $2, $3 WHERE $2::bigint IS NOT NULL
  ON CONFLICT (tenant) DO UPDATE SET head_seq = excluded.head_seq, head_hash = excluded.head_hash`
}

/** Each (padded rows, padded entries) pair's statement text, made once. */
const statements = new Map<string, string>()
function statementFor(rows: number, entries: number): string {
  const key = `${rows}/${entries}`
  let text = statements.get(key)
  if (text === undefined) statements.set(key, (text = flushStatement(rows, entries)))
  return text
}

/**
 * Held back writes past this many characters are sent at once: a batch of large documents then
 * goes in a few statements, each far from PostgreSQL's limits on one value (jsonb ~255 MB).
 */
const FULL_CHARS = 8 * 1024 * 1024

/** SQLSTATEs a batch's data can cause (22 data exception, 23 integrity constraint, 54000 a value over a limit). */
const DATA_FAULT = /^(2[23]|54000$)/

type Value = string | number | null

/**
 * Every statement costs CPU on both sides of the connection, so a batch's creates and journal
 * entries wait here and go in one statement: before any other statement of any of its jobs (so
 * each statement still sees every write made before it) and before COMMIT. A failure the data
 * caused is handed to the batch as DeferredWriteFailed, naming the job when the statement carried
 * one job's writes only; when it carried several, the batch runs again `direct`, where each job's
 * writes are also sent when the job ends, so a failure is the job's own.
 */
export class PgWriteQueue {
  private rows: Value[][] = []
  private types: ResourceType[] = []
  private entries: Value[][] = []
  private head: { tenant: string; seq: number; hash: string } | undefined
  /** The jobs (indexes in the batch) whose writes wait. */
  private jobs = new Set<number>()
  /** The length of the text of the rows and entries that wait (about). */
  private chars = 0

  constructor(
    private readonly tx: SQL,
    /** The batch's state: which job is running, and whether each job's writes go on their own. */
    private readonly batch: Pick<BatchState, 'job' | 'direct'>
  ) {}

  get direct(): boolean {
    return this.batch.direct
  }

  get pending(): boolean {
    return this.rows.length > 0 || this.entries.length > 0
  }

  /** Whether what waits is large enough to be sent now rather than with more. */
  get full(): boolean {
    return (
      this.chars > FULL_CHARS || this.rows.length >= MOST_PER_STATEMENT || this.entries.length >= MOST_PER_STATEMENT
    )
  }

  row(type: ResourceType, r: QueuedRow): void {
    this.jobs.add(this.batch.job)
    this.types.push(type)
    this.rows.push([r.id, r.tenant, r.type, r.nameCi, r.externalId, r.data, r.version, r.created, r.lastModified])
    this.chars += r.data.length
  }

  /** A journal entry's row, which becomes the chain's head at the last flush. */
  entry(c: EntryColumns, hash: string): void {
    this.jobs.add(this.batch.job)
    this.entries.push([...entryValues(c, hash)])
    this.chars += c.changes.length
    this.head = { tenant: c.tenant, seq: c.seq, hash }
  }

  /**
   * Sends what waits; `last` (before COMMIT) also writes the chain's head and, when the
   * transaction changed resources of `changed` (a tenant), a new change token for it.
   */
  async flush(last = false, changed?: string): Promise<void> {
    const head = last ? this.head : undefined
    const token = last && changed !== undefined ? crypto.randomUUID() : null
    if (!this.pending && !head && token === null) return
    const { rows, entries, types } = this
    const jobs = [...this.jobs]
    this.rows = []
    this.types = []
    this.entries = []
    this.jobs.clear()
    this.chars = 0
    const rowSlots = padded(rows.length)
    const entrySlots = padded(entries.length)
    const params: Value[] = [head?.tenant ?? null, head?.seq ?? null, head?.hash ?? null, changed ?? null, token]
    for (const row of rows) params.push(...row)
    for (let i = rows.length * ROW_COLUMNS.length; i < rowSlots * ROW_COLUMNS.length; i++) params.push(null)
    for (const entry of entries) params.push(...entry)
    for (let i = entries.length * ENTRY_COLUMNS.length; i < entrySlots * ENTRY_COLUMNS.length; i++) params.push(null)
    try {
      await this.tx.unsafe(statementFor(rowSlots, entrySlots), params)
    } catch (err) {
      if (!DATA_FAULT.test(sqlState(err) ?? '')) throw err
      const own = types.length > 0 ? translatePgConstraintError(err, types[0]!) : err
      throw new DeferredWriteFailed(own, jobs.length === 1 ? jobs[0] : undefined)
    }
  }
}
