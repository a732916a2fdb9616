// Walks each tenant's chain in PostgreSQL as src/journal/verify.ts walks SQLite's: every hash recomputed, every link and the head checked.
import type { SQL } from 'bun'
import { chainHash, entryText } from '../journal/canonical'
import type { EntryRow } from '../journal/reader'
import type { TenantVerdict, Verdict } from '../journal/verify'
import { PG_ENTRY_COLUMNS } from './journal'

/** Entries read per round trip: a million-entry chain is walked without holding it in memory. */
const PAGE = 5000

interface Chain {
  tenant: string
  headSeq: string | null
  headHash: string | null
  checkpointSeq: string | null
  checkpointHash: string | null
}

const bad = (tenant: string, seq: number | null, problem: string): Verdict => ({ ok: false, tenant, seq, problem })

/**
 * Checks the chains of `tenant` (or of every tenant), with the verdicts and wording of
 * verifyJournal, so `journal verify` reads the same on both stores. Entry numbers come from a
 * sequence here and may have gaps (a rolled-back append); only the links are checked.
 */
export async function verifyPgJournal(sql: SQL, tenant?: string): Promise<Verdict> {
  const chains = (await sql.unsafe(
    `SELECT t.tenant, c.head_seq::text AS "headSeq", c.head_hash AS "headHash",
       c.checkpoint_seq::text AS "checkpointSeq", c.checkpoint_hash AS "checkpointHash"
     FROM (SELECT tenant FROM journal_chains UNION SELECT DISTINCT tenant FROM journal) t
     LEFT JOIN journal_chains c ON c.tenant = t.tenant
     WHERE $1::text IS NULL OR t.tenant = $1 ORDER BY t.tenant COLLATE "C"`,
    [tenant ?? null]
  )) as Chain[]
  if (tenant !== undefined && chains.length === 0)
    return { ok: true, tenants: [{ tenant, count: 0, head: '', checkpointSeq: null }] }
  const verdicts: TenantVerdict[] = []
  for (const chain of chains) {
    if (chain.headSeq === null) return bad(chain.tenant, null, 'the tenant has entries but no chain head')
    const headSeq = Number(chain.headSeq)
    const checkpointSeq = chain.checkpointSeq === null ? null : Number(chain.checkpointSeq)
    let prev = chain.checkpointHash ?? ''
    let prevSeq = checkpointSeq
    let count = 0
    let after = -1
    for (;;) {
      const rows = (await sql.unsafe(
        `SELECT ${PG_ENTRY_COLUMNS} FROM journal WHERE tenant = $1 AND seq > $2 ORDER BY seq LIMIT ${PAGE}`,
        [chain.tenant, after]
      )) as EntryRow[]
      for (const raw of rows) {
        const row = { ...raw, seq: Number(raw.seq) }
        if (chainHash(row.prevHash, entryText(row)) !== row.hash)
          return bad(chain.tenant, row.seq, 'its hash does not match its content: the entry was edited')
        if (row.prevHash !== prev) {
          const before = prevSeq === null ? 'the start of the chain' : `entry ${prevSeq}`
          return bad(
            chain.tenant,
            row.seq,
            `its prevHash is not the hash of ${before}: an entry between them was deleted, or entries were reordered`
          )
        }
        prev = row.hash
        prevSeq = row.seq
        after = row.seq
        count++
      }
      if (rows.length < PAGE) break
    }
    if (prevSeq !== headSeq || prev !== chain.headHash)
      return bad(
        chain.tenant,
        headSeq,
        `the chain's head is entry ${headSeq} but the last entry is ${prevSeq ?? 'none'}: the newest entries were deleted`
      )
    verdicts.push({ tenant: chain.tenant, count, head: prev, checkpointSeq })
  }
  return { ok: true, tenants: verdicts }
}
