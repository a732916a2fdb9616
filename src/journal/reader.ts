// JournalReader over the journal table: a tenant's entries after a seq, and word after each commit.
import type { Database, Statement } from 'bun:sqlite'
import { entryOf, type EntryColumns } from './canonical'
import type { EntryPage, JournalEntry, JournalReader } from './types'

/** The columns of a journal row under their JournalEntry names. */
export const ENTRY_COLUMNS = `seq, tenant, at, actor, request_id AS requestId, op, resource_type AS resourceType,
  resource_id AS resourceId, version_before AS versionBefore, version_after AS versionAfter, changes, compat,
  cascade, prev_hash AS prevHash, hash`

export type EntryRow = EntryColumns & { hash: string }

/**
 * How often a reader with listeners looks for appends another connection committed (an `import`
 * or `journal restore` beside the server): they reach no write queue of this process.
 */
export const OTHER_WRITERS_MS = 500

/** SQLite's LIMIT -1 is no limit: what `Infinity` asks for. */
function rowLimit(limit: number): number {
  return Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : -1
}

export class SqliteJournalReader implements JournalReader {
  private readonly page: Statement<EntryRow, [string, number, number]>
  private readonly seqs: Statement<{ seq: number }, [string, number, number]>
  private readonly sized: Statement<EntryRow & { bytes: number }, [string, number, number]>
  private readonly listeners = new Set<(tenants: ReadonlySet<string>) => void>()
  private readonly dataVersion: Statement<{ data_version: number }, []>
  private readonly heads: Statement<{ tenant: string; seq: number }, []>
  private readonly headOf: Statement<{ seq: number }, [string]>
  /** What the last look for other connections' appends saw: SQLite's data version and each tenant's head. */
  private seen: { version: number; heads: Map<string, number> } | undefined
  private watch: ReturnType<typeof setInterval> | undefined

  constructor(sqlite: Database) {
    // PRAGMA data_version moves when another connection commits, never for this one's own writes.
    this.dataVersion = sqlite.query('PRAGMA data_version')
    this.heads = sqlite.query('SELECT tenant, head_seq AS seq FROM journal_chains')
    this.headOf = sqlite.query('SELECT head_seq AS seq FROM journal_chains WHERE tenant = ?')
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

  /**
   * `listener` hears of every commit that appended entries: this process's, from its write queue
   * (committed), and another connection's, looked for every OTHER_WRITERS_MS while anyone listens.
   */
  onAppend(listener: (tenants: ReadonlySet<string>) => void): () => void {
    this.listeners.add(listener)
    if (this.watch === undefined) {
      // The heads as they are now: what another connection appends from here on is news.
      this.seen = undefined
      this.followOtherWriters()
      this.watch = setInterval(() => this.followOtherWriters(), OTHER_WRITERS_MS)
      this.watch.unref?.()
    }
    return () => {
      this.listeners.delete(listener)
      if (this.listeners.size > 0) return
      clearInterval(this.watch)
      this.watch = undefined
    }
  }

  /**
   * Tells the listeners of each tenant whose chain head moved since the last look, once SQLite's
   * data version says another connection committed: its appends reach no write queue here, so
   * without this a push receiver never got them (until this server wrote for the tenant) and a
   * long poll waited out its 30 s.
   */
  followOtherWriters(): void {
    let version: number
    let heads: Map<string, number>
    try {
      version = this.dataVersion.get()?.data_version ?? 0
      if (this.seen !== undefined && version === this.seen.version) return
      heads = new Map(this.heads.all().map((row) => [row.tenant, row.seq]))
    } catch {
      // The database is closing, or busy: the next look tries again.
      return
    }
    const before = this.seen
    this.seen = { version, heads }
    if (before === undefined) return
    const moved = new Set<string>()
    for (const [tenant, seq] of heads) if (before.heads.get(tenant) !== seq) moved.add(tenant)
    if (moved.size > 0) this.tell(moved)
  }

  /** Called by the write queue once a batch committed: listeners then read what it appended. */
  committed(tenants: ReadonlySet<string>): void {
    // This connection's appends move heads but not the data version: noted now, so the next look
    // for other connections' appends does not tell of them again (a waiting long poll would answer
    // with nothing).
    if (this.seen !== undefined) {
      try {
        for (const tenant of tenants) {
          const head = this.headOf.get(tenant)
          if (head) this.seen.heads.set(tenant, head.seq)
        }
      } catch {
        // Told again at the next look at worst.
      }
    }
    this.tell(tenants)
  }

  /** A listener that throws is its own problem; the other listeners and the writer carry on. */
  private tell(tenants: ReadonlySet<string>): void {
    for (const listener of this.listeners) {
      try {
        listener(tenants)
      } catch {
        // A reader's failure must not turn a committed write into an error.
      }
    }
  }
}
