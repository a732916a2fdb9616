// What consumers cost per event: one signature per entry for all of a tenant's consumers, one
// journal read per poll, no acknowledgement rows for in-order acks, waves of pushed SETs.
import { describe, expect, test } from 'bun:test'
import { newSigningKey } from '../../src/events/jws'
import { readSize } from '../../src/events/pending'
import { pollEvents } from '../../src/events/poll'
import type { Feed, SetClaims } from '../../src/events/set'
import { SIGN_TURN, SignedSets } from '../../src/events/signed-sets'
import { cleanupsAfterEach } from '../helpers/cleanups'
import { BASE, countedPolling, MemoryJournal, memoryEvents, memoryPositions, pollDeps } from './memory-journal'
import { receiver } from './receiver'

const feed: Feed = { issuer: BASE, audience: `${BASE}/Events`, endpointOf: () => '/Users' }
const users = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ op: 'create' as const, resourceId: `u${from + i}` }))

const later = cleanupsAfterEach()

describe('events/consumer cost', () => {
  test('an entry is signed once per feed, whoever takes it first; another feed signs its own', () => {
    const journal = new MemoryJournal()
    const [entry] = journal.commit(...users(1))
    const signed: SetClaims[] = []
    const sets = new SignedSets((claims) => {
      signed.push(claims)
      return `set-${signed.length}`
    })
    const key = newSigningKey()
    expect(sets.of(entry!, feed, key)).toBe('set-1')
    expect(sets.of(entry!, feed, key)).toBe('set-1')
    expect(
      sets.of(entry!, { ...feed, issuer: 'https://other/scim/v2', audience: 'https://other/scim/v2/Events' }, key)
    ).toBe('set-2')
    expect(signed.map((c) => c.iss)).toEqual([BASE, 'https://other/scim/v2'])
    // Another key (the tenant removed and added again) signs its own: no SET of the old key is handed out.
    expect(sets.of(entry!, feed, newSigningKey())).toBe('set-3')
  })

  test('past its capacity the oldest signed SETs go first', () => {
    const journal = new MemoryJournal()
    const entries = journal.commit(...users(3))
    let n = 0
    const sets = new SignedSets(() => `set-${++n}`, 2)
    const key = newSigningKey()
    for (const e of entries) sets.of(e, feed, key)
    expect(sets.of(entries[2]!, feed, key)).toBe('set-3')
    expect(sets.of(entries[0]!, feed, key)).toBe('set-4')
  })

  test('the signed SETs kept are bounded in bytes: large ones push out the oldest, one over the budget is not kept', () => {
    const journal = new MemoryJournal()
    const entries = journal.commit(...users(6))
    let n = 0
    // Each SET is 4,000 units; the budget holds two of them with their keys, not three.
    const sets = new SignedSets(() => `${++n}`.padEnd(4000, '.'), 4096, 9000)
    const key = newSigningKey()
    for (const e of entries.slice(0, 3)) sets.of(e, feed, key)
    expect(sets.heldBytes).toBeLessThanOrEqual(9000)
    // The third pushed out the first: asking for the first again signs anew; the third is still kept.
    expect(sets.of(entries[2]!, feed, key).startsWith('3.')).toBe(true)
    expect(sets.of(entries[0]!, feed, key).startsWith('4.')).toBe(true)
    const huge = new SignedSets(() => 'x'.repeat(10_000), 4096, 9000)
    huge.of(entries[5]!, feed, key)
    expect(huge.heldBytes).toBe(0)
  })

  test('signing many SETs lets other requests run between turns; SETs signed already come back at once', async () => {
    const journal = new MemoryJournal()
    const entries = journal.commit(...users(SIGN_TURN * 3 + 5))
    let signings = 0
    const sets = new SignedSets(() => `set-${++signings}`)
    const key = newSigningKey()
    // A request arriving while a 1,000-event poll signs waited ~25 ms for the whole of it.
    let seenMidway: number | undefined
    setImmediate(() => {
      seenMidway = signings
    })
    const all = await sets.allOf(entries, feed, key)
    expect(all).toEqual(entries.map((_, i) => `set-${i + 1}`))
    expect(seenMidway).toBeGreaterThan(0)
    expect(seenMidway).toBeLessThan(entries.length)
    // Nothing left to sign: no turn is given up.
    const again = sets.allOf(entries, feed, key)
    expect(Array.isArray(again)).toBe(true)
    expect(again).toEqual(all)
    expect(signings).toBe(entries.length)
  })

  test('the poller and a push receiver of the tenant get the same signed SET', async () => {
    const r = receiver([])
    later(r.stop)
    const journal = new MemoryJournal()
    const { service, pushTo } = memoryEvents(journal, later)
    pushTo([r.url])
    journal.commit(...users(3))
    await service.pushIdle()
    const polled = await service.poll('default', BASE, { returnImmediately: true })
    // ES256 signatures are randomised: equal strings mean one signature served both.
    expect(Object.values(polled.sets)).toEqual(r.accepted.map((a) => a.body))
  })

  test('a healthy receiver gets waves of pipelined SETs on one connection, in commit order, one position write per wave', async () => {
    const r = receiver([])
    later(r.stop)
    const journal = new MemoryJournal()
    let writes = 0
    const { service, pushTo } = memoryEvents(journal, later, (sqlite) => ({
      write: async (fn) => {
        writes++
        return sqlite.transaction(fn)()
      },
    }))
    pushTo([r.url])
    const entries = journal.commit(...users(200))
    await service.pushIdle()
    expect(r.seqs()).toEqual(entries.map((e) => e.seq))
    expect(r.ports.size).toBe(1)
    // One at a time for the first 8, then waves of 2, 4, … 32 (62 SETs), then 32 at a time for the last 130:
    // 8 + 5 + 5 position writes (none counted would mean the writer under test was not the one used).
    expect(writes).toBe(18)
    expect(service.undelivered()).toBe(0)
  })

  test('a receiver that closes the connection after each answer gets every SET in order, one per connection, without back-off', async () => {
    const r = receiver([], { closeEach: true })
    later(r.stop)
    const journal = new MemoryJournal()
    const delays: number[] = []
    const { service, pushTo } = memoryEvents(journal, later, { push: { sleep: async (ms) => void delays.push(ms) } })
    pushTo([r.url])
    const entries = journal.commit(...users(30))
    await service.pushIdle()
    expect(r.seqs()).toEqual(entries.map((e) => e.seq))
    expect(r.ports.size).toBe(30)
    expect(delays).toEqual([])
  })

  test('a poll acknowledging what the last one returned reads the journal once and stores no single acks', async () => {
    const journal = new MemoryJournal()
    const { deps, counts, positions, sqlite } = countedPolling(journal, later)
    journal.commit(...users(40))
    const poll = (ack: string[], maxEvents: number) =>
      pollEvents(deps, 'default', 'poll', feed, { ack, setErrs: {}, maxEvents, returnImmediately: true })
    const first = Object.keys((await poll([], 10)).sets)
    expect(first).toHaveLength(10)
    counts.reads = 0
    counts.entries = 0
    const second = await poll(first, 10)
    expect(Object.keys(second.sets)).toHaveLength(10)
    expect(second.moreAvailable).toBe(true)
    expect(counts.reads).toBe(1)
    // The 10 acknowledged, the 10 returned, one to tell that more follow.
    expect(counts.entries).toBe(21)
    expect(sqlite.query('SELECT count(*) AS n FROM event_acks').get()).toEqual({ n: 0 })
    expect(positions.cursor('default', 'poll')).toEqual({ ackedSeq: 10, acked: new Set() })
  })

  test('an ack ahead of an unacknowledged event is kept on its own; the position moves once the gap closes', async () => {
    const journal = new MemoryJournal()
    const { positions } = memoryPositions(later)
    const deps = pollDeps(journal, positions)
    journal.commit(...users(4))
    const poll = (ack: string[]) =>
      pollEvents(deps, 'default', 'poll', feed, { ack, setErrs: {}, returnImmediately: true })
    const jtis = Object.keys((await poll([])).sets)
    expect(Object.keys((await poll([jtis[1]!, jtis[3]!])).sets)).toEqual([jtis[0]!, jtis[2]!])
    expect(positions.cursor('default', 'poll')).toEqual({ ackedSeq: 0, acked: new Set([2, 4]) })
    expect(Object.keys((await poll([jtis[0]!])).sets)).toEqual([jtis[2]!])
    expect(positions.cursor('default', 'poll')).toEqual({ ackedSeq: 2, acked: new Set([4]) })
    expect((await poll([jtis[2]!])).sets).toEqual({})
    expect(positions.cursor('default', 'poll')).toEqual({ ackedSeq: 4, acked: new Set() })
  })

  test('a first read takes what a poll of `max` can need, never a whole batch for a few', () => {
    expect(readSize({ ackedSeq: 0, acked: new Set() }, 10)).toBe(11)
    expect(readSize({ ackedSeq: 0, acked: new Set([3, 5]) }, 10, 10)).toBe(23)
    expect(readSize({ ackedSeq: 0, acked: new Set() }, 1000, 1000)).toBe(500)
  })
})
