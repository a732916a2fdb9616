// Links each journal entry to its resource's previous one, so a resource's history is a chain read from its newest entry.
import type { Database, Statement } from 'bun:sqlite'
import { ENTRY_COLUMNS, type EntryRow } from './reader'
import type { JournalOp } from './types'

/**
 * Keeps, inside the appending transaction, each resource's newest entry in its own row
 * (resources.journal_seq, a column of the row the change has just rewritten, so its page is
 * dirty already) or, once the row is deleted, in journal_deleted. An index on the journal by
 * resource did the same job with a random page of its own in every commit: a PATCH's journal
 * cost twice what the rest of the entry did.
 */
export class HistoryLinks {
  private readonly rowHead: Statement<{ seq: number | null }, [string]>
  private readonly setRowHead: Statement
  private readonly deletedHead: Statement<{ seq: number }, [string]>
  private readonly undelete: Statement
  private readonly bury: Statement
  /** The newest entry of each row the running job deleted, read before the row went. */
  private readonly going = new Map<string, number | null>()

  constructor(sqlite: Database) {
    this.rowHead = sqlite.query('SELECT journal_seq AS seq FROM resources WHERE id = ?1')
    this.setRowHead = sqlite.query('UPDATE resources SET journal_seq = ?2 WHERE id = ?1')
    this.deletedHead = sqlite.query('SELECT seq FROM journal_deleted WHERE resource_id = ?1')
    this.undelete = sqlite.query('DELETE FROM journal_deleted WHERE resource_id = ?1')
    this.bury = sqlite.query('INSERT OR REPLACE INTO journal_deleted (resource_id, tenant, seq) VALUES (?1, ?2, ?3)')
  }

  deleting(id: string): void {
    this.going.set(id, this.rowHead.get(id)?.seq ?? null)
  }

  /** A job begins: what an earlier one read (rolled back, or done) is not its own. */
  forget(): void {
    this.going.clear()
  }

  /** Makes entry `seq` of resource `id` its newest; returns the entry it follows (null for the first). */
  link(tenant: string, op: JournalOp, id: string, seq: number): number | null {
    if (op === 'delete') {
      const prev = this.going.get(id) ?? null
      this.going.delete(id)
      this.bury.run(id, tenant, seq)
      return prev
    }
    let prev = this.rowHead.get(id)?.seq ?? null
    // A create under an id that was deleted before (journal restore brings a user back as it was)
    // continues that id's history.
    if (op === 'create' && prev === null) {
      prev = this.deletedHead.get(id)?.seq ?? null
      if (prev !== null) this.undelete.run(id)
    }
    this.setRowHead.run(id, seq)
    return prev
  }
}

type LinkedRow = EntryRow & { prevSeq: number | null }

/** The newest entry of resource ?1 of tenant ?2: in its row, or in journal_deleted once it is gone. */
export const NEWEST_ENTRY = `SELECT journal_seq AS seq FROM resources WHERE id = ?1 AND tenant = ?2
  UNION ALL SELECT seq FROM journal_deleted WHERE resource_id = ?1 AND tenant = ?2`
/** One entry with its link, by seq (the rowid). */
export const ENTRY_BY_SEQ = `SELECT ${ENTRY_COLUMNS}, resource_prev_seq AS prevSeq FROM journal WHERE seq = ?1`

/**
 * Walks resource `id`'s entries newest first: its newest entry (from its row, or from
 * journal_deleted once deleted), then each entry's predecessor, each read by seq (the rowid).
 * With `before`, from the newest entry below it; `before` is an entry of the same history when it
 * comes from an earlier page, and the walk then starts at its predecessor.
 */
export function historyWalker(sqlite: Database): (tenant: string, id: string, before?: number) => Generator<EntryRow> {
  const newest = sqlite.query<{ seq: number | null }, [string, string]>(NEWEST_ENTRY)
  const entryAt = sqlite.query<LinkedRow, [number]>(ENTRY_BY_SEQ)
  const ofResource = (row: LinkedRow | null, tenant: string, id: string): row is LinkedRow =>
    row !== null && row.tenant === tenant && row.resourceId === id
  return function* walk(tenant, id, before) {
    const start = before === undefined ? null : entryAt.get(before)
    let seq = ofResource(start, tenant, id)
      ? start.prevSeq
      : (newest.all(id, tenant).find((r) => r.seq !== null)?.seq ?? null)
    while (seq !== null) {
      const row = entryAt.get(seq)
      // A pruned predecessor ends the history, as retention ended it.
      if (!ofResource(row, tenant, id)) return
      if (before === undefined || row.seq < before) yield row
      // Links only point back; one that does not (a hand-edited row) must not loop.
      seq = row.prevSeq !== null && row.prevSeq < row.seq ? row.prevSeq : null
    }
  }
}
