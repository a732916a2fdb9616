// Which of a tenant's journal entries a receiver still has to get, from its acknowledged position.
import type { JournalEntry, JournalReader } from '../journal/types'

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

const BATCH = 500

/**
 * Reads the journal from the receiver's position on, skipping entries acknowledged out of order,
 * and notes how far the acknowledgements are now contiguous (so the position can move up and the
 * single acknowledgements below it be forgotten).
 */
export function pendingEntries(reader: JournalReader, tenant: string, cursor: StreamCursor, max: number): Pending {
  const entries: JournalEntry[] = []
  let settledSeq = cursor.ackedSeq
  let contiguous = true
  let from = cursor.ackedSeq
  for (;;) {
    const batch = reader.after(tenant, from, BATCH)
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
    // Once `max` entries are found, one more batch at most tells whether more are pending.
    if (batch.length < BATCH || !last) return { entries, more: false, settledSeq }
    from = last.seq
  }
}
