// Acknowledgements are bounded work: at most MAX_ACKS a request, resolved with a few journal reads whatever they name.
import { afterAll, describe, expect, test } from 'bun:test'
import { BATCH } from '../../src/events/pending'
import { MAX_ACKED_AHEAD, pollEvents } from '../../src/events/poll'
import { MAX_ACKS, parsePollRequest } from '../../src/events/poll-request'
import { ScimError } from '../../src/scim/errors'
import { makeTestApp } from '../helpers/app'
import { countedPolling, MemoryJournal } from './memory-journal'

const feed = { issuer: 'https://x/scim/v2', audience: 'https://x/scim/v2/Events', endpointOf: () => '/Users' }
const closers: (() => void)[] = []
afterAll(() => {
  for (const close of closers) close()
})

/** A poll over an in-memory journal whose reads are counted. */
function polling(entries: number) {
  const journal = new MemoryJournal()
  journal.commit(...Array.from({ length: entries }, (_, i) => ({ op: 'create' as const, resourceId: `u${i}` })))
  const { deps, counts, positions } = countedPolling(journal, (close) => closers.push(close))
  const poll = (ack: string[]) =>
    pollEvents(deps, 'default', 'poll', feed, { ack, setErrs: {}, returnImmediately: true })
  return { poll, counts, positions }
}

const madeUp = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1_000_000}.6096926a10cec98fbf44a3a765f2b4a4`)

describe('poll acknowledgements', () => {
  test(`more than ${MAX_ACKS} acks and setErrs together are a 400 invalidValue`, () => {
    const ack = madeUp(MAX_ACKS)
    expect(parsePollRequest({ ack }).ack).toHaveLength(MAX_ACKS)
    const over = () => parsePollRequest({ ack, setErrs: { '1.ab': { err: 'jwtAud' } } })
    expect(over).toThrow(ScimError)
    try {
      over()
    } catch (err) {
      expect((err as ScimError).status).toBe(400)
      expect((err as ScimError).scimType).toBe('invalidValue')
    }
  })

  test('made-up acks up to the cap cost a few journal reads, not one each', async () => {
    const { poll, counts } = polling(3)
    const jtis = Object.keys((await poll([])).sets)
    counts.reads = 0
    const answer = await poll([...madeUp(MAX_ACKS - 1), jtis[0]!])
    // The real ack counts, the made-up ones change nothing.
    expect(Object.keys(answer.sets)).toEqual(jtis.slice(1))
    expect(counts.reads).toBeLessThanOrEqual(2)
  })

  test('acks of a whole response past the first read (700 of maxEvents 1000) are all taken, in a few reads', async () => {
    const { poll, counts, positions } = polling(700)
    const jtis = Object.keys((await poll([])).sets)
    expect(jtis).toHaveLength(700)
    counts.reads = 0
    expect((await poll(jtis)).sets).toEqual({})
    expect(counts.reads).toBeLessThanOrEqual(3)
    expect(positions.cursor('default', 'poll')).toEqual({ ackedSeq: 700, acked: new Set() })
  })

  test(`a stream keeps at most ${MAX_ACKED_AHEAD} acks ahead of its first unacknowledged event; past that they come again`, async () => {
    // A receiver that never acknowledges its first event and acknowledges every later one: each
    // poll reads past all the acks kept ahead, so without the bound every poll cost more than the last.
    const { poll, counts, positions } = polling(MAX_ACKED_AHEAD + 2500)
    let answer = Object.keys((await poll([])).sets)
    const first = answer[0]!
    let before = 0
    for (let i = 0; i < 13; i++) {
      before = counts.entries
      answer = Object.keys((await poll(answer.filter((jti) => jti !== first))).sets)
    }
    const kept = positions.cursor('default', 'poll')
    expect(kept.ackedSeq).toBe(0)
    expect(kept.acked.size).toBe(MAX_ACKED_AHEAD)
    // Its three reads (the acks it names, the pending entries with them and without those past the
    // bound) each go past what is kept and about a response beyond, however long this went on.
    expect(counts.entries - before).toBeLessThanOrEqual(3 * (MAX_ACKED_AHEAD + 1000 + BATCH))
    // What was not kept comes again: the first event and the 999 after the kept acks.
    const seqs = answer.map((jti) => Number(jti.split('.')[0]))
    expect(seqs).toEqual([1, ...Array.from({ length: 999 }, (_, i) => MAX_ACKED_AHEAD + 2 + i)])
    // Acknowledging the first moves the position past every kept ack; nothing is lost.
    answer = Object.keys((await poll([first])).sets)
    expect(positions.cursor('default', 'poll')).toEqual({ ackedSeq: MAX_ACKED_AHEAD + 1, acked: new Set() })
    expect(Number(answer[0]!.split('.')[0])).toBe(MAX_ACKED_AHEAD + 2)
  })
})

describe('POST /Events over the ack cap', () => {
  test('is a 400 SCIM Error, and nothing is acknowledged; a normal ack still works', async () => {
    const app = makeTestApp()
    expect((await app.request('POST', '/scim/v2/Users', { userName: 'acked@example.com' })).status).toBe(201)
    const poll = async (body: object) => {
      const res = await app.request('POST', '/scim/v2/Events', { returnImmediately: true, ...body })
      return { status: res.status, body: (await res.json()) as { sets?: object; scimType?: string; schemas: string[] } }
    }
    const [jti] = Object.keys((await poll({})).body.sets!)
    const over = await poll({ ack: [jti!, ...madeUp(MAX_ACKS)] })
    expect(over.status).toBe(400)
    expect(over.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error'])
    expect(over.body.scimType).toBe('invalidValue')
    expect(Object.keys((await poll({})).body.sets!)).toEqual([jti!])
    expect((await poll({ ack: [jti!] })).body.sets).toEqual({})
  })
})
