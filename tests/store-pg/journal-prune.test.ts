// pgPruneJournal: old entries go as a prefix, the checkpoint moves, verify still proves the rest; replicas pruning at once agree.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { drizzle } from 'drizzle-orm/bun-sql'
import { pgPruneJournal } from '../../src/store-pg/journal-prune'
import { verifyPgJournal } from '../../src/store-pg/journal-verify'
import { createPgResourceStore } from '../../src/store-pg/resource-store'
import { builtinRegistry, typeOf } from '../helpers/generate'
import { createDraft } from '../helpers/journal-draft'
import { migratedDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()
const User = typeOf(builtinRegistry(), 'User')

describe.skipIf(!server)('store-pg/journal-prune', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await migratedDatabase(server!)
    const store = createPgResourceStore(drizzle({ client: db.sql }))
    // Ten entries a day apart, from 2026-01-01 on.
    for (let day = 1; day <= 10; day++) {
      const at = `2026-01-${String(day).padStart(2, '0')}T00:00:00.000Z`
      const id = `u${day}`
      await store.write(function* (tx) {
        yield* tx.insert(User, { id, type: 'User', data: { userName: id }, version: 1, created: at, lastModified: at })
        yield* tx.journal(createDraft(id, at, null))
      })
    }
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('two replicas pruning at once delete the old prefix once between them; the kept entries still verify', async () => {
    const cutoff = '2026-01-05T12:00:00.000Z'
    const [a, b] = await Promise.all([pgPruneJournal(db.sql, cutoff), pgPruneJournal(db.sql, cutoff)])
    expect(a + b).toBe(5)
    const kept = (await db.sql`SELECT at FROM journal ORDER BY seq`) as { at: string }[]
    expect(kept.map((r) => r.at.slice(8, 10))).toEqual(['06', '07', '08', '09', '10'])
    const verdict = await verifyPgJournal(db.sql)
    expect(verdict.ok).toBe(true)
    expect(await pgPruneJournal(db.sql, cutoff)).toBe(0)
  })
})
