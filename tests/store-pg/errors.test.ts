// PostgreSQL failures as SCIM errors: uniqueness from the constraint names, retryable conflicts, 503 when the server cannot write.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { SQL } from 'bun'
import { drizzle } from 'drizzle-orm/bun-sql'
import { ScimError, UnknownReferenceError } from '../../src/scim/errors'
import { isRetryable, translatePgConstraintError, translatePgStorageError } from '../../src/store-pg/errors'
import { applyPgMigrations } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { createPgResourceStore } from '../../src/store-pg/resource-store'
import { resources } from '../../src/store-pg/tables'
import { lockTenant } from '../../src/store-pg/tenant-lock'
import { createDraft } from '../helpers/journal-draft'
import { builtinRegistry, typeOf } from '../helpers/generate'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()
const T0 = '2026-01-01T00:00:00.000Z'
const User = typeOf(builtinRegistry(), 'User')
const fail = (p: PromiseLike<unknown>) =>
  Promise.resolve(p).then(
    () => undefined,
    (err: unknown) => err
  )

const row = (id: string, name: string) => ({
  id,
  type: 'User',
  nameCi: name,
  data: { userName: name },
  version: 1,
  created: '2026-01-01T00:00:00.000Z',
  lastModified: '2026-01-01T00:00:00.000Z',
})

describe.skipIf(!server)('store-pg/errors', () => {
  let db: TestDatabase
  let orm: ReturnType<typeof drizzle>
  beforeAll(async () => {
    db = await freshDatabase(server!)
    await applyPgMigrations(db.sql, MIGRATIONS)
    orm = drizzle({ client: db.sql })
    await db.sql`INSERT INTO tenants (name, created) VALUES ('acme', '2026-01-01T00:00:00.000Z')`
    await orm.insert(resources).values(row('u1', 'bjensen'))
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('a second userName in the tenant and a reused id are 409 uniqueness, without SQL in the detail', async () => {
    for (const [r, detail] of [
      [row('u2', 'bjensen'), 'a User with this userName already exists'],
      [row('u1', 'other'), 'a resource with this id already exists'],
    ] as const) {
      const err = translatePgConstraintError(await fail(orm.insert(resources).values(r)), User)
      expect(err).toBeInstanceOf(ScimError)
      expect((err as ScimError).status).toBe(409)
      expect((err as ScimError).scimType).toBe('uniqueness')
      expect((err as ScimError).message).toBe(detail)
    }
  })

  test('the same userName in another tenant is allowed (the index is per tenant)', async () => {
    await orm.insert(resources).values({ ...row('u3', 'bjensen'), tenant: 'acme' })
  })

  test('a serialization failure between two transactions is retryable; other errors are not', async () => {
    const a = await db.sql.reserve()
    const b = new SQL(db.url, { max: 1 })
    await a`BEGIN ISOLATION LEVEL SERIALIZABLE`
    await a`SELECT version FROM resources WHERE id = 'u1'`
    await b`UPDATE resources SET version = version + 1 WHERE id = 'u1'`
    const err = await fail(a`UPDATE resources SET version = version + 1 WHERE id = 'u1'`)
    await a`ROLLBACK`
    a.release()
    await b.close()
    expect(isRetryable(err)).toBe(true)
    expect(isRetryable(await fail(db.sql`SELECT 1/0`))).toBe(false)
  })

  test('a server that refuses connections is a 503; a bad query is passed on unchanged', async () => {
    const closed = new SQL('postgres://scim@127.0.0.1:1/none', { max: 1, connectionTimeout: 2 })
    const err = translatePgStorageError(await fail(closed`SELECT 1`))
    expect((err as ScimError).status).toBe(503)
    const bad = await fail(db.sql`SELECT 1/0`)
    expect(translatePgStorageError(bad)).toBe(bad)
  })

  test("an index row over PostgreSQL's limit (54000) is 400 invalidValue, not a 500 (the net under toRow's bound)", async () => {
    // Text that does not compress: md5 hex of successive numbers, 3,200 characters.
    const md5s = (await db.sql`SELECT md5(n::text) AS h FROM generate_series(1, 100) n`) as { h: string }[]
    const state = await fail(orm.insert(resources).values(row('u9', md5s.map((r) => r.h).join(''))))
    const err = translatePgConstraintError(state, User)
    expect(err).toBeInstanceOf(ScimError)
    expect([(err as ScimError).status, (err as ScimError).scimType]).toEqual([400, 'invalidValue'])
  })

  test('a membership whose member is gone (a delete committed after the check) is 400 invalidValue, as an unknown member', async () => {
    const err = translatePgConstraintError(
      await fail(db.sql`INSERT INTO group_members (group_id, member_id, member_type) VALUES ('u1', 'gone', 'User')`),
      { name: 'Group' }
    )
    expect(err).toBeInstanceOf(UnknownReferenceError)
    expect([(err as ScimError).status, (err as ScimError).scimType]).toEqual([400, 'invalidValue'])
  })
})

// A database may be set to give up waiting (lock_timeout, statement_timeout, as managed servers often
// are): such a write was rolled back whole and may be sent again, which a 503 says and a 500 does not.
describe.skipIf(!server)('store-pg/errors: a write that waited past the database timeout', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await freshDatabase(server!)
    await applyPgMigrations(db.sql, MIGRATIONS)
    const [current] = (await db.sql`SELECT current_database() AS name`) as { name: string }[]
    await db.sql.unsafe(`ALTER DATABASE "${current!.name}" SET lock_timeout = '150ms'`)
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('is 503 with nothing written, not the driver error (a 500)', async () => {
    // Connections made after the ALTER take the setting.
    const client = new SQL(db.url, { max: 2 })
    const holder = new SQL(db.url, { max: 1 })
    const store = createPgResourceStore(drizzle({ client }))
    try {
      await holder.begin(async (tx) => {
        await lockTenant(tx, 'default')
        const err = await store
          .write(function* (tx) {
            yield* tx.insert(User, {
              id: 'w1',
              type: 'User',
              data: { userName: 'waiter' },
              version: 1,
              created: T0,
              lastModified: T0,
            })
            yield* tx.journal(createDraft('w1', T0, null, 'waiter'))
          })
          .then(
            () => undefined,
            (e: unknown) => e
          )
        expect(err).toBeInstanceOf(ScimError)
        expect((err as ScimError).status).toBe(503)
      })
      expect(await db.sql`SELECT id FROM resources WHERE id = 'w1'`).toHaveLength(0)
    } finally {
      await holder.close()
      await client.close()
    }
  })
})
