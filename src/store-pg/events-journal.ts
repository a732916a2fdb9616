// The journal as change events read it on PostgreSQL: entries after a position, and word of every replica's appends.
import type { SQL } from 'bun'
import type { EntryPage, JournalEntry, JournalFeed } from '../journal/types'
import { JOURNAL_CHANNEL } from './journal'
import { pgJournalAfter, pgJournalSeqsAfter, pgJournalWithin } from './journal-read'

/**
 * Every replica's appends reach every replica's long polls and push receivers: the append's
 * transaction sends a NOTIFY, which PostgreSQL delivers at its commit (once the entries are
 * visible to any reader) and drops on rollback. Bun keeps the LISTEN on a dedicated connection
 * and re-subscribes after it drops; what was appended meanwhile is not announced, so each
 * re-subscription tells the listeners of every tenant with a journal (they read again and find
 * what they missed).
 */
export class PgJournalFeed implements JournalFeed {
  private readonly listeners = new Set<(tenants: ReadonlySet<string>) => void>()
  private subscription: SQL.ListenSubscription | undefined

  constructor(private readonly sql: SQL) {}

  /** Resolves once the LISTEN is acknowledged: appends committed from then on are heard. */
  async start(): Promise<void> {
    let subscribed = false
    this.subscription = await this.sql.listen(
      JOURNAL_CHANNEL,
      (tenant) => this.tell(new Set([tenant])),
      () => {
        if (subscribed) void this.tellEveryTenant()
        subscribed = true
      }
    )
  }

  after(tenant: string, afterSeq: number, limit: number): Promise<JournalEntry[]> {
    return pgJournalAfter(this.sql, tenant, afterSeq, limit)
  }

  seqsAfter(tenant: string, afterSeq: number, limit: number): Promise<number[]> {
    return pgJournalSeqsAfter(this.sql, tenant, afterSeq, limit)
  }

  within(tenant: string, afterSeq: number, limit: number, maxBytes: number): Promise<EntryPage> {
    return pgJournalWithin(this.sql, tenant, afterSeq, limit, maxBytes)
  }

  onAppend(listener: (tenants: ReadonlySet<string>) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async close(): Promise<void> {
    await this.subscription?.unlisten()
    this.subscription = undefined
  }

  private async tellEveryTenant(): Promise<void> {
    try {
      const rows = (await this.sql`SELECT tenant FROM journal_chains`) as { tenant: string }[]
      this.tell(new Set(rows.map((r) => r.tenant)))
    } catch {
      // The database is away again: the next re-subscription tries again.
    }
  }

  private tell(tenants: ReadonlySet<string>): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(tenants)
      } catch {
        // One listener's failure must not keep the others from hearing of the append.
      }
    }
  }
}
