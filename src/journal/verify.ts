// Walks each tenant's chain: recomputes every hash, checks every link, and the head against the last entry.
import type { Database } from 'bun:sqlite'
import { badEntry, ChainWalk, isIntact } from './chain-walk'
import { ENTRY_COLUMNS, type EntryRow } from './reader'

export interface TenantVerdict {
  tenant: string
  /** Entries checked (those kept after pruning). */
  count: number
  /** The newest entry's hash: keep it elsewhere to tell later that nothing was rewritten. */
  head: string
  /** The seq of the last pruned entry, when retention pruned some. */
  checkpointSeq: number | null
}

export type Verdict =
  | { ok: true; tenants: TenantVerdict[] }
  | { ok: false; tenant: string; seq: number | null; problem: string }

interface Chain {
  tenant: string
  headSeq: number | null
  headHash: string | null
  checkpointSeq: number | null
  checkpointHash: string | null
}

/**
 * Checks the chains of `tenant` (or of every tenant). The first bad entry is named with why:
 * its hash does not cover its content (edited), its prevHash is not the hash of the entry before
 * it (one deleted or moved in between), or the chain's head is not the last entry (newest deleted).
 */
export function verifyJournal(sqlite: Database, tenant?: string): Verdict {
  const chains = sqlite
    .query<Chain, [string | null]>(
      `SELECT t.tenant, c.head_seq AS headSeq, c.head_hash AS headHash, c.checkpoint_seq AS checkpointSeq,
         c.checkpoint_hash AS checkpointHash
       FROM (SELECT tenant FROM journal_chains UNION SELECT DISTINCT tenant FROM journal) t
       LEFT JOIN journal_chains c ON c.tenant = t.tenant
       WHERE ?1 IS NULL OR t.tenant = ?1 ORDER BY t.tenant`
    )
    .all(tenant ?? null)
  if (tenant !== undefined && chains.length === 0)
    return { ok: true, tenants: [{ tenant, count: 0, head: '', checkpointSeq: null }] }
  const rows = sqlite.query<EntryRow, [string]>(`SELECT ${ENTRY_COLUMNS} FROM journal WHERE tenant = ?1 ORDER BY seq`)
  const verdicts: TenantVerdict[] = []
  for (const chain of chains) {
    if (chain.headSeq === null) return badEntry(chain.tenant, null, 'the tenant has entries but no chain head')
    const walk = new ChainWalk(chain.tenant, chain.checkpointSeq, chain.checkpointHash)
    for (const row of rows.iterate(chain.tenant)) {
      const broken = walk.step(row)
      if (broken) return broken
    }
    const verdict = walk.finish(chain.headSeq, chain.headHash)
    if (!isIntact(verdict)) return verdict
    verdicts.push(verdict)
  }
  return { ok: true, tenants: verdicts }
}

/** The lines `journal verify` prints: a count per tenant when intact, else the first bad entry. */
export function verdictLines(verdict: Verdict, seconds: number): { lines: string[]; ok: boolean } {
  if (!verdict.ok) {
    const at = verdict.seq === null ? '' : ` at entry ${verdict.seq}`
    return { ok: false, lines: [`journal of tenant ${verdict.tenant} is broken${at}: ${verdict.problem}`] }
  }
  const lines = verdict.tenants.map((t) => {
    const pruned = t.checkpointSeq === null ? '' : `, pruned up to entry ${t.checkpointSeq}`
    return `tenant ${t.tenant}: ${t.count} entries intact${pruned}${t.head ? `, head ${t.head}` : ''}`
  })
  const total = verdict.tenants.reduce((sum, t) => sum + t.count, 0)
  lines.push(
    `journal intact: ${total} entries in ${verdict.tenants.length} tenant(s), checked in ${seconds.toFixed(1)} s`
  )
  return { ok: true, lines }
}
