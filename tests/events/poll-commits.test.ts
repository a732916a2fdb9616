// A poll's position writes commit once: with synchronous=FULL each commit waits for the disk.
import { expect, test } from 'bun:test'
import { pollEvents, type PollDeps } from '../../src/events/poll'
import { StreamPositions } from '../../src/events/streams'
import { openDatabase } from '../../src/store/db'
import { MemoryJournal, pollDeps } from './memory-journal'

/** StreamPositions that counts the transactions it commits (top-level ones; nested ones are savepoints). */
function countingPositions() {
  const { sqlite } = openDatabase(':memory:')
  const real = new StreamPositions(sqlite)
  const counted = { commits: 0 }
  const top = <T>(fn: () => T): T => {
    if (!sqlite.inTransaction) counted.commits++
    return fn()
  }
  const positions: PollDeps['positions'] = {
    cursor: (tenant, stream) => real.cursor(tenant, stream),
    acknowledge: (tenant, stream, seqs) => top(() => real.acknowledge(tenant, stream, seqs)),
    advance: (tenant, stream, seq) => top(() => real.advance(tenant, stream, seq)),
    atomically: (fn) => top(() => real.atomically(fn)),
  }
  return { positions, counted, close: () => sqlite.close() }
}

test('acknowledging and moving the position past the acks is one commit, and the next poll sees both', async () => {
  const journal = new MemoryJournal()
  const { positions, counted, close } = countingPositions()
  const deps = pollDeps(journal, positions, { maxEvents: 100 })
  const feed = { issuer: 'https://x/scim/v2', audience: 'https://x/scim/v2/Events', endpointOf: () => '/Users' }
  journal.commit(...Array.from({ length: 3 }, (_, i) => ({ op: 'create' as const, resourceId: `u${i}` })))
  const poll = (ack: string[]) =>
    pollEvents(deps, 'default', 'poll', feed, { ack, setErrs: {}, returnImmediately: true })
  const first = Object.keys((await poll([])).sets)
  expect(first).toHaveLength(3)
  counted.commits = 0
  expect((await poll(first.slice(0, 2))).sets).toEqual({ [first[2]!]: 'set' })
  expect(counted.commits).toBe(1)
  expect(positions.cursor('default', 'poll')).toEqual({ ackedSeq: 2, acked: new Set() })
  close()
})
