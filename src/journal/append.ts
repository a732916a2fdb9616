// Appends entries inside the writer's transaction; the chain head comes from the database.
import type { Database, Statement } from 'bun:sqlite'
import { chainHash, columnsOf, entryText, entryValues } from './canonical'
import { HistoryLinks } from './history-links'
import type { JournalDraft } from './types'

interface Head {
  seq: number
  hash: string
}

/** A tenant's in-batch head before the job moved it (undefined: the batch had none), put back if the job is rolled back. */
interface Moved {
  tenant: string
  head: Head | undefined
}

/**
 * The head (last seq overall, the tenant's last hash) is read in the transaction that appends,
 * so a batch whose COMMIT failed or another process writing the same file (an admin command
 * beside the server) leave nothing stale behind; one connection holds the write lock at a time,
 * so two appends never read the same head. Within one write-queue batch the heads are kept in
 * memory: read once per tenant, written back once per tenant just before COMMIT (one read and
 * one upsert per batch instead of per entry), and a job rolled back to its savepoint puts back
 * the heads it started from. Appends outside a batch read and write the head every time.
 */
export class JournalAppender {
  private readonly head: Statement<{ last: number; hash: string | null }, [string]>
  private readonly insert: Statement
  private readonly advance: Statement
  /** Tenants that got entries in the open transaction, told to readers once it commits. */
  readonly pending = new Set<string>()
  private inBatch = false
  private last: number | undefined
  /** The batch's heads, including those not yet written back. */
  private heads = new Map<string, Head>()
  /**
   * What the running job changed of the batch's state, to put back when it is rolled back to its
   * savepoint: `last` as it found it, and each head it moved (an undo list rather than a copy of
   * the heads per job: most jobs append once, to one tenant).
   */
  private appended = false
  private savedLast: number | undefined
  private moved: Moved[] = []
  private readonly history: HistoryLinks

  constructor(sqlite: Database) {
    this.head = sqlite.query(`SELECT coalesce((SELECT max(head_seq) FROM journal_chains), 0) AS last,
        (SELECT head_hash FROM journal_chains WHERE tenant = ?1) AS hash`)
    this.insert = sqlite.query(`INSERT INTO journal (seq, tenant, at, actor, request_id, op, resource_type,
        resource_id, version_before, version_after, changes, compat, cascade, prev_hash, hash, resource_prev_seq)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)`)
    this.advance = sqlite.query(`INSERT INTO journal_chains (tenant, head_seq, head_hash) VALUES (?1, ?2, ?3)
      ON CONFLICT (tenant) DO UPDATE SET head_seq = excluded.head_seq, head_hash = excluded.head_hash`)
    this.history = new HistoryLinks(sqlite)
  }

  /** The resource's row is about to be deleted: its newest entry is read now, for the delete's entry to link to. */
  deleting(id: string): void {
    this.history.deleting(id)
  }

  /** A write-queue batch began: heads are kept in memory until it ends. */
  openBatch(): void {
    this.reset()
    this.inBatch = true
  }

  jobStarted(): void {
    this.forget()
    this.history.forget()
  }

  /** The job's entries are gone with its savepoint: so are the heads they moved. */
  jobRolledBack(): void {
    if (!this.appended) return
    this.last = this.savedLast
    for (let i = this.moved.length - 1; i >= 0; i--) {
      const { tenant, head } = this.moved[i]!
      if (head === undefined) this.heads.delete(tenant)
      else this.heads.set(tenant, head)
    }
    this.forget()
  }

  private forget(): void {
    this.appended = false
    this.savedLast = undefined
    this.moved.length = 0
  }

  /** Writes the batch's heads back, inside its transaction, right before COMMIT. */
  writeHeads(): void {
    for (const [tenant, head] of this.heads) this.advance.run(tenant, head.seq, head.hash)
  }

  closeBatch(): void {
    this.reset()
    this.inBatch = false
  }

  private reset(): void {
    this.last = undefined
    this.heads = new Map()
    this.forget()
  }

  /** Appends one entry for `tenant`; must run inside the transaction of the change it records. */
  append(tenant: string, draft: JournalDraft): void {
    // Only a job that appends pays for what it must put back.
    if (this.inBatch && !this.appended) {
      this.appended = true
      this.savedLast = this.last
    }
    const before = this.heads.get(tenant)
    let prevHash = before?.hash
    if (prevHash === undefined) {
      const head = this.head.get(tenant)!
      // Within a batch the stored maximum lags behind heads not written back yet.
      if (this.last === undefined) this.last = head.last
      prevHash = head.hash ?? ''
    }
    const c = columnsOf(draft, this.last! + 1, tenant, prevHash)
    const hash = chainHash(prevHash, entryText(c))
    const linked = this.history.link(tenant, draft.op, draft.resourceId, c.seq)
    // Positional parameters: binding an object by name cost more than the insert itself.
    this.insert.run(...entryValues(c, hash), linked)
    this.last = c.seq
    if (this.inBatch) {
      if (!this.moved.some((m) => m.tenant === tenant)) this.moved.push({ tenant, head: before })
      this.heads.set(tenant, { seq: c.seq, hash })
    } else {
      this.advance.run(tenant, c.seq, hash)
      this.last = undefined
    }
    this.pending.add(tenant)
  }
}
