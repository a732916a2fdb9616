// asyncOf: the SQLite store behind the asynchronous interface runs each async job inside its own transaction.
import { expect, test } from 'bun:test'
import { openDatabase } from '../../src/store/db'
import { createResourceStore } from '../../src/store/resource-store'
import { asyncOf } from '../../src/store-pg/async-store'
import { builtinRegistry, typeOf } from '../helpers/generate'

const User = typeOf(builtinRegistry(), 'User')
const T0 = '2026-01-01T00:00:00.000Z'
const ann = { id: 'u1', type: 'User', data: { userName: 'ann' }, version: 1, created: T0, lastModified: T0 }

function store() {
  const { orm, sqlite } = openDatabase(':memory:')
  return asyncOf(createResourceStore(orm, sqlite))
}

test('a job of several awaited steps commits as one; reads answer promises', async () => {
  const s = store()
  const found = await s.write(async (tx) => {
    await tx.insert(User, ann)
    return (await tx.get(User, 'u1'))?.data
  })
  expect(found).toEqual({ userName: 'ann' })
  expect((await s.get(User, 'u1'))?.version).toBe(1)
  expect((await s.stats()).writeJobs).toBe(1)
})

test('a job that awaits anything but its transaction fails, and what it wrote before is rolled back', async () => {
  const s = store()
  let late!: Promise<unknown>
  let resumed!: () => void
  const after = new Promise<void>((r) => (resumed = r))
  const job = s.write(async (tx) => {
    await tx.insert(User, ann)
    await new Promise((resolve) => setTimeout(resolve, 0))
    // Running on after the transaction ended: refused, never written outside a transaction.
    late = tx.insert(User, { ...ann, id: 'u2', data: { userName: 'bob' } })
    resumed()
  })
  await expect(job).rejects.toThrow('a write job awaited something other than its transaction')
  await after
  await expect(late).rejects.toThrow('the write job is over')
  expect(await s.get(User, 'u1')).toBeUndefined()
  expect(await s.get(User, 'u2')).toBeUndefined()
})

test('a synchronous throw inside a transaction method rejects the job with that error', async () => {
  const s = store()
  await s.write((tx) => tx.insert(User, ann))
  const again = s.write((tx) => tx.insert(User, ann))
  await expect(again).rejects.toMatchObject({ status: 409, scimType: 'uniqueness' })
})
