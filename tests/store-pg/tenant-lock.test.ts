// lockTenant: concurrent appends to one tenant's hash chain from several connections never fork it.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { SQL } from 'bun'
import { createHash } from 'node:crypto'
import { lockTenant } from '../../src/store-pg/tenant-lock'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()

describe.skipIf(!server)('store-pg/tenant-lock', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await freshDatabase(server!)
    await db.sql`CREATE TABLE chain (tenant text NOT NULL, seq int NOT NULL, prev text NOT NULL, hash text NOT NULL)`
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('40 appends over 4 connections to 2 tenants: each chain is one line, no two entries share a predecessor', async () => {
    // Four clients stand for four replicas, each with its own connection.
    const replicas = Array.from({ length: 4 }, () => new SQL(db.url, { max: 1 }))
    const append = (sql: SQL, tenant: string, n: number) =>
      sql.begin(async (tx) => {
        await lockTenant(tx, tenant)
        const [last] = await tx`SELECT seq, hash FROM chain WHERE tenant = ${tenant} ORDER BY seq DESC LIMIT 1`
        const prev = (last?.hash as string | undefined) ?? 'genesis'
        const hash = createHash('sha256').update(`${prev}|${n}`).digest('hex')
        await tx`INSERT INTO chain VALUES (${tenant}, ${(last?.seq ?? 0) + 1}, ${prev}, ${hash})`
      })
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => append(replicas[i % 4]!, i % 2 === 0 ? 'default' : 'acme', i))
    )
    await Promise.all(replicas.map((r) => r.close()))
    for (const tenant of ['default', 'acme']) {
      const rows = await db.sql`SELECT seq, prev, hash FROM chain WHERE tenant = ${tenant} ORDER BY seq`
      expect(rows.map((r: { seq: number }) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
      rows.forEach((r: { prev: string }, i: number) => {
        expect(r.prev).toBe(i === 0 ? 'genesis' : rows[i - 1].hash)
      })
    }
  })
})
