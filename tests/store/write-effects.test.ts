// The SQLite store runs a write job's effect inside its transaction, synchronously: a job that waits is refused.
import { expect, test } from 'bun:test'
import { awaited, run } from '../../src/service/effect'
import { openDatabase } from '../../src/store/db'
import { createResourceStore } from '../../src/store/resource-store'
import { builtinRegistry, typeOf } from '../helpers/generate'

const User = typeOf(builtinRegistry(), 'User')
const T0 = '2026-01-01T00:00:00.000Z'
const ann = { id: 'u1', type: 'User', data: { userName: 'ann' }, version: 1, created: T0, lastModified: T0 }

function store() {
  const { orm, sqlite } = openDatabase(':memory:')
  return createResourceStore(orm, sqlite)
}

test('reads answer without waiting: run gives the value itself', async () => {
  const s = store()
  await s.write((tx) => tx.insert(User, ann))
  const read = run(s.get(User, 'u1'))
  expect(read instanceof Promise).toBe(false)
  expect((read as { version: number }).version).toBe(1)
})

test('a job of several steps commits as one, and reads its own writes through its transaction', async () => {
  const s = store()
  const seen = await s.write(function* (tx) {
    yield* tx.insert(User, ann)
    const row = yield* tx.get(User, 'u1')
    const { total } = yield* tx.query(User, { startIndex: 1, count: 0 })
    return { data: row?.data, total }
  })
  expect(seen).toEqual({ data: { userName: 'ann' }, total: 1 })
  expect(s.stats().writeJobs).toBe(1)
})

test('a job that waits for a promise fails, and what it wrote before is rolled back', async () => {
  const s = store()
  let resumed = false
  const job = s.write(function* (tx) {
    yield* tx.insert(User, ann)
    yield* awaited(new Promise((resolve) => setTimeout(resolve, 0)))
    // Never reached: the job cannot go on after its transaction.
    resumed = true
    yield* tx.insert(User, { ...ann, id: 'u2', data: { userName: 'bob' } })
  })
  await expect(job).rejects.toThrow('its store is synchronous')
  expect(resumed).toBe(false)
  expect(run(s.get(User, 'u1'))).toBeUndefined()
  expect(run(s.get(User, 'u2'))).toBeUndefined()
})

test('an error thrown by a transaction method rejects the job with that error', async () => {
  const s = store()
  await s.write((tx) => tx.insert(User, ann))
  const again = s.write((tx) => tx.insert(User, ann))
  await expect(again).rejects.toMatchObject({ status: 409, scimType: 'uniqueness' })
})
