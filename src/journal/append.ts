// Appends entries inside the writer's transaction: the chain head is read from the database each time.
import type { Database, Statement } from 'bun:sqlite'
import { chainHash, columnsOf, entryText } from './canonical'
import type { JournalDraft, JournalEntry } from './types'

/**
 * The head (last seq overall, the tenant's last hash) is read in the same transaction that
 * appends, not kept in memory: a job rolled back to its savepoint, a batch whose COMMIT failed
 * or another process writing the same file (an admin command beside the server) leave nothing
 * stale behind, and since one connection holds the write lock at a time, two appends can never
 * read the same head. Cost: one indexed read and one upsert per entry, in the same transaction.
 */
export class JournalAppender {
  private readonly head: Statement<{ last: number; hash: string | null }, [string]>
  private readonly insert: Statement
  private readonly advance: Statement
  /** Tenants that got entries in the open transaction, told to readers once it commits. */
  readonly pending = new Set<string>()

  constructor(sqlite: Database) {
    this.head = sqlite.query(`SELECT coalesce((SELECT max(head_seq) FROM journal_chains), 0) AS last,
        (SELECT head_hash FROM journal_chains WHERE tenant = ?1) AS hash`)
    this.insert = sqlite.query(`INSERT INTO journal (seq, tenant, at, actor, request_id, op, resource_type,
        resource_id, version_before, version_after, changes, compat, cascade, prev_hash, hash)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)`)
    this.advance = sqlite.query(`INSERT INTO journal_chains (tenant, head_seq, head_hash) VALUES (?1, ?2, ?3)
      ON CONFLICT (tenant) DO UPDATE SET head_seq = excluded.head_seq, head_hash = excluded.head_hash`)
  }

  /** Appends one entry for `tenant`; must run inside the transaction of the change it records. */
  append(tenant: string, draft: JournalDraft): JournalEntry {
    const head = this.head.get(tenant)!
    const entry = { ...draft, seq: head.last + 1, tenant, prevHash: head.hash ?? '', hash: '' }
    const c = columnsOf(entry)
    entry.hash = chainHash(c.prevHash, entryText(c))
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
      c.prevHash,
      entry.hash
    )
    this.advance.run(tenant, entry.seq, entry.hash)
    this.pending.add(tenant)
    return entry
  }
}
