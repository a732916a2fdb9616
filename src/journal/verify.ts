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
  /**
   * That entry's hash, which the kept ones chain onto. A checkpoint is where the proof starts, so
   * one written by hand over deleted oldest entries passes: compare it with one kept elsewhere.
   */
  checkpointHash: string | null
}

/**
 * A tenant that holds resources but has no journal at all: no entry and no chain record. Written
 * with the journal off, or before it existed, or its entries deleted with their chain record:
 * the database alone cannot tell which, so `verify` names it rather than leave it out.
 */
export interface Unjournaled {
  tenant: string
  resources: number
}

export type Verdict =
  | { ok: true; tenants: TenantVerdict[]; unjournaled?: Unjournaled[] }
  | { ok: false; tenant: string; seq: number | null; problem: string }

interface Chain {
  tenant: string
  headSeq: number | null
  headHash: string | null
  checkpointSeq: number | null
  checkpointHash: string | null
}

/** Entries read at a time; the console's verification lets other requests run between pages. */
const PAGE_ROWS = 5000

/**
 * The walk of every chain of `tenant` (or of every tenant), a page of entries at a time, yielding
 * after each page. The first bad entry is named with why: its hash does not cover its content
 * (edited), its prevHash is not the hash of the entry before it (one deleted or moved in between),
 * or the chain's head is not the last entry (newest deleted). A chain's head is read with its last
 * page, in the same turn, so entries appended while earlier pages were walked are walked too and
 * the head read is the one they end at.
 */
function* walkChains(sqlite: Database, tenant: string | undefined): Generator<undefined, Verdict> {
  const chains = sqlite
    .query<{ tenant: string }, [string | null]>(
      `SELECT tenant FROM (SELECT tenant FROM journal_chains UNION SELECT DISTINCT tenant FROM journal)
       WHERE ?1 IS NULL OR tenant = ?1 ORDER BY tenant`
    )
    .all(tenant ?? null)
  const unjournaled = unjournaledTenants(sqlite, tenant)
  if (tenant !== undefined && chains.length === 0)
    return {
      ok: true,
      tenants: [{ tenant, count: 0, head: '', checkpointSeq: null, checkpointHash: null }],
      ...unjournaled,
    }
  const chainOf = sqlite.query<Chain, [string]>(
    `SELECT ?1 AS tenant, c.head_seq AS headSeq, c.head_hash AS headHash, c.checkpoint_seq AS checkpointSeq,
       c.checkpoint_hash AS checkpointHash FROM (SELECT 1) LEFT JOIN journal_chains c ON c.tenant = ?1`
  )
  const page = sqlite.query<EntryRow, [string, number, number]>(
    `SELECT ${ENTRY_COLUMNS} FROM journal WHERE tenant = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3`
  )
  const verdicts: TenantVerdict[] = []
  for (const { tenant: name } of chains) {
    const start = chainOf.get(name)!
    const walk = new ChainWalk(name, start.checkpointSeq, start.checkpointHash)
    let after = -1
    for (;;) {
      const rows = page.all(name, after, PAGE_ROWS)
      for (const row of rows) {
        const broken = walk.step(row)
        if (broken) return broken
      }
      if (rows.length === PAGE_ROWS) {
        after = rows[rows.length - 1]!.seq
        yield
        continue
      }
      const chain = chainOf.get(name)!
      if (chain.headSeq === null) return badEntry(name, null, 'the tenant has entries but no chain head')
      const verdict = walk.finish(chain.headSeq, chain.headHash)
      if (!isIntact(verdict)) return verdict
      verdicts.push(verdict)
      break
    }
  }
  return { ok: true, tenants: verdicts, ...unjournaled }
}

/** The tenants (of the tenants table) with resources and no journal at all, as Verdict's `unjournaled`. */
function unjournaledTenants(sqlite: Database, tenant: string | undefined): { unjournaled?: Unjournaled[] } {
  const bare = sqlite
    .query<{ name: string }, [string | null]>(
      `SELECT name FROM tenants t WHERE (?1 IS NULL OR name = ?1)
         AND NOT EXISTS (SELECT 1 FROM journal_chains c WHERE c.tenant = t.name)
         AND NOT EXISTS (SELECT 1 FROM journal j WHERE j.tenant = t.name) ORDER BY name`
    )
    .all(tenant ?? null)
  const count = sqlite.query<{ n: number }, [string]>('SELECT count(*) AS n FROM resources WHERE tenant = ?1')
  const found = bare.map(({ name }) => ({ tenant: name, resources: count.get(name)!.n })).filter((u) => u.resources > 0)
  return found.length > 0 ? { unjournaled: found } : {}
}

/** Checks the chains of `tenant` (or of every tenant) at once: what `journal verify` runs. */
export function verifyJournal(sqlite: Database, tenant?: string): Verdict {
  const walk = walkChains(sqlite, tenant)
  for (;;) {
    const next = walk.next()
    if (next.done) return next.value
  }
}

/**
 * verifyJournal for a server that keeps serving meanwhile (the console): other requests run
 * between pages (a million entries held every request back ~3 s). Pruning by retention between
 * two pages would look like deleted entries, so a problem found this way is confirmed by a
 * walk at once before it is reported.
 */
export async function verifyJournalServing(sqlite: Database, tenant?: string): Promise<Verdict> {
  const walk = walkChains(sqlite, tenant)
  for (;;) {
    const next = walk.next()
    if (next.done) return next.value.ok ? next.value : verifyJournal(sqlite, tenant)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** The lines `journal verify` prints: a count per tenant when intact, else the first bad entry. */
export function verdictLines(verdict: Verdict, seconds: number): { lines: string[]; ok: boolean } {
  if (!verdict.ok) {
    const at = verdict.seq === null ? '' : ` at entry ${verdict.seq}`
    return { ok: false, lines: [`journal of tenant ${verdict.tenant} is broken${at}: ${verdict.problem}`] }
  }
  const lines = verdict.tenants.map((t) => {
    const pruned =
      t.checkpointSeq === null ? '' : `, pruned up to entry ${t.checkpointSeq} (checkpoint ${t.checkpointHash})`
    return `tenant ${t.tenant}: ${t.count} entries intact${pruned}${t.head ? `, head ${t.head}` : ''}`
  })
  for (const { tenant, resources } of verdict.unjournaled ?? [])
    lines.push(
      `tenant ${tenant}: no journal at all, yet it holds ${resources} resources (written with the journal off or before it existed, or its entries were deleted with their chain record)`
    )
  const total = verdict.tenants.reduce((sum, t) => sum + t.count, 0)
  lines.push(
    `journal intact: ${total} entries in ${verdict.tenants.length} tenant(s), checked in ${seconds.toFixed(1)} s`
  )
  return { ok: true, lines }
}
