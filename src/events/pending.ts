// Which of a tenant's journal entries a receiver still has to get, from its acknowledged position.
import type { EntryPage, JournalEntry, JournalFeed } from '../journal/types'
import type { Effect } from '../service/effect'
import { taken } from './store'

/** A receiver's acknowledgements: everything up to `ackedSeq`, and these single positions after it. */
export interface StreamCursor {
  ackedSeq: number
  acked: ReadonlySet<number>
}

export interface Pending {
  /**
   * Unacknowledged entries in commit order, at most the number asked for and, past the first,
   * no more stored text than the byte budget.
   */
  entries: JournalEntry[]
  /** True when more unacknowledged entries follow these (the budget may have ended them). */
  more: boolean
  /** The acknowledged position can move here: every entry up to it is acknowledged. */
  settledSeq: number
}

/** The most entries one read takes: a receiver far behind reads its backlog in pieces. */
export const BATCH = 500

/** A read after a position (JournalFeed.within) and the number of entries it asked for. */
export type FirstRead = EntryPage & { asked: number }

/**
 * How many entries the first read after the position takes to find `max` pending ones and tell
 * whether more follow, when up to `acks` more may be acknowledged on the way: reading a full
 * BATCH for a poll of ten decoded fifty times what it returned.
 */
export function readSize(cursor: StreamCursor, max: number, acks = 0): number {
  return Math.min(BATCH, max + cursor.acked.size + acks + 1)
}

/**
 * Reads the journal from the receiver's position on, skipping entries acknowledged out of order,
 * and notes how far the acknowledgements are now contiguous (so the position can move up and the
 * single acknowledgements below it be forgotten). The entries taken hold at most `maxBytes` of
 * stored text (the first is taken whatever its size, so one larger than the budget still goes
 * out), and each read asks for no more than what the budget has left: a poll or push wave of
 * large entries holds the budget's worth, not 500 entries. `first`, when given, is the read after
 * the position the caller already made. An effect: it waits only for a store that answers with promises.
 */
export function* pendingEntries(
  reader: JournalFeed,
  tenant: string,
  cursor: StreamCursor,
  max: number,
  maxBytes: number,
  first?: FirstRead
): Effect<Pending> {
  const entries: JournalEntry[] = []
  let settledSeq = cursor.ackedSeq
  let contiguous = true
  let kept = 0
  let size = first ? first.asked : readSize(cursor, max)
  let page = first ?? (yield* taken(reader.within(tenant, cursor.ackedSeq, size, maxBytes)))
  for (;;) {
    let skipped = false
    for (let i = 0; i < page.entries.length; i++) {
      const entry = page.entries[i]!
      if (cursor.acked.has(entry.seq)) {
        if (contiguous) settledSeq = entry.seq
        skipped = true
        continue
      }
      contiguous = false
      if (entries.length >= max) return { entries, more: true, settledSeq }
      const bytes = page.bytes[i]!
      if (entries.length > 0 && kept + bytes > maxBytes) return { entries, more: true, settledSeq }
      entries.push(entry)
      kept += bytes
    }
    const last = page.entries[page.entries.length - 1]
    // A short read is the journal's end, unless the budget cut it; after a full one, the next read tells what follows.
    if ((page.entries.length < size && !page.cut) || !last) return { entries, more: false, settledSeq }
    // Cut with every entry taken: the next did not fit in what the budget had left, and is pending
    // unless acknowledged ahead, so there is no need to read it only to leave it.
    if (page.cut && !skipped && entries.length > 0 && !ackedAfter(cursor, last.seq)) {
      return { entries, more: true, settledSeq }
    }
    size = BATCH
    page = yield* taken(reader.within(tenant, last.seq, size, Math.max(0, maxBytes - kept)))
  }
}

/** Whether any single acknowledgement lies past `seq`. */
function ackedAfter(cursor: StreamCursor, seq: number): boolean {
  for (const acked of cursor.acked) if (acked > seq) return true
  return false
}
