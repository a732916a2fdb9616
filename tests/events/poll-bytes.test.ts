// A poll and a push wave read and carry at most a byte budget of entry text, yet always one entry; nothing lost or repeated.
import { describe, expect, test } from 'bun:test'
import { pendingEntries } from '../../src/events/pending'
import { pollEvents } from '../../src/events/poll'
import { runSync } from '../../src/service/effect'
import { cleanupsAfterEach } from '../helpers/cleanups'
import { BASE, countedPolling, countingReader, entryBytes, MemoryJournal, memoryEvents } from './memory-journal'
import { receiver } from './receiver'

const feed = { issuer: BASE, audience: `${BASE}/Events`, endpointOf: () => '/Users' }
/** Creates of users whose documents are `size` characters of text each (a large entry each). */
const large = (n: number, size: number) =>
  Array.from({ length: n }, (_, i) => ({
    op: 'create' as const,
    resourceId: `u${i}`,
    changes: [{ path: 'description', after: `${i}`.padEnd(size, 'x') }],
  }))

const later = cleanupsAfterEach()

describe('events/poll bytes', () => {
  test('a poll over large entries reads and returns no more than the budget, says more are available, and the acking polls get the rest once each', async () => {
    const journal = new MemoryJournal()
    const entries = journal.commit(...large(10, 300_000))
    const size = entryBytes(entries[0]!)
    const budget = 1_000_000
    const { deps, counts, positions } = countedPolling(journal, later, budget)
    const poll = (ack: string[]) =>
      pollEvents(deps, 'default', 'poll', feed, { ack, setErrs: {}, returnImmediately: true })
    const first = await poll([])
    // Three fit in the budget, a fourth would not.
    expect(Object.keys(first.sets)).toHaveLength(3)
    expect(first.moreAvailable).toBe(true)
    expect(counts.bytes).toBeLessThanOrEqual(budget + size)
    const got = Object.values(first.sets)
    let ack = Object.keys(first.sets)
    for (let polls = 0; ack.length > 0 && polls < 10; polls++) {
      counts.bytes = 0
      const next = await poll(ack)
      // What it acknowledges (read once to check the jtis), and the budget's worth of new entries.
      expect(counts.bytes).toBeLessThanOrEqual(ack.length * size + budget + size)
      expect(Object.keys(next.sets).length).toBeLessThanOrEqual(3)
      got.push(...Object.values(next.sets))
      expect(next.moreAvailable).toBe(got.length < entries.length)
      ack = Object.keys(next.sets)
    }
    expect(got).toEqual(entries.map((e) => `set ${e.seq}`))
    expect(positions.cursor('default', 'poll')).toEqual({ ackedSeq: entries[9]!.seq, acked: new Set() })
  })

  test('an entry larger than the whole budget is delivered alone, and the stream goes on after it', async () => {
    const journal = new MemoryJournal()
    const entries = journal.commit(...large(3, 50_000))
    const { deps } = countedPolling(journal, later, 10_000)
    const poll = (ack: string[]) =>
      pollEvents(deps, 'default', 'poll', feed, { ack, setErrs: {}, returnImmediately: true })
    const got: string[] = []
    let ack: string[] = []
    for (let polls = 0; polls < 4; polls++) {
      const answer = await poll(ack)
      expect(Object.keys(answer.sets).length).toBeLessThanOrEqual(1)
      expect(answer.moreAvailable).toBe(polls < 2)
      got.push(...Object.values(answer.sets))
      ack = Object.keys(answer.sets)
    }
    expect(got).toEqual(entries.map((e) => `set ${e.seq}`))
  })

  test('acks ahead of an unacknowledged entry still count when the budget cuts the reads short', async () => {
    const journal = new MemoryJournal()
    const entries = journal.commit(...large(6, 3_000))
    const { deps, positions } = countedPolling(journal, later, 7_000)
    const poll = (ack: string[]) =>
      pollEvents(deps, 'default', 'poll', feed, { ack, setErrs: {}, returnImmediately: true })
    const jtis = Object.keys((await poll([])).sets)
    expect(jtis).toHaveLength(2)
    // The second acknowledged, the first not: the first comes again, with the next one the budget holds.
    const again = await poll([jtis[1]!])
    expect(Object.values(again.sets)).toEqual([`set ${entries[0]!.seq}`, `set ${entries[2]!.seq}`])
    expect(again.moreAvailable).toBe(true)
    expect(positions.cursor('default', 'poll')).toEqual({ ackedSeq: 0, acked: new Set([entries[1]!.seq]) })
    const rest = await poll(Object.keys(again.sets))
    expect(Object.values(rest.sets)).toEqual([`set ${entries[3]!.seq}`, `set ${entries[4]!.seq}`])
    expect(positions.cursor('default', 'poll')).toEqual({ ackedSeq: entries[2]!.seq, acked: new Set() })
  })

  test('the pending entries one push wave takes are cut by the budget too', () => {
    const journal = new MemoryJournal()
    journal.commit(...large(40, 100_000))
    const { reader, counts } = countingReader(journal)
    const cursor = { ackedSeq: 0, acked: new Set<number>() }
    const wave = runSync(pendingEntries(reader, 'default', cursor, 32, 250_000))
    expect(wave.entries.map((e) => e.resourceId)).toEqual(['u0', 'u1'])
    expect(wave.more).toBe(true)
    expect(counts.bytes).toBeLessThanOrEqual(250_000 + 100_100)
  })

  test('a push receiver gets every large entry in order under a small budget, in waves the budget cuts', async () => {
    const r = receiver([])
    later(r.stop)
    const journal = new MemoryJournal()
    // Each wave's position is written once: the writes count the waves.
    let waves = 0
    const { service, pushTo } = memoryEvents(journal, later, (sqlite) => ({
      maxEventBytes: 5_000,
      write: async (fn) => {
        waves++
        return sqlite.transaction(fn)()
      },
    }))
    pushTo([r.url])
    const entries = journal.commit(...large(30, 2_000))
    await service.pushIdle()
    expect(r.seqs()).toEqual(entries.map((e) => e.seq))
    expect(service.undelivered()).toBe(0)
    // The first 8 go one at a time; after them two entries of ~2 KB fit the 5,000 bytes, so the 22
    // left go in 11 waves (without the budget, waves of 2, 4, 8 and 8: 12 writes in all).
    expect(waves).toBe(19)
  })
})
