// --journal-retention: entries older than the retention go, a checkpoint hash per tenant stays.
import type { Database } from 'bun:sqlite'

const DAY_MS = 86_400_000
/** Entries deleted per transaction: short enough that writers waiting behind a prune barely notice (~7 ms on SQLite). */
export const PRUNE_CHUNK = 2_000

/** `400d` → 400; undefined for anything else (the caller names the flag in its error). */
export function parseRetention(raw: string): number | undefined {
  const m = /^\s*(\d{1,6})\s*d\s*$/i.exec(raw)
  const days = m ? Number(m[1]) : Number.NaN
  return days >= 1 ? days : undefined
}

/** A turn of the event loop: requests waiting behind a prune are answered between its chunks. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Deletes each tenant's entries older than `cutoff` (ISO time), oldest first and always a prefix
 * of its chain, `chunk` at a time. Each chunk records its last entry's seq and hash as the
 * tenant's checkpoint in the same transaction, so `journal verify` starts the chain there and
 * still proves every kept entry. Between chunks the event loop turns: the chunks run on the
 * server's connection, and pruning a long journal at once (the first prune after retention was
 * turned on: ~33 ms per 10,000 entries, seconds for a million) held every request until the last chunk. Ends early
 * once `stopped` says so (the server is closing). Returns how many entries went.
 */
export async function pruneJournal(
  sqlite: Database,
  cutoff: string,
  chunk = PRUNE_CHUNK,
  stopped: () => boolean = () => false
): Promise<number> {
  const tenants = sqlite.query<{ tenant: string }, []>('SELECT tenant FROM journal_chains').all()
  const lastOld = sqlite.query<{ seq: number | null }, [string, string]>(
    'SELECT max(seq) AS seq FROM journal WHERE tenant = ?1 AND at < ?2'
  )
  const chunkEnd = sqlite.query<{ seq: number; hash: string }, [string, number, number]>(
    `SELECT seq, hash FROM (SELECT seq, hash FROM journal WHERE tenant = ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3)
     ORDER BY seq DESC LIMIT 1`
  )
  const checkpoint = sqlite.query(
    'UPDATE journal_chains SET checkpoint_seq = ?2, checkpoint_hash = ?3 WHERE tenant = ?1'
  )
  const drop = sqlite.query('DELETE FROM journal WHERE tenant = ?1 AND seq <= ?2')
  // Deleted resources whose newest entry went: nothing of their history is left to find. Once per
  // tenant, not per chunk: the table has no index by seq, and a leftover row only ends a walk early.
  const forgetDeleted = sqlite.query('DELETE FROM journal_deleted WHERE tenant = ?1 AND seq <= ?2')
  let pruned = 0
  for (const { tenant } of tenants) {
    // A clock stepped back may leave a newer-looking entry inside the prefix; it goes with it.
    const upTo = lastOld.get(tenant, cutoff)?.seq
    if (upTo === null || upTo === undefined) continue
    for (;;) {
      const end = chunkEnd.get(tenant, upTo, chunk)
      if (!end) {
        forgetDeleted.run(tenant, upTo)
        break
      }
      sqlite
        .transaction(() => {
          checkpoint.run(tenant, end.seq, end.hash)
          pruned += drop.run(tenant, end.seq).changes
        })
        .immediate()
      if (stopped()) return pruned
      await nextTurn()
      if (stopped()) return pruned
    }
  }
  return pruned
}

/** Prunes now and then hourly while the server runs; returns the stop function, which also ends a prune under way between chunks. `prune` is pruneJournal over the server's database (or pgPruneJournal). */
export function keepJournalFor(
  prune: (cutoff: string, stopped: () => boolean) => number | Promise<number>,
  days: number,
  report: (pruned: number, error?: unknown) => void
): () => void {
  let stopped = false
  const run = async () => {
    try {
      const pruned = await prune(new Date(Date.now() - days * DAY_MS).toISOString(), () => stopped)
      if (pruned > 0) report(pruned)
    } catch (err) {
      // A busy or full database: the next hour tries again; the journal keeps its entries meanwhile.
      report(0, err)
    }
  }
  void run()
  const timer = setInterval(() => void run(), 3_600_000)
  timer.unref()
  return () => {
    stopped = true
    clearInterval(timer)
  }
}
