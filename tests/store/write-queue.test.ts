// Group commit: one transaction per batch, errors isolated to their own job, results per job.
import { expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ScimError } from '../../src/scim/errors'
import { WriteQueue } from '../../src/store/write-queue'
import { holdWriteLock } from '../helpers/write-lock'

function setup() {
  const db = new Database(':memory:')
  db.run('CREATE TABLE t (k TEXT PRIMARY KEY)')
  return { db, queue: new WriteQueue(db), insert: (k: string) => db.run('INSERT INTO t VALUES (?)', [k]) }
}

test('writes queued in the same turn share one batch and each gets its own result', async () => {
  const { db, queue, insert } = setup()
  const results = await Promise.all(
    ['a', 'b', 'c'].map((k) =>
      queue.run(() => {
        insert(k)
        return k.toUpperCase()
      })
    )
  )
  expect(results).toEqual(['A', 'B', 'C'])
  expect(queue.batches).toBe(1)
  expect(db.query('SELECT count(*) AS n FROM t').get()).toEqual({ n: 3 })
})

test('a failing job rolls back only its own changes', async () => {
  const { db, queue, insert } = setup()
  const settled = await Promise.allSettled([
    queue.run(() => insert('a')),
    queue.run(() => {
      insert('b')
      insert('a') // duplicate key: this job fails after writing 'b'
    }),
    queue.run(() => insert('c')),
  ])
  expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
  expect((db.query('SELECT k FROM t ORDER BY k').all() as { k: string }[]).map((r) => r.k)).toEqual(['a', 'c'])
})

test('a later turn starts a new batch', async () => {
  const { queue, insert } = setup()
  await queue.run(() => insert('a'))
  await queue.run(() => insert('b'))
  expect(queue.batches).toBe(2)
})

test('an error that aborts the whole transaction fails every job of the batch, and the queue carries on', async () => {
  const { db, queue, insert } = setup()
  db.run('PRAGMA max_page_count = 3')
  const settled = await Promise.allSettled([
    queue.run(() => insert('small')),
    queue.run(() => insert('x'.repeat(100_000))), // SQLITE_FULL: SQLite rolls back the transaction
    queue.run(() => insert('other')),
  ])
  expect(settled.every((s) => s.status === 'rejected')).toBe(true)
  expect(db.inTransaction).toBe(false)
  db.run('PRAGMA max_page_count = 100000')
  await queue.run(() => insert('after'))
  expect((db.query('SELECT k FROM t').all() as { k: string }[]).map((r) => r.k)).toEqual(['after'])
})

/** A WAL database file with the table writes go to and the settings table holdWriteLock writes. */
function fileSetup(busyTimeoutMs: number, maxWaitingJobs?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'write-queue-'))
  const path = join(dir, 'q.db')
  const db = new Database(path)
  db.run('PRAGMA journal_mode = WAL')
  db.run(`PRAGMA busy_timeout = ${busyTimeoutMs}`)
  db.run('CREATE TABLE t (k TEXT PRIMARY KEY)')
  db.run('CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT)')
  const insert = (k: string) => db.run('INSERT INTO t VALUES (?)', [k])
  const count = () => (db.query('SELECT count(*) AS n FROM t').get() as { n: number }).n
  return {
    path,
    db,
    queue: new WriteQueue(db, undefined, maxWaitingJobs),
    insert,
    count,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

test('while another process holds the write lock, writes wait without holding up the event loop, then commit', async () => {
  const { path, db, queue, insert, count, remove } = fileSetup(5000)
  try {
    const lock = holdWriteLock(path, 800)
    await lock.held
    let settled = false
    const writes = Promise.all([queue.run(() => insert('a')), queue.run(() => insert('b'))]).finally(() => {
      settled = true
    })
    // Waiting inside SQLite's busy handler would stop this timer, and every request, until the lock
    // is let go: the timer would then fire only after the writes had committed.
    await Bun.sleep(20)
    expect(settled).toBe(false)
    expect(count()).toBe(0) // reads go on meanwhile
    // A write queued while the others wait joins them, in order.
    const later = queue.run(() => insert('c'))
    expect(await writes).toHaveLength(2)
    await later
    expect(await lock.done).toBe(0)
    expect((db.query('SELECT k FROM t ORDER BY rowid').all() as { k: string }[]).map((r) => r.k)).toEqual([
      'a',
      'b',
      'c',
    ])
  } finally {
    db.close()
    remove()
  }
})

test('a lock held past busy_timeout fails the waiting writes with a 503, and the queue carries on', async () => {
  const { path, db, queue, insert, count, remove } = fileSetup(100)
  try {
    const lock = holdWriteLock(path, 600)
    await lock.held
    const settled = await Promise.allSettled([queue.run(() => insert('a')), queue.run(() => insert('b'))])
    // As every storage refusal, translated to a 503 (store/errors.ts).
    const reasons = settled.map((s) => (s.status === 'rejected' ? (s.reason as ScimError) : undefined))
    expect(reasons.map((r) => [r?.status, String(r?.cause)])).toEqual([
      [503, expect.stringContaining('SQLITE_BUSY')],
      [503, expect.stringContaining('SQLITE_BUSY')],
    ])
    expect(await lock.done).toBe(0)
    await queue.run(() => insert('after'))
    expect(count()).toBe(1)
  } finally {
    db.close()
    remove()
  }
})

test('past the bound of writes waiting for the lock, a write fails at once with the 503, and the waiting ones commit', async () => {
  // At most two writes wait (a server lets 256).
  const { path, db, queue, insert, count, remove } = fileSetup(5000, 2)
  try {
    const lock = holdWriteLock(path, 600)
    await lock.held
    const waiting = [queue.run(() => insert('a')), queue.run(() => insert('b'))]
    await Bun.sleep(30) // the queue has found the lock taken and waits
    const order: string[] = []
    for (const [i, write] of waiting.entries()) void write.then(() => order.push(`waiting ${i}`))
    const refused = queue
      .run(() => insert('c'))
      .then(
        () => 'committed',
        (error: ScimError) => {
          order.push('refused')
          return [error.status, String(error.cause)]
        }
      )
    expect(await refused).toEqual([503, expect.stringContaining('SQLITE_BUSY')])
    await Promise.all(waiting)
    // At once: before the lock was let go, so before the waiting writes could commit.
    expect(order).toEqual(['refused', 'waiting 0', 'waiting 1'])
    expect(await lock.done).toBe(0)
    expect(count()).toBe(2)
  } finally {
    db.close()
    remove()
  }
})
