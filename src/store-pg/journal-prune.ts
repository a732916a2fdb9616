// --journal-retention on PostgreSQL: each tenant's oldest entries go a chunk at a time, its checkpoint moves with them.
import type { SQL } from 'bun'
import { PRUNE_CHUNK } from '../journal/retention'
import { lockTenant } from './tenant-lock'

/**
 * What src/journal/retention.ts pruneJournal does on SQLite: deletes each tenant's entries older
 * than `cutoff`, always a prefix of its chain, PRUNE_CHUNK at a time, and records each chunk's
 * last entry as the tenant's checkpoint in the same transaction so `journal verify` still proves
 * every kept entry. Each chunk holds the tenant's append lock: replicas pruning at once (every
 * replica runs the hourly prune) take turns, and the second finds the chunk gone. Returns how
 * many entries this call deleted.
 */
export async function pgPruneJournal(sql: SQL, cutoff: string): Promise<number> {
  const tenants = (await sql`SELECT tenant FROM journal_chains`) as { tenant: string }[]
  let pruned = 0
  for (const { tenant } of tenants) {
    // A clock stepped back may leave a newer-looking entry inside the prefix; it goes with it.
    const [old] = await sql`SELECT max(seq)::float8 AS seq FROM journal WHERE tenant = ${tenant} AND at < ${cutoff}`
    const upTo = old?.seq as number | null
    if (upTo === null || upTo === undefined) continue
    for (;;) {
      const deleted = await sql.begin(async (tx) => {
        await lockTenant(tx, tenant)
        const [end] = await tx`SELECT seq::float8 AS seq, hash FROM (
            SELECT seq, hash FROM journal WHERE tenant = ${tenant} AND seq <= ${upTo} ORDER BY seq LIMIT ${PRUNE_CHUNK}
          ) chunk ORDER BY seq DESC LIMIT 1`
        if (!end) return 0
        await tx`UPDATE journal_chains SET checkpoint_seq = ${end.seq}, checkpoint_hash = ${end.hash} WHERE tenant = ${tenant}`
        const gone = await tx`DELETE FROM journal WHERE tenant = ${tenant} AND seq <= ${end.seq} RETURNING 1`
        return gone.length
      })
      if (deleted === 0) break
      pruned += deleted
    }
  }
  return pruned
}
