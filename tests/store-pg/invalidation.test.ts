// Cross-replica cache invalidation over LISTEN/NOTIFY: delivered on commit only, split under the payload limit, a reconnect drops all.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { SQL } from 'bun'
import {
  type Invalidation,
  invalidationPayloads,
  publishInvalidation,
  subscribeInvalidations,
} from '../../src/store-pg/invalidation'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()

test('payloads stay under the NOTIFY limit and together carry every id', () => {
  const ids = Array.from({ length: 2000 }, (_, i) => `${i}`.padStart(36, 'x'))
  const payloads = invalidationPayloads({ tenant: 'acme', ids })
  expect(payloads.length).toBeGreaterThan(1)
  for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000)
  expect(payloads.flatMap((p) => (JSON.parse(p) as Invalidation).ids)).toEqual(ids)
  expect(invalidationPayloads({ tenant: 'acme', ids: [] })).toEqual(['{"tenant":"acme","ids":[]}'])
})

describe.skipIf(!server)('store-pg/invalidation', () => {
  let db: TestDatabase
  let replicaB: SQL
  const seen: (Invalidation | 'all')[] = []
  let waiting: (() => void) | undefined
  /** Resolves once B has seen `n` invalidations in all. */
  const seenCount = (n: number) =>
    new Promise<void>((resolve) => {
      waiting = () => seen.length >= n && resolve()
      waiting()
    })
  const record = (x: Invalidation | 'all') => {
    seen.push(x)
    waiting?.()
  }

  beforeAll(async () => {
    db = await freshDatabase(server!)
    replicaB = new SQL(db.url, { max: 2 })
    await subscribeInvalidations(replicaB, { drop: record, dropAll: () => record('all') })
  })
  afterAll(async () => {
    await replicaB?.close()
    await db?.drop()
  })

  test('a committed write reaches the other replica; a rolled-back one never does', async () => {
    await db.sql
      .begin(async (tx) => {
        await publishInvalidation(tx, { tenant: 'default', ids: ['rolled-back'] })
        throw new Error('roll back')
      })
      .catch(() => undefined)
    await db.sql.begin(async (tx) => {
      await publishInvalidation(tx, { tenant: 'default', ids: ['u1', 'u2'] })
    })
    await seenCount(1)
    // Notifications arrive in commit order, so had the rolled-back one been sent it would be first.
    expect(seen).toEqual([{ tenant: 'default', ids: ['u1', 'u2'] }])
  })

  test('a payload that is not an invalidation drops everything', async () => {
    const before = seen.length
    await db.sql`SELECT pg_notify('scim_invalidate', 'garbage')`
    await seenCount(before + 1)
    expect(seen.at(-1)).toBe('all')
  })

  test('after the listening connection drops and comes back, everything is dropped (notifications were lost)', async () => {
    const before = seen.length
    await db.sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`
    await seenCount(before + 1)
    expect(seen.at(-1)).toBe('all')
    // And it listens again.
    await db.sql`SELECT pg_notify('scim_invalidate', ${JSON.stringify({ tenant: 't2', ids: ['g9'] })})`
    await seenCount(before + 2)
    expect(seen.at(-1)).toEqual({ tenant: 't2', ids: ['g9'] })
  })
})
