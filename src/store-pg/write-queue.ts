// The writes a PostgreSQL batch holds back to send as one statement: created rows, journal entries and, last, the chain's new head.
import type { SQL } from 'bun'
import type { EntryColumns } from '../journal/canonical'
import type { ResourceType } from '../scim/schema/types'
import type { ResourceRow } from '../store/rows'
import { translatePgConstraintError, sqlState } from './errors'
import { type BatchState, DeferredWriteFailed } from './write-batches'

/** A resource row's columns as toRow (src/store/rows.ts) gives them; `data` is the document's JSON text. */
export type QueuedRow = ResourceRow

const j = JSON.stringify

// Rows and entries travel as one JSON array each: one statement, three parameters, whatever the
// batch holds. An entry's `changes` and `compat` are canonical JSON text, spliced in as values
// rather than as strings: json (not jsonb) gives a value to a text column as its exact text, so
// the hashed text arrives unchanged and neither side escapes or unescapes it (a create's holds
// the whole document). Rows go in the order they were queued (their seq is the insertion order sorted
// pages and cursors use); a failing row or entry fails the whole statement, so nothing goes in
// halfway. The head is written once per transaction, by its last flush: each update of the head
// row leaves a version the next lookup of it in the same transaction steps over. So is the
// tenant's change token (resource_changes), when the transaction changed any of its resources.
const FLUSH = `WITH r AS (INSERT INTO resources (id, tenant, type, name_ci, external_id, data, version, created, last_modified)
    SELECT x.id, x.tenant, x.type, x.name_ci, x.external_id, x.data, x.version, x.created, x.last_modified
    FROM ROWS FROM (jsonb_to_recordset($1::text::jsonb) AS (id text, tenant text, type text, name_ci text,
      external_id text, data jsonb, version int, created text, last_modified text)) WITH ORDINALITY
      AS x(id, tenant, type, name_ci, external_id, data, version, created, last_modified, n) ORDER BY x.n),
  e AS (INSERT INTO journal (seq, tenant, at, actor, request_id, op, resource_type, resource_id, version_before,
      version_after, changes, compat, cascade, prev_hash, hash)
    SELECT * FROM json_to_recordset($2::text::json) AS y(seq bigint, tenant text, at text, actor text, request_id text,
      op text, resource_type text, resource_id text, version_before int, version_after int, changes text, compat text,
      cascade int, prev_hash text, hash text)),
  c AS (INSERT INTO resource_changes (tenant, token) SELECT $6, $7 WHERE $7::text IS NOT NULL
    ON CONFLICT (tenant) DO UPDATE SET token = excluded.token)
  INSERT INTO journal_chains (tenant, head_seq, head_hash) SELECT $3, $4, $5 WHERE $4::bigint IS NOT NULL
  ON CONFLICT (tenant) DO UPDATE SET head_seq = excluded.head_seq, head_hash = excluded.head_hash`

/**
 * Held back writes past this many characters are sent at once: a batch of large documents then
 * goes in a few statements, each far from PostgreSQL's limits on one value (jsonb ~255 MB).
 */
const FULL_CHARS = 8 * 1024 * 1024

/** SQLSTATEs a batch's data can cause (22 data exception, 23 integrity constraint, 54000 a value over a limit). */
const DATA_FAULT = /^(2[23]|54000$)/

/**
 * Every statement costs CPU on both sides of the connection, so a batch's creates and journal
 * entries wait here and go in one statement: before any other statement of any of its jobs (so
 * each statement still sees every write made before it) and before COMMIT. A failure the data
 * caused is handed to the batch as DeferredWriteFailed, naming the job when the statement carried
 * one job's writes only; when it carried several, the batch runs again `direct`, where each job's
 * writes are also sent when the job ends, so a failure is the job's own.
 */
export class PgWriteQueue {
  private rows: string[] = []
  private types: ResourceType[] = []
  private entries: string[] = []
  private head: { tenant: string; seq: number; hash: string } | undefined
  /** The jobs (indexes in the batch) whose writes wait. */
  private jobs = new Set<number>()
  /** The length of the JSON text of the rows and entries that wait (about). */
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
    return this.chars > FULL_CHARS
  }

  row(type: ResourceType, r: QueuedRow): void {
    this.jobs.add(this.batch.job)
    this.types.push(type)
    const row =
      `{"id":${j(r.id)},"tenant":${j(r.tenant)},"type":${j(r.type)},"name_ci":${j(r.nameCi)},"external_id":${j(r.externalId)}` +
      `,"data":${r.data},"version":${r.version},"created":${j(r.created)},"last_modified":${j(r.lastModified)}}`
    this.rows.push(row)
    this.chars += row.length
  }

  /** A journal entry's row, which becomes the chain's head at the last flush. */
  entry(c: EntryColumns, hash: string): void {
    this.jobs.add(this.batch.job)
    const row =
      `{"seq":${c.seq},"tenant":${j(c.tenant)},"at":${j(c.at)},"actor":${j(c.actor)},"request_id":${j(c.requestId)}` +
      `,"op":${j(c.op)},"resource_type":${j(c.resourceType)},"resource_id":${j(c.resourceId)}` +
      `,"version_before":${j(c.versionBefore)},"version_after":${j(c.versionAfter)},"changes":${c.changes}` +
      `,"compat":${c.compat},"cascade":${c.cascade},"prev_hash":${j(c.prevHash)},"hash":${j(hash)}}`
    this.entries.push(row)
    this.chars += row.length
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
    const rows = `[${this.rows.join(',')}]`
    const entries = `[${this.entries.join(',')}]`
    const types = this.types
    const jobs = [...this.jobs]
    this.rows = []
    this.types = []
    this.entries = []
    this.jobs.clear()
    this.chars = 0
    try {
      await this.tx.unsafe(FLUSH, [
        rows,
        entries,
        head?.tenant ?? null,
        head?.seq ?? null,
        head?.hash ?? null,
        changed ?? null,
        token,
      ])
    } catch (err) {
      if (!DATA_FAULT.test(sqlState(err) ?? '')) throw err
      const own = types.length > 0 ? translatePgConstraintError(err, types[0]!) : err
      throw new DeferredWriteFailed(own, jobs.length === 1 ? jobs[0] : undefined)
    }
  }
}
