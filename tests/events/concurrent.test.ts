// 32 writers feeding the journal at once while a receiver long-polls and another is pushed to: order kept, none twice.
import { afterEach, describe, expect, test } from 'bun:test'
import { setPushUrls } from '../../src/events/push-urls'
import { seqOfJti } from '../../src/events/set'
import { makeTestApp, type TestApp } from '../helpers/app'
import { MemoryJournal } from './memory-journal'

const WRITERS = 32
const EACH = 40
const opened: (() => unknown)[] = []
afterEach(async () => {
  for (const close of opened.splice(0).reverse()) await close()
})

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

async function writer(journal: MemoryJournal, w: number) {
  for (let i = 0; i < EACH; i++) {
    await yieldTurn()
    // Another tenant's entries interleave; this tenant's receivers must never see them.
    const tenant = i % 4 === 3 ? 'other' : 'default'
    journal.commit({ op: i === 0 ? 'create' : 'patch', resourceId: `w${w}`, tenant })
  }
}

function pushReceiver() {
  const seqs: number[] = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const jti = JSON.parse(Buffer.from((await request.text()).split('.')[1]!, 'base64url').toString()).jti
      seqs.push(seqOfJti(jti)!)
      // Every third attempt fails, so retries interleave with new appends.
      return new Response(null, { status: seqs.length % 3 === 0 ? 503 : 202 })
    },
  })
  opened.push(() => server.stop(true))
  return { url: `http://127.0.0.1:${server.port}/`, seqs }
}

async function pollAll(t: TestApp, expected: number): Promise<number[]> {
  const got: number[] = []
  let ack: string[] = []
  while (got.length < expected) {
    const res = await t.request('POST', '/scim/v2/Events', { ack, maxEvents: 7, returnImmediately: false })
    const { sets } = (await res.json()) as { sets: Record<string, string> }
    ack = Object.keys(sets)
    got.push(...ack.map((jti) => seqOfJti(jti)!))
  }
  await t.request('POST', '/scim/v2/Events', { ack, maxEvents: 0 })
  return got
}

describe('events under concurrent writers', () => {
  test('a long-polling receiver and a push receiver each get every event once, in commit order', async () => {
    const journal = new MemoryJournal()
    const t = makeTestApp({
      journal,
      baseUrl: 'https://scim.example.com/scim/v2',
      events: { reloadEveryMs: 0, push: { sleep: async () => {} } },
    })
    opened.push(
      () => t.server.store.close(),
      () => t.server.deps.events?.close()
    )
    const push = pushReceiver()
    setPushUrls(t.server.sqlite, 'default', [push.url])
    t.server.deps.events!.reloadPushUrls()

    const expected = WRITERS * (EACH - EACH / 4)
    const polled = pollAll(t, expected)
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(journal, w)))
    const seqs = await polled
    const mine = journal.entries.filter((e) => e.tenant === 'default').map((e) => e.seq)
    expect(mine).toHaveLength(expected)
    expect(seqs).toEqual(mine)
    // Nothing is left once everything was acknowledged.
    const rest = await t.request('POST', '/scim/v2/Events', { returnImmediately: true })
    expect(((await rest.json()) as { sets: object }).sets).toEqual({})

    await t.server.deps.events!.pushIdle()
    // Retried attempts repeat a SET (it was not accepted); the accepted ones are each event once, in order.
    const accepted = push.seqs.filter((_, i) => (i + 1) % 3 !== 0)
    expect(accepted).toEqual(mine)
    expect(t.server.deps.events!.undelivered()).toBe(0)
  })
})
