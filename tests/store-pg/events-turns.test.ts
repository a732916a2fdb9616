// Push turns on PostgreSQL: one holder per stream, asked again without stacking, released or ended with the session.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { PgPushTurns } from '../../src/store-pg/events-turns'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()

describe.skipIf(!server)('store-pg/events turns', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await freshDatabase(server!)
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('one server holds a stream; a release hands it over; a close ends every turn it held', async () => {
    const a = new PgPushTurns(db.sql)
    const b = new PgPushTurns(db.sql)
    expect(await a.mine('acme', 'push https://r')).toBe(true)
    // Asked again: still its own, and still one hold (one release gives it up).
    expect(await a.mine('acme', 'push https://r')).toBe(true)
    expect(await b.mine('acme', 'push https://r')).toBe(false)
    // Another stream is another turn.
    expect(await b.mine('acme', 'push https://s')).toBe(true)
    // Releasing what it does not hold changes nothing.
    await b.release('acme', 'push https://r')
    expect(await a.mine('acme', 'push https://r')).toBe(true)
    await a.release('acme', 'push https://r')
    expect(await b.mine('acme', 'push https://r')).toBe(true)
    expect(await a.mine('acme', 'push https://r')).toBe(false)
    await b.close()
    // The session's end is seen by the server once its backend has gone.
    for (let i = 0; !(await a.mine('acme', 'push https://s')); i++) {
      if (i > 200) throw new Error('the closed session kept its lock')
      await Bun.sleep(10)
    }
    expect(await a.mine('acme', 'push https://r')).toBe(true)
    await a.close()
    expect(await a.mine('acme', 'push https://r')).toBe(false)
  })
})
