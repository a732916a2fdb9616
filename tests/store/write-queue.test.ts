// Group commit: one transaction per batch, errors isolated to their own job, results per job.
import { expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { WriteQueue } from '../../src/store/write-queue'

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
