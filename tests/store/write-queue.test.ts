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
  const results = await Promise.all(['a', 'b', 'c'].map((k) => queue.run(() => (insert(k), k.toUpperCase()))))
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
