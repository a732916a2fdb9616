// Reading the journal in seq order from a time on, for export and restore.
import type { Database } from 'bun:sqlite'
import { entryOf } from './canonical'
import { ENTRY_COLUMNS, type EntryRow } from './reader'
import type { JournalEntry } from './types'

/**
 * The entries of `tenant` (every tenant when undefined) whose time is `since` or later (all when
 * undefined), in seq order, read one by one so a million entries never sit in memory at once.
 */
export function* entriesSince(sqlite: Database, tenant?: string, since?: string): Generator<JournalEntry> {
  const rows = sqlite.query<EntryRow, [string | null, string | null]>(
    `SELECT ${ENTRY_COLUMNS} FROM journal WHERE (?1 IS NULL OR tenant = ?1) AND (?2 IS NULL OR at >= ?2) ORDER BY seq`
  )
  for (const row of rows.iterate(tenant ?? null, since ?? null)) yield entryOf(row)
}
