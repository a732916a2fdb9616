// The PostgreSQL journal feed's reads: entries after a position, and their seqs alone for counting.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { drizzle } from 'drizzle-orm/bun-sql'
import { PgJournalFeed } from '../../src/store-pg/events-journal'
import { createPgResourceStore } from '../../src/store-pg/resource-store'
import { builtinRegistry, typeOf } from '../helpers/generate'
import { createDraft } from '../helpers/journal-draft'
import { migratedDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()
const User = typeOf(builtinRegistry(), 'User')

describe.skipIf(!server)('store-pg/journal-read', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await migratedDatabase(server!)
    const store = createPgResourceStore(drizzle({ client: db.sql }))
    for (let i = 1; i <= 6; i++) {
      const at = `2026-01-01T00:00:0${i}.000Z`
      await store.write(function* (tx) {
        yield* tx.insert(User, {
          id: `u${i}`,
          type: 'User',
          data: { userName: `u${i}` },
          version: 1,
          created: at,
          lastModified: at,
        })
        yield* tx.journal(createDraft(`u${i}`, at, null))
      })
    }
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('seqsAfter gives the seqs of the entries after gives, with the same position and limit', async () => {
    const feed = new PgJournalFeed(db.sql)
    const all = (await feed.after('default', 0, Number.POSITIVE_INFINITY)).map((e) => e.seq)
    expect(all).toHaveLength(6)
    expect(await feed.seqsAfter('default', 0, Number.POSITIVE_INFINITY)).toEqual(all)
    expect(await feed.seqsAfter('default', all[1]!, 3)).toEqual(all.slice(2, 5))
    expect(await feed.seqsAfter('other', 0, 10)).toEqual([])
  })
})
