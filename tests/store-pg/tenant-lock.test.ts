// lockTenant: concurrent appends to one tenant's hash chain from several connections never fork it; one statement a transaction.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { SQL } from 'bun'
import { createHash } from 'node:crypto'
import { lockTenant, TENANT_LOCK_SPACE } from '../../src/store-pg/tenant-lock'
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

  /** 40 appends over 4 connections (four replicas) to 2 tenants; `head` reads a chain's last entry under the lock. */
  async function appendConcurrently(
    table: string,
    head: (tx: SQL, tenant: string) => Promise<Record<string, unknown>[]>
  ) {
    const replicas = Array.from({ length: 4 }, () => new SQL(db.url, { max: 1 }))
    const append = (sql: SQL, tenant: string, n: number) =>
      sql.begin(async (tx) => {
        const [last] = await head(tx, tenant)
        const prev = (last?.hash as string | undefined) ?? 'genesis'
        const hash = createHash('sha256').update(`${prev}|${n}`).digest('hex')
        await tx.unsafe(`INSERT INTO ${table} VALUES ($1, $2, $3, $4)`, [
          tenant,
          ((last?.seq as number) ?? 0) + 1,
          prev,
          hash,
        ])
      })
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => append(replicas[i % 4]!, i % 2 === 0 ? 'default' : 'acme', i))
    )
    await Promise.all(replicas.map((r) => r.close()))
  }

  test('40 appends over 4 connections to 2 tenants: each chain is one line, no two entries share a predecessor', async () => {
    await appendConcurrently('chain', async (tx, tenant) => {
      await lockTenant(tx, tenant)
      return tx`SELECT seq, hash FROM chain WHERE tenant = ${tenant} ORDER BY seq DESC LIMIT 1`
    })
    await expectOneLine('chain')
  })

  test('the head read sent right behind the lock, without waiting for it (pipelined), still sees the last holder’s entry', async () => {
    // The server runs a connection's statements one after another and each takes its snapshot
    // when it starts, so the read behind a lock that waits sees what the holder committed.
    await db.sql`CREATE TABLE chain2 (LIKE chain)`
    await appendConcurrently('chain2', async (tx, tenant) => {
      const [, rows] = await Promise.all([
        lockTenant(tx, tenant),
        tx`SELECT seq, hash FROM chain2 WHERE tenant = ${tenant} ORDER BY seq DESC LIMIT 1`,
      ])
      return rows
    })
    await expectOneLine('chain2')
  })

  test('asked again in the same transaction, it sends no statement, and the lock stays held', async () => {
    const other = new SQL(db.url, { max: 1 })
    const heldElsewhere = async (tenant: string) => {
      const [row] = await other`SELECT pg_try_advisory_xact_lock(${TENANT_LOCK_SPACE}::int, hashtext(${tenant})) AS got`
      return !row.got
    }
    try {
      await db.sql.begin(async (tx) => {
        let sent = 0
        // Counts the statements lockTenant sends through the transaction.
        const counted = new Proxy(tx, {
          apply(target, self, args) {
            sent++
            return Reflect.apply(target, self, args)
          },
        })
        await lockTenant(counted, 'default')
        await lockTenant(counted, 'default')
        await Promise.all([lockTenant(counted, 'default'), lockTenant(counted, 'default')])
        expect(sent).toBe(1)
        expect(await heldElsewhere('default')).toBe(true)
        // Another tenant's lock is a statement of its own.
        await lockTenant(counted, 'acme')
        expect(sent).toBe(2)
        expect(await heldElsewhere('acme')).toBe(true)
      })
      // A new transaction sends it again: the lock ended with the last one.
      expect(await heldElsewhere('default')).toBe(false)
      await db.sql.begin(async (tx) => {
        await lockTenant(tx, 'default')
        expect(await heldElsewhere('default')).toBe(true)
      })
    } finally {
      await other.close()
    }
  })

  async function expectOneLine(table: string) {
    for (const tenant of ['default', 'acme']) {
      const rows = await db.sql.unsafe(`SELECT seq, prev, hash FROM ${table} WHERE tenant = $1 ORDER BY seq`, [tenant])
      expect(rows.map((r: { seq: number }) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
      rows.forEach((r: { prev: string }, i: number) => {
        expect(r.prev).toBe(i === 0 ? 'genesis' : rows[i - 1].hash)
      })
    }
  }
})
