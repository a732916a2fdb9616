// Walks each tenant's chain in PostgreSQL as src/journal/verify.ts walks SQLite's: every hash recomputed, every link and the head checked.
import type { SQL } from 'bun'
import { badEntry, ChainWalk, isIntact } from '../journal/chain-walk'
import type { EntryRow } from '../journal/reader'
import type { TenantVerdict, Unjournaled, Verdict } from '../journal/verify'
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
  const unjournaled = await pgUnjournaled(sql, tenant)
  if (tenant !== undefined && chains.length === 0)
    return {
      ok: true,
      tenants: [{ tenant, count: 0, head: '', checkpointSeq: null, checkpointHash: null }],
      ...unjournaled,
    }
  const verdicts: TenantVerdict[] = []
  for (const chain of chains) {
    if (chain.headSeq === null) return badEntry(chain.tenant, null, 'the tenant has entries but no chain head')
    const checkpointSeq = chain.checkpointSeq === null ? null : Number(chain.checkpointSeq)
    const walk = new ChainWalk(chain.tenant, checkpointSeq, chain.checkpointHash)
    let after = -1
    for (;;) {
      const rows = (await sql.unsafe(
        `SELECT ${PG_ENTRY_COLUMNS} FROM journal WHERE tenant = $1 AND seq > $2 ORDER BY seq LIMIT ${PAGE}`,
        [chain.tenant, after]
      )) as EntryRow[]
      for (const raw of rows) {
        const row = { ...raw, seq: Number(raw.seq) }
        const broken = walk.step(row)
        if (broken) return broken
        after = row.seq
      }
      if (rows.length < PAGE) break
    }
    const verdict = walk.finish(Number(chain.headSeq), chain.headHash)
    if (!isIntact(verdict)) return verdict
    verdicts.push(verdict)
  }
  return { ok: true, tenants: verdicts, ...unjournaled }
}

/** The tenants with resources and no journal at all (verify.ts Unjournaled), as SQLite's verify finds them. */
async function pgUnjournaled(sql: SQL, tenant: string | undefined): Promise<{ unjournaled?: Unjournaled[] }> {
  const rows = (await sql.unsafe(
    `SELECT t.name AS tenant, (SELECT count(*) FROM resources r WHERE r.tenant = t.name)::int AS resources
     FROM tenants t WHERE ($1::text IS NULL OR t.name = $1)
       AND NOT EXISTS (SELECT 1 FROM journal_chains c WHERE c.tenant = t.name)
       AND NOT EXISTS (SELECT 1 FROM journal j WHERE j.tenant = t.name)
     ORDER BY t.name COLLATE "C"`,
    [tenant ?? null]
  )) as Unjournaled[]
  const found = rows.filter((u) => u.resources > 0)
  return found.length > 0 ? { unjournaled: found } : {}
}
