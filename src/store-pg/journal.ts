// The provisioning journal in PostgreSQL: appends chained per tenant under the tenant's lock, with the hashing of src/journal.
import type { SQL } from 'bun'
import { chainHash, columnsOf, entryText, type EntryColumns } from '../journal/canonical'
import type { JournalDraft } from '../journal/types'
import { lockTenant } from './tenant-lock'
import type { PgWriteQueue } from './write-queue'

/** The channel each append notifies, with the tenant's name as payload (heard by store-pg/events-journal.ts). */
export const JOURNAL_CHANNEL = 'scim_journal'

/** A journal row's columns under their EntryColumns names (quoted: PostgreSQL folds bare aliases). */
export const PG_ENTRY_COLUMNS = `seq, tenant, at, actor, request_id AS "requestId", op, resource_type AS "resourceType",
  resource_id AS "resourceId", version_before AS "versionBefore", version_after AS "versionAfter", changes, compat,
  cascade, prev_hash AS "prevHash", hash`

/** Seqs taken at once when a transaction appends more entries than it expected. */
const SEQ_BLOCK = 8

/**
 * One transaction's appends for one tenant. The first takes the tenant's advisory lock (held to
 * commit), and only then reads the chain's head: under READ COMMITTED each statement sees what
 * committed before it began, so the head read after the lock is the one the last holder wrote,
 * and two replicas never chain onto the same entry. Later appends in the same transaction
 * continue from the head kept here. The entries wait in the batch's queue (write-queue.ts), whose
 * last flush before COMMIT also writes the chain's new head. The first also announces the append
 * to every replica.
 */
export class PgJournalAppends {
  private prevHash: string | undefined
  /** Journal seqs taken from the sequence and not yet used (under the tenant's lock, so in commit order). */
  private seqs: number[] = []

  /** `expected`: how many entries the transaction will likely append (its batch's job count). */
  constructor(
    private readonly tx: SQL,
    private readonly tenant: string,
    private readonly queue: PgWriteQueue,
    private readonly expected = 1
  ) {}

  async append(draft: JournalDraft): Promise<void> {
    if (this.prevHash === undefined) {
      // Sent together: Bun SQL pipelines a connection's prepared statements and the server runs
      // them in order (lockTenant sends its statement before it returns), so the head is still
      // read after the lock is granted, without a round trip for the lock's answer first. Every
      // journaled write of the tenant queues behind this lock: a round trip saved here is saved for all.
      // The NOTIFY rides on the head read (no statement of its own); PostgreSQL delivers it at
      // commit, to every replica's change events (store-pg/events-journal.ts). The same statement
      // takes the seqs of the batch's likely entries, so later appends need no statement for theirs.
      const [, rows] = await Promise.all([
        // No statement when the transaction sent the lock already (tenant-lock.ts).
        lockTenant(this.tx, this.tenant),
        this.tx.unsafe(
          `SELECT array(SELECT nextval('journal_seq') FROM generate_series(1, $2::int))::text[] AS seqs,
             (SELECT head_hash FROM journal_chains WHERE tenant = $1) AS hash, pg_notify('${JOURNAL_CHANNEL}', $1) AS notified`,
          [this.tenant, Math.max(1, this.expected)]
        ),
      ])
      const [row] = rows as { seqs: string[]; hash: string | null }[]
      this.seqs = row!.seqs.map(Number)
      this.prevHash = row!.hash ?? ''
    } else if (this.seqs.length === 0) {
      // More entries than jobs (cascades): a few more seqs at once. Unused ones are gaps, which
      // readers (they resume after the last seq they saw) and verify (it follows the hashes) allow.
      const [row] = (await this.tx.unsafe(
        `SELECT array(SELECT nextval('journal_seq') FROM generate_series(1, ${SEQ_BLOCK}))::text[] AS seqs`
      )) as { seqs: string[] }[]
      this.seqs = row!.seqs.map(Number)
    }
    const seq = this.seqs.shift()!
    const c: EntryColumns = columnsOf(draft, seq, this.tenant, this.prevHash)
    const hash = chainHash(this.prevHash, entryText(c))
    this.queue.entry(c, hash)
    this.prevHash = hash
    if (this.queue.full) await this.queue.flush()
  }
}
