// Position writes go through the writer the server hands in (its write queue), so they share the commits of requests.
import { expect, test } from 'bun:test'
import { setPushUrls } from '../../src/events/push-urls'
import { createEvents } from '../../src/events/service'
import { openDatabase } from '../../src/store/db'
import { cleanupsAfterEach } from '../helpers/cleanups'
import { MemoryJournal } from './memory-journal'
import { receiver } from './receiver'

const later = cleanupsAfterEach()

function events(journal: MemoryJournal) {
  const { sqlite } = openDatabase(':memory:')
  const writes: string[] = []
  const service = createEvents({
    db: sqlite,
    journal,
    endpointOf: () => '/Users',
    publicBase: () => 'https://scim.example.com/scim/v2',
    now: () => new Date(),
    reloadEveryMs: 0,
    write: async (fn) => {
      writes.push(sqlite.inTransaction ? 'nested' : 'queued')
      return sqlite.transaction(fn)()
    },
  })
  later(async () => {
    await service.close()
    sqlite.close()
  })
  return { service, sqlite, writes }
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
  const { service, sqlite, writes } = events(journal)
  setPushUrls(sqlite, 'default', [r.url])
  service.reloadPushUrls()
  journal.commit(...users(2))
  await r.received(2)
  await service.pushIdle()
  expect(writes).toEqual(['queued', 'queued'])
  expect(service.undelivered()).toBe(0)
})
