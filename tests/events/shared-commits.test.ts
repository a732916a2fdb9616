// Position writes go through the writer the server hands in (its write queue), so they share the commits of requests.
import { expect, test } from 'bun:test'
import { cleanupsAfterEach } from '../helpers/cleanups'
import { MemoryJournal, memoryEvents } from './memory-journal'
import { receiver } from './receiver'

const later = cleanupsAfterEach()

/** The service over `journal` with a writer that records whether each job came in a transaction already. */
function events(journal: MemoryJournal) {
  const writes: string[] = []
  const opened = memoryEvents(journal, later, (sqlite) => ({
    write: async (fn) => {
      writes.push(sqlite.inTransaction ? 'nested' : 'queued')
      return sqlite.transaction(fn)()
    },
  }))
  return { ...opened, writes }
}

const users = (n: number) => Array.from({ length: n }, (_, i) => ({ op: 'create' as const, resourceId: `u${i}` }))

test("a poll's acks and position move are one job of the writer", async () => {
  const journal = new MemoryJournal()
  const { service, writes } = events(journal)
  journal.commit(...users(3))
  const first = Object.keys((await service.poll('default', 'https://x/scim/v2', { returnImmediately: true })).sets)
  writes.length = 0
  const next = await service.poll('default', 'https://x/scim/v2', { returnImmediately: true, ack: first })
  expect(next.sets).toEqual({})
  expect(writes).toEqual(['queued'])
})

test('each SET a receiver accepted moves its position through the writer', async () => {
  const r = receiver([])
  later(r.stop)
  const journal = new MemoryJournal()
  const { service, pushTo, writes } = events(journal)
  pushTo([r.url])
  journal.commit(...users(2))
  await r.received(2)
  await service.pushIdle()
  expect(writes).toEqual(['queued', 'queued'])
  expect(service.undelivered()).toBe(0)
})
