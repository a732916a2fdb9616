// Differential test: evaluateFilter (RFC 7644 §3.4.2.2 in memory) and filterToSql must select the same resources.
// Data is ASCII except some userNames, which SQL compares in name_ci: SQLite lower()/LIKE fold ASCII only (see filter-sql-ops.ts).
import { describe, expect, test } from 'bun:test'
import { parseFilter } from '../../src/scim/filter/parser'
import { resolveFilter } from '../../src/scim/filter/resolve'
import { evaluateFilter } from '../../src/scim/filter/evaluate'
import { filterToSql } from '../../src/store/filter-sql'
import { openDatabase } from '../../src/store/db'
import { ScimError } from '../../src/scim/errors'
import { builtinRegistry, generateDataset, randomFilter, Rng, sqlIds, storeDataset, typeOf } from '../helpers/generate'

const USERS = Number(process.env.DIFF_USERS ?? 2000)
const GROUPS = Number(process.env.DIFF_GROUPS ?? 60)
const FILTERS = Number(process.env.DIFF_FILTERS ?? 2000)
const SEED = Number(process.env.DIFF_SEED ?? 7644)

describe('conformance/differential', () => {
  test(`SQL and evaluate agree on ${FILTERS} random filters over ${USERS} users / ${GROUPS} groups (seed ${SEED})`, () => {
    const rng = new Rng(SEED)
    const ds = generateDataset(rng, USERS, GROUPS)
    const db = openDatabase(':memory:')
    storeDataset(db, ds)
    const registry = builtinRegistry(true)
    const failures: string[] = []
    let rejected = 0
    let nonEmpty = 0
    for (let i = 0; i < FILTERS; i++) {
      const typeName = i % 6 === 5 ? 'Group' : 'User'
      const text = randomFilter(rng, ds, typeName)
      let resolved
      try {
        resolved = resolveFilter(parseFilter(text), typeOf(registry, typeName))
      } catch (err) {
        // The generator may pair an operator with a type the resolver rightly rejects (e.g. `active co`).
        if (!(err instanceof ScimError) || err.scimType !== 'invalidFilter') throw err
        rejected++
        continue
      }
      const docs = typeName === 'User' ? ds.users : ds.groups
      const expected = docs
        .filter((d) => evaluateFilter(resolved, d))
        .map((d) => d.id as string)
        .sort()
      let actual: string[]
      try {
        actual = sqlIds(db, typeName, filterToSql(resolved, typeOf(registry, typeName)))
      } catch (err) {
        failures.push(`${typeName} ${text}\n  SQL error: ${String(err)}`)
        continue
      }
      if (expected.length > 0 && expected.length < docs.length) nonEmpty++
      if (actual.join() !== expected.join()) {
        const missing = expected.filter((id) => !actual.includes(id)).slice(0, 3)
        const extra = actual.filter((id) => !expected.includes(id)).slice(0, 3)
        failures.push(
          `${typeName} ${text}\n  evaluate ${expected.length}, sql ${actual.length}; only evaluate: ${missing} only sql: ${extra}`
        )
      }
    }
    if (failures.length > 0) console.log(failures.slice(0, 15).join('\n'))
    expect(failures).toEqual([])
    // The generator is useful only if most filters resolve and many select a proper subset.
    expect(rejected).toBeLessThan(FILTERS * 0.35)
    expect(nonEmpty).toBeGreaterThan(FILTERS * 0.3)
  }, 60_000)
})
