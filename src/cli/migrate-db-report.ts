// What `migrate-db` checks and says: whether the target already holds data, and the source and target compared.
import type { SQL } from 'bun'
import type { Verdict } from '../journal/verify'
import type { Counts } from './migrate-db-copy'
import { COPIED_TABLES, SKIPPED_TABLES, STATE_TABLES } from './migrate-db-tables'

/**
 * What the target already holds, as "3 resources, 1 tokens", or undefined when it holds no data.
 * The PostgreSQL migrations make the default tenant themselves; that row counts only once
 * someone changed it.
 */
export async function contentsProblem(tx: SQL): Promise<string | undefined> {
  const held: string[] = []
  for (const name of STATE_TABLES) {
    const made =
      name === 'tenants' ? ` WHERE NOT (name = 'default' AND packs = '[]' AND schemas = '[]' AND settings = '{}')` : ''
    const [row] = (await tx.unsafe(`SELECT count(*)::int AS n FROM ${name}${made}`)) as { n: number }[]
    if (row && row.n > 0) held.push(`${row.n} ${name}`)
  }
  return held.length > 0 ? held.join(', ') : undefined
}

/**
 * One line per tenant (server-wide tables last): each table's rows, `source → target` where the
 * two differ, and the tables not copied. `ok` when every copied table's counts agree.
 */
export function comparisonLines(source: Counts, target: Counts): { ok: boolean; lines: string[] } {
  let ok = true
  const tenants = [...new Set([...source.keys(), ...target.keys()])].sort((a, b) =>
    a === '' ? 1 : b === '' ? -1 : a < b ? -1 : a > b ? 1 : 0
  )
  const lines = tenants.map((tenant) => {
    const from = source.get(tenant) ?? new Map<string, number>()
    const to = target.get(tenant) ?? new Map<string, number>()
    const parts: string[] = []
    for (const { name } of COPIED_TABLES) {
      const a = from.get(name) ?? 0
      const b = to.get(name) ?? 0
      if (a !== b) {
        ok = false
        parts.push(`${name} ${a} on SQLite but ${b} on PostgreSQL`)
      } else if (a > 0) parts.push(`${name} ${a}`)
    }
    for (const name of Object.keys(SKIPPED_TABLES)) {
      const a = from.get(name) ?? 0
      if (a > 0) parts.push(`${name} ${a} not copied`)
    }
    const who = tenant === '' ? 'server-wide' : `tenant ${tenant}`
    return `${who}: ${parts.join(', ') || 'no rows'}`
  })
  const skipped = Object.entries(SKIPPED_TABLES)
    .filter(([name]) => [...source.values()].some((tables) => (tables.get(name) ?? 0) > 0))
    .map(([, why]) => why)
  return { ok, lines: [...lines, ...skipped] }
}

/** Both journals intact, with the same tenants, entry counts, heads and checkpoints. */
export function verdictsAgree(source: Verdict, target: Verdict): boolean {
  if (!source.ok || !target.ok) return false
  const key = (v: typeof source) =>
    JSON.stringify(v.tenants.map((t) => [t.tenant, t.count, t.head, t.checkpointSeq]).sort())
  return key(source) === key(target)
}
