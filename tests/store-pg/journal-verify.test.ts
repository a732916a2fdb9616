// verifyPgJournal names the first bad entry as verifyJournal does: an edited entry, one deleted in between, the newest deleted.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { drizzle } from 'drizzle-orm/bun-sql'
import { verifyPgJournal } from '../../src/store-pg/journal-verify'
import { applyPgMigrations } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { createPgResourceStore } from '../../src/store-pg/resource-store'
import { builtinRegistry, typeOf } from '../helpers/generate'
import { createDraft } from '../helpers/journal-draft'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()
const User = typeOf(builtinRegistry(), 'User')
const T0 = '2026-01-01T00:00:00.000Z'

describe.skipIf(!server)('store-pg/journal-verify', () => {
  let db: TestDatabase
  let seqs: number[]
  beforeAll(async () => {
    db = await freshDatabase(server!)
    await applyPgMigrations(db.sql, MIGRATIONS)
  })
  afterAll(async () => {
    await db?.drop()
  })
  beforeEach(async () => {
    await db.sql`TRUNCATE resources, group_members, journal, journal_chains`
    const store = createPgResourceStore(drizzle({ client: db.sql }))
    for (const id of ['a', 'b', 'c'])
      await store.write(function* (tx) {
        yield* tx.insert(User, { id, type: 'User', data: { userName: id }, version: 1, created: T0, lastModified: T0 })
        yield* tx.journal(createDraft(id, T0, null))
      })
    seqs = ((await db.sql`SELECT seq::int AS seq FROM journal ORDER BY seq`) as { seq: number }[]).map((r) => r.seq)
  })

  test('an intact chain: its count and head', async () => {
    const [head] = (await db.sql`SELECT hash FROM journal ORDER BY seq DESC LIMIT 1`) as { hash: string }[]
    expect(await verifyPgJournal(db.sql)).toEqual({
      ok: true,
      tenants: [{ tenant: 'default', count: 3, head: head!.hash, checkpointSeq: null, checkpointHash: null }],
    })
  })

  // The entries' changes travel to PostgreSQL as JSON values, not strings: what is stored must be
  // the exact text that was hashed, whatever characters and escapes it holds.
  test('changes with quotes, backslashes, escapes and non-ASCII are stored as the exact text that was hashed', async () => {
    const name = 'q"b\\s\u2028l\u0001é😀</x>'
    const store = createPgResourceStore(drizzle({ client: db.sql }))
    await store.write(function* (tx) {
      yield* tx.insert(User, {
        id: 'd',
        type: 'User',
        data: { userName: name },
        version: 1,
        created: T0,
        lastModified: T0,
      })
      yield* tx.journal(createDraft('d', T0, null, name))
    })
    const [row] = (await db.sql`SELECT changes FROM journal WHERE resource_id = 'd'`) as { changes: string }[]
    expect(row!.changes).toBe(JSON.stringify([{ after: name, path: 'userName' }]))
    expect(await verifyPgJournal(db.sql)).toMatchObject({ ok: true })
  })

  test('an edited entry', async () => {
    await db.sql`UPDATE journal SET actor = 'someone else' WHERE seq = ${seqs[1]!}`
    expect(await verifyPgJournal(db.sql)).toEqual({
      ok: false,
      tenant: 'default',
      seq: seqs[1]!,
      problem: 'its hash does not match its content: the entry was edited',
    })
  })

  test('an entry deleted between two others', async () => {
    await db.sql`DELETE FROM journal WHERE seq = ${seqs[1]!}`
    const verdict = await verifyPgJournal(db.sql, 'default')
    expect(verdict).toMatchObject({ ok: false, seq: seqs[2]! })
    expect(!verdict.ok && verdict.problem).toStartWith(`its prevHash is not the hash of entry ${seqs[0]}`)
  })

  test('the newest entry deleted', async () => {
    await db.sql`DELETE FROM journal WHERE seq = ${seqs[2]!}`
    const verdict = await verifyPgJournal(db.sql)
    expect(!verdict.ok && verdict.problem).toBe(
      `the chain's head is entry ${seqs[2]} but the last entry is ${seqs[1]}: the newest entries were deleted`
    )
  })

  test('a tenant without entries is intact and empty', async () => {
    expect(await verifyPgJournal(db.sql, 'nobody')).toEqual({
      ok: true,
      tenants: [{ tenant: 'nobody', count: 0, head: '', checkpointSeq: null, checkpointHash: null }],
    })
  })

  test('a tenant whose entries and chain record are gone, resources kept, is named with their count', async () => {
    await db.sql`DELETE FROM journal`
    await db.sql`DELETE FROM journal_chains`
    for (const verdict of [await verifyPgJournal(db.sql), await verifyPgJournal(db.sql, 'default')])
      expect(verdict).toMatchObject({ ok: true, unjournaled: [{ tenant: 'default', resources: 3 }] })
  })
})
