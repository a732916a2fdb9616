// JournalReader over the journal table: a tenant's entries after a seq, and word after each commit.
import type { Database, Statement } from 'bun:sqlite'
import { entryOf, type EntryColumns } from './canonical'
import type { EntryPage, JournalEntry, JournalReader } from './types'

/** The columns of a journal row under their JournalEntry names. */
export const ENTRY_COLUMNS = `seq, tenant, at, actor, request_id AS requestId, op, resource_type AS resourceType,
  resource_id AS resourceId, version_before AS versionBefore, version_after AS versionAfter, changes, compat,
  cascade, prev_hash AS prevHash, hash`

export type EntryRow = EntryColumns & { hash: string }

/** SQLite's LIMIT -1 is no limit: what `Infinity` asks for. */
function rowLimit(limit: number): number {
  return Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : -1
}

export class SqliteJournalReader implements JournalReader {
  private readonly page: Statement<EntryRow, [string, number, number]>
  private readonly seqs: Statement<{ seq: number }, [string, number, number]>
  private readonly sized: Statement<EntryRow & { bytes: number }, [string, number, number]>
  private readonly listeners = new Set<(tenants: ReadonlySet<string>) => void>()

  constructor(sqlite: Database) {
    this.page = sqlite.query(
      `SELECT ${ENTRY_COLUMNS} FROM journal WHERE tenant = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3`
    )
    // The (tenant, seq, at) index alone answers it: no row is read.
    this.seqs = sqlite.query('SELECT seq FROM journal WHERE tenant = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3')
    this.sized = sqlite.query(
      `SELECT ${ENTRY_COLUMNS}, octet_length(changes) + octet_length(compat) AS bytes FROM journal
        WHERE tenant = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3`
    )
  }

  seqsAfter(tenant: string, afterSeq: number, limit: number): number[] {
    return this.seqs.all(tenant, afterSeq, rowLimit(limit)).map((r) => r.seq)
  }

  after(tenant: string, afterSeq: number, limit: number): JournalEntry[] {
    return this.page.all(tenant, afterSeq, rowLimit(limit)).map(entryOf)
  }

  /** Rows stepped one at a time: the read stops at the first that does not fit, whose JSON is never parsed. */
  within(tenant: string, afterSeq: number, limit: number, maxBytes: number): EntryPage {
    const entries: JournalEntry[] = []
    const bytes: number[] = []
    let total = 0
    for (const row of this.sized.iterate(tenant, afterSeq, rowLimit(limit))) {
      if (entries.length > 0 && total + row.bytes > maxBytes) return { entries, bytes, cut: true }
      entries.push(entryOf(row))
      bytes.push(row.bytes)
      total += row.bytes
    }
    return { entries, bytes, cut: false }
  }

  onAppend(listener: (tenants: ReadonlySet<string>) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Called by the write queue once a batch committed: listeners then read what it appended. A
   * listener that throws is its own problem; the other listeners and the writer carry on.
   */
  committed(tenants: ReadonlySet<string>): void {
    for (const listener of this.listeners) {
      try {
        listener(tenants)
      } catch {
        // A reader's failure must not turn a committed write into an error.
      }
    }
  }
}
