// Appends entries inside the writer's transaction; the chain head comes from the database.
import type { Database, Statement } from 'bun:sqlite'
import { chainHash, columnsOf, entryText } from './canonical'
import type { JournalDraft } from './types'

/**
 * The head (last seq overall, the tenant's last hash) is read in the transaction that appends
 * and written back with every entry, so a job rolled back to its savepoint, a batch whose COMMIT
 * failed or another process writing the same file (an admin command beside the server) leave
 * nothing stale behind; one connection holds the write lock at a time, so two appends never
 * read the same head. Within one write-queue batch the head read is kept in memory (one indexed
 * read per tenant and batch instead of per entry) and dropped when a job is rolled back or the
 * batch ends; appends outside a batch read it every time.
 */
export class JournalAppender {
  private readonly head: Statement<{ last: number; hash: string | null }, [string]>
  private readonly insert: Statement
  private readonly advance: Statement
  /** Tenants that got entries in the open transaction, told to readers once it commits. */
  readonly pending = new Set<string>()
  private inBatch = false
  private last: number | undefined
  private readonly heads = new Map<string, string>()

  constructor(sqlite: Database) {
    this.head = sqlite.query(`SELECT coalesce((SELECT max(head_seq) FROM journal_chains), 0) AS last,
        (SELECT head_hash FROM journal_chains WHERE tenant = ?1) AS hash`)
    this.insert = sqlite.query(`INSERT INTO journal (seq, tenant, at, actor, request_id, op, resource_type,
        resource_id, version_before, version_after, changes, compat, cascade, prev_hash, hash)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)`)
    this.advance = sqlite.query(`INSERT INTO journal_chains (tenant, head_seq, head_hash) VALUES (?1, ?2, ?3)
      ON CONFLICT (tenant) DO UPDATE SET head_seq = excluded.head_seq, head_hash = excluded.head_hash`)
  }

  /** A write-queue batch began: heads read from now on may be kept until it ends. */
  openBatch(): void {
    this.forgetHeads()
    this.inBatch = true
  }

  closeBatch(): void {
    this.forgetHeads()
    this.inBatch = false
  }

  /** What was read may have been rolled back: read the heads again. */
  forgetHeads(): void {
    this.last = undefined
    this.heads.clear()
  }

  /** Appends one entry for `tenant`; must run inside the transaction of the change it records. */
  append(tenant: string, draft: JournalDraft): void {
    let prevHash = this.inBatch ? this.heads.get(tenant) : undefined
    if (prevHash === undefined || this.last === undefined) {
      const head = this.head.get(tenant)!
      this.last = head.last
      prevHash = head.hash ?? ''
    }
    const c = columnsOf(draft, this.last + 1, tenant, prevHash)
    const hash = chainHash(prevHash, entryText(c))
    // Positional parameters: binding an object by name cost more than the insert itself.
    this.insert.run(
      c.seq,
      c.tenant,
      c.at,
      c.actor,
      c.requestId,
      c.op,
      c.resourceType,
      c.resourceId,
      c.versionBefore,
      c.versionAfter,
      c.changes,
      c.compat,
      c.cascade,
      prevHash,
      hash
    )
    this.advance.run(tenant, c.seq, hash)
    this.last = c.seq
    if (this.inBatch) this.heads.set(tenant, hash)
    this.pending.add(tenant)
  }
}
