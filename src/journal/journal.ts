// One journal per database handle: the appender the stores write through and the reader others watch.
import type { Database } from 'bun:sqlite'
import { JournalAppender } from './append'
import { SqliteJournalReader } from './reader'

export interface Journal {
  appender: JournalAppender
  reader: SqliteJournalReader
  /** What the write queue tells the journal: where batches begin and end (BatchObserver). */
  batches: {
    batchStarted(): void
    jobStarted(): void
    jobRolledBack(): void
    beforeCommit(): void
    /** Committed, the batch's tenants go to the reader; else they are forgotten. */
    batchEnded(committed: boolean): void
  }
}

const journals = new WeakMap<Database, Journal>()

/**
 * Every store over one database handle (one per tenant) appends through the same journal, so
 * one reader sees all tenants' entries.
 */
export function journalOf(sqlite: Database): Journal {
  let journal = journals.get(sqlite)
  if (!journal) {
    const appender = new JournalAppender(sqlite)
    const reader = new SqliteJournalReader(sqlite)
    const batches = {
      batchStarted: () => appender.openBatch(),
      jobStarted: () => appender.jobStarted(),
      jobRolledBack: () => appender.jobRolledBack(),
      beforeCommit: () => appender.writeHeads(),
      batchEnded(committed: boolean) {
        appender.closeBatch()
        if (appender.pending.size === 0) return
        const tenants = new Set(appender.pending)
        appender.pending.clear()
        if (committed) reader.committed(tenants)
      },
    }
    journal = { appender, reader, batches }
    journals.set(sqlite, journal)
  }
  return journal
}
