// The PostgreSQL journal feed's reads: entries after a position, their seqs alone for counting, entries within a byte budget.
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

describe.skipIf(!server)('store-pg/journal-read within a byte budget', () => {
  let db: TestDatabase
  /** Each entry's stored text (changes and compat) in UTF-8 bytes, in seq order. */
  let bytes: number[]
  beforeAll(async () => {
    db = await migratedDatabase(server!)
    const store = createPgResourceStore(drizzle({ client: db.sql }))
    for (let i = 0; i < 5; i++) {
      const draft = createDraft(`u${i}`)
      // é is two bytes in UTF-8: the budget counts bytes, not characters.
      await store.write((tx) =>
        tx.journal({ ...draft, changes: [{ path: 'description', after: `${i}`.padEnd(1000, 'é') }] })
      )
    }
    const rows =
      (await db.sql`SELECT octet_length(changes) + octet_length(compat) AS bytes FROM journal ORDER BY seq`) as {
        bytes: number
      }[]
    bytes = rows.map((r) => Number(r.bytes))
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('reads the entries whose stored text fits, cut in SQL, and says the budget cut the read', async () => {
    const feed = new PgJournalFeed(db.sql)
    expect(bytes[0]).toBeGreaterThan(2_000)
    const page = await feed.within('default', 0, 500, bytes[0]! + bytes[1]! + bytes[2]! - 1)
    expect(page.entries.map((e) => e.resourceId)).toEqual(['u0', 'u1'])
    expect(page.bytes).toEqual(bytes.slice(0, 2))
    expect(page.cut).toBe(true)
    expect(page.entries).toEqual(await feed.after('default', 0, 2))
    // The limit comes first, and a read that ends at the journal's end was not cut.
    expect(await feed.within('default', 0, 1, 1e9)).toMatchObject({ cut: false, bytes: bytes.slice(0, 1) })
    const rest = await feed.within('default', page.entries[1]!.seq, 500, 1e9)
    expect(rest.entries.map((e) => e.resourceId)).toEqual(['u2', 'u3', 'u4'])
    expect(rest.cut).toBe(false)
  })

  test('an entry larger than the budget is read alone; another tenant reads nothing', async () => {
    const feed = new PgJournalFeed(db.sql)
    const page = await feed.within('default', 0, 500, 10)
    expect(page.entries.map((e) => e.resourceId)).toEqual(['u0'])
    expect(page.cut).toBe(true)
    expect(await feed.within('other', 0, 500, 10)).toEqual({ entries: [], bytes: [], cut: false })
  })
})
