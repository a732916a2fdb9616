// Which of a tenant's journal entries a receiver still has to get, from its acknowledged position.
import type { JournalEntry, JournalFeed } from '../journal/types'
import type { Effect } from '../service/effect'
import { taken } from './store'

/** A receiver's acknowledgements: everything up to `ackedSeq`, and these single positions after it. */
export interface StreamCursor {
  ackedSeq: number
  acked: ReadonlySet<number>
}

export interface Pending {
  /** Unacknowledged entries in commit order, at most the number asked for. */
  entries: JournalEntry[]
  /** True when more unacknowledged entries follow these. */
  more: boolean
  /** The acknowledged position can move here: every entry up to it is acknowledged. */
  settledSeq: number
}

/** The most entries one read takes: a receiver far behind reads its backlog in pieces. */
export const BATCH = 500

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
 * single acknowledgements below it be forgotten). `first`, when given, is the read after the
 * position the caller already made: the entries it got for the `asked` it asked. An effect: it
 * waits only for a store that answers with promises.
 */
export function* pendingEntries(
  reader: JournalFeed,
  tenant: string,
  cursor: StreamCursor,
  max: number,
  first?: { entries: JournalEntry[]; asked: number }
): Effect<Pending> {
  const entries: JournalEntry[] = []
  let settledSeq = cursor.ackedSeq
  let contiguous = true
  let from = cursor.ackedSeq
  let size = first ? first.asked : readSize(cursor, max)
  let batch = first ? first.entries : yield* taken(reader.after(tenant, from, size))
  for (;;) {
    for (const entry of batch) {
      if (cursor.acked.has(entry.seq)) {
        if (contiguous) settledSeq = entry.seq
        continue
      }
      contiguous = false
      if (entries.length >= max) return { entries, more: true, settledSeq }
      entries.push(entry)
    }
    const last = batch[batch.length - 1]
    // A short read is the journal's end; after a full one, the next read tells what follows.
    if (batch.length < size || !last) return { entries, more: false, settledSeq }
    from = last.seq
    size = BATCH
    batch = yield* taken(reader.after(tenant, from, size))
  }
}
