// Storage side of the limits: the lookup cache's byte budget, document size in toRow, a full disk.
import { describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { ScimError } from '../../src/scim/errors'
import { limitsWith } from '../../src/scim/limits'
import { buildRegistry } from '../../src/scim/schema/builtin'
import type { RawRows } from '../../src/store/hot-statements'
import { LookupCache } from '../../src/store/lookup-cache'
import { toRow } from '../../src/store/rows'
import { WriteQueue } from '../../src/store/write-queue'

const rowsOf = (data: string): RawRows => [
  { rowid: 1, id: 'id', data, version: 1, created: 'c', lastModified: 'm', groups: null },
]

describe('store/lookup-cache byte budget', () => {
  test('entries are bounded by bytes, not only by count: 1 KB entries in a 10 KB budget keep under 10', () => {
    const cache = new LookupCache(10_000, 10_240)
    const load = () => rowsOf('x'.repeat(1000))
    // Admitted on the second miss; a third pass, newest first, counts what stayed.
    for (let pass = 0; pass < 2; pass++) for (let i = 0; i < 100; i++) cache.get('User', 'name', `u${i}`, load)
    const before = cache.hits
    for (let i = 99; i >= 0; i--) cache.get('User', 'name', `u${i}`, load)
    const kept = cache.hits - before
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThanOrEqual(10)
  })

  test('every key is admitted on its second miss, also with 20,000 in turn (none lost to a shared doorkeeper slot)', () => {
    const cache = new LookupCache(100_000, 64 * 1024 * 1024)
    const load = () => rowsOf('z'.repeat(100))
    for (let pass = 0; pass < 2; pass++) for (let i = 0; i < 20_000; i++) cache.get('User', 'name', `u${i}`, load)
    const before = cache.hits
    for (let i = 0; i < 20_000; i++) cache.get('User', 'name', `u${i}`, load)
    expect(cache.hits - before).toBe(20_000)
  })

  test("empty results count their entry's bookkeeping: a 16 KiB budget holds far fewer than 1,000", () => {
    const cache = new LookupCache(undefined, 16 * 1024)
    const load = (): RawRows => []
    for (let pass = 0; pass < 2; pass++) for (let i = 0; i < 1000; i++) cache.get('User', 'name', `u${i}`, load)
    const before = cache.hits
    for (let i = 999; i >= 0; i--) cache.get('User', 'name', `u${i}`, load)
    const kept = cache.hits - before
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThan((16 * 1024) / 64)
  })

  test('an entry larger than the whole budget is simply not cached', () => {
    const cache = new LookupCache(10_000, 1024)
    const load = () => rowsOf('y'.repeat(5000))
    for (let i = 0; i < 3; i++) cache.get('User', 'name', 'big', load)
    expect(cache.hits).toBe(0)
  })
})

describe('store/rows toRow', () => {
  const type = buildRegistry().resourceType('User')!
  const row = (title: string) => ({
    id: 'i',
    type: 'User',
    data: { userName: 'u', title },
    version: 1,
    created: 'c',
    lastModified: 'm',
  })

  test('counts UTF-8 bytes: 1,000 three-byte characters are 3,000 bytes', () => {
    const limits = limitsWith({ maxDocumentBytes: 2048 })
    expect(() => toRow('default', type, row('a'.repeat(1000)), limits)).not.toThrow()
    const err = (() => {
      try {
        toRow('default', type, row('€'.repeat(1000)), limits)
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(ScimError)
    expect((err as ScimError).status).toBe(413)
  })
})

describe('store/write-queue storage full', () => {
  function fullDatabase() {
    const db = new Database(':memory:')
    db.run('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)')
    db.run('INSERT INTO t VALUES (?, ?)', ['kept', 'x'])
    const pages = (db.query('PRAGMA page_count').get() as { page_count: number }).page_count
    db.run(`PRAGMA max_page_count = ${pages}`)
    return db
  }

  test('SQLITE_FULL rejects every job of the batch as a 503 ScimError, and none of them is kept', async () => {
    const db = fullDatabase()
    const queue = new WriteQueue(db)
    const insert = (k: string) => () => db.run('INSERT INTO t VALUES (?, ?)', [k, 'v'.repeat(8000)])
    const settled = await Promise.allSettled([
      queue.run(insert('a')),
      queue.run(insert('b')),
      queue.run(() => db.run("UPDATE t SET v = 'y' WHERE k = 'kept'")),
    ])
    for (const s of settled) {
      expect(s.status).toBe('rejected')
      const reason = (s as PromiseRejectedResult).reason
      expect(reason).toBeInstanceOf(ScimError)
      expect(reason.status).toBe(503)
      expect(String(reason.cause)).toContain('SQLITE_FULL')
    }
    expect(db.query('SELECT k, v FROM t').all()).toEqual([{ k: 'kept', v: 'x' }])
    // Once there is room again, writes go through.
    db.run('PRAGMA max_page_count = 1073741823')
    await queue.run(insert('a'))
    expect((db.query('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(2)
  })

  /** A queue over a full database, at a clock the test moves, whose write has just failed. */
  async function failedWrite(freeBytes: () => number | undefined) {
    const db = fullDatabase()
    const clock = { now: 0 }
    const queue = new WriteQueue(db, () => clock.now, undefined, freeBytes)
    await queue.run(() => db.run('INSERT INTO t VALUES (?, ?)', ['a', 'v'.repeat(8000)])).catch(() => undefined)
    expect(queue.storageProblem()).toContain('SQLITE_FULL')
    return { queue, clock }
  }

  test('after a full disk, writes stay failing (readiness) until room is made, not only for 10 s', async () => {
    let free = 4096
    const { queue, clock } = await failedWrite(() => free)
    clock.now += 60_000
    expect(queue.storageProblem()).toContain('SQLITE_FULL')
    free += 2 * 1_048_576
    expect(queue.storageProblem()).toBeUndefined()
  })

  test('a full database whose file system has room (max_page_count) is remembered for 10 s', async () => {
    const { queue, clock } = await failedWrite(() => undefined)
    clock.now += 10_001
    expect(queue.storageProblem()).toBeUndefined()
  })

  test('a read-only database is the same 503', async () => {
    const path = `/tmp/scim-readonly-${process.pid}.db`
    const rw = new Database(path)
    rw.run('CREATE TABLE IF NOT EXISTS t (k TEXT)')
    rw.close()
    const ro = new Database(path, { readonly: true })
    const err = await new WriteQueue(ro).run(() => ro.run("INSERT INTO t VALUES ('a')")).catch((e) => e)
    ro.close()
    await Bun.file(path).delete()
    expect(err).toBeInstanceOf(ScimError)
    expect(err.status).toBe(503)
  })

  test('other failures stay what they are', async () => {
    const db = new Database(':memory:')
    const err = await new WriteQueue(db).run(() => db.run('INSERT INTO missing VALUES (1)')).catch((e) => e)
    expect(err).not.toBeInstanceOf(ScimError)
  })
})
