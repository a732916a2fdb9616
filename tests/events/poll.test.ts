// RFC 8936 polling through the app: order, ack, redelivery, long polls answered by an append, restarts.
import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { verifyCompact, type PublicJwk } from '../../src/events/jws'
import type { SetClaims } from '../../src/events/set'
import { EMITTED_EVENT_URIS } from '../../src/events/uris'
import { makeTestApp, TEST_TOKEN, type TestApp } from '../helpers/app'
import { expectScimError } from '../helpers/scim'
import { MemoryJournal } from './memory-journal'

const EVENTS = '/scim/v2/Events'
const opened: TestApp[] = []

function eventsApp(journal = new MemoryJournal(), db = ':memory:', longPollMs = 60_000) {
  const t = makeTestApp({ db, journal, events: { longPollMs, reloadEveryMs: 0 } })
  opened.push(t)
  return { t, journal }
}

afterEach(async () => {
  for (const t of opened.splice(0)) {
    await t.server.deps.events?.close()
    t.server.store.close()
  }
})

async function poll(t: TestApp, body: object) {
  const res = await t.request('POST', EVENTS, body)
  expect(res.status).toBe(200)
  // RFC 8936: the response is plain JSON.
  expect(res.headers.get('content-type')).toStartWith('application/json')
  return (await res.json()) as { sets: Record<string, string>; moreAvailable: boolean }
}

async function jwks(t: TestApp): Promise<PublicJwk[]> {
  const res = await t.server.app.handle(new Request(`http://localhost${EVENTS}/jwks.json`))
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('application/jwk-set+json')
  return ((await res.json()) as { keys: PublicJwk[] }).keys
}

const users = (n: number, tenant = 'default') =>
  Array.from({ length: n }, (_, i) => ({ op: 'create' as const, resourceId: `u${i}`, tenant }))

describe('events/poll', () => {
  test('returns the SETs in commit order, signed with the key the JWKS publishes (no token needed for it)', async () => {
    const { t, journal } = eventsApp()
    journal.commit(...users(3))
    const { sets, moreAvailable } = await poll(t, { returnImmediately: true })
    expect(moreAvailable).toBe(false)
    const keys = await jwks(t)
    const claims = Object.values(sets).map((set) => verifyCompact(set, keys) as SetClaims)
    expect(claims.map((c) => c.sub_id.uri)).toEqual(['/Users/u0', '/Users/u1', '/Users/u2'])
    expect(Object.keys(sets)).toEqual(claims.map((c) => c.jti))
    expect(claims[0]!.iss).toBe('http://localhost/scim/v2')
    expect(claims[0]!.aud).toEqual(['http://localhost/scim/v2/Events'])
  })

  test('unacknowledged SETs come again; acknowledged ones never, also when acked out of order', async () => {
    const { t, journal } = eventsApp()
    journal.commit(...users(4))
    const first = Object.keys((await poll(t, { returnImmediately: true })).sets)
    expect(first).toHaveLength(4)
    expect(Object.keys((await poll(t, { returnImmediately: true })).sets)).toEqual(first)
    const again = await poll(t, { returnImmediately: true, ack: [first[1]!, first[3]!] })
    expect(Object.keys(again.sets)).toEqual([first[0]!, first[2]!])
    const rest = await poll(t, { returnImmediately: true, ack: [first[0]!], setErrs: { [first[2]!]: { err: 'x' } } })
    expect(rest.sets).toEqual({})
  })

  test('maxEvents limits a response and moreAvailable says more are waiting; 0 only acknowledges', async () => {
    const { t, journal } = eventsApp()
    journal.commit(...users(5))
    const page = await poll(t, { returnImmediately: true, maxEvents: 2 })
    expect(Object.keys(page.sets)).toHaveLength(2)
    expect(page.moreAvailable).toBe(true)
    const ackOnly = await poll(t, { maxEvents: 0, ack: Object.keys(page.sets) })
    expect(ackOnly).toEqual({ sets: {}, moreAvailable: true })
    const next = await poll(t, { returnImmediately: true })
    expect(Object.values(next.sets)).toHaveLength(3)
    expect(next.moreAvailable).toBe(false)
  })

  test('a long poll with nothing to return is answered by the next append', async () => {
    const { t, journal } = eventsApp()
    const before = journal.listenerCount
    const waiting = poll(t, { returnImmediately: false })
    await journal.listenersAbove(before)
    journal.commit({ op: 'delete', resourceId: 'gone' })
    const { sets } = await waiting
    const claims = Object.values(sets).map((s) => JSON.parse(Buffer.from(s.split('.')[1]!, 'base64url').toString()))
    expect(claims.map((c) => c.events)).toEqual([{ 'urn:ietf:params:scim:event:prov:delete': {} }])
  })

  test('a poll without a body is a long poll with every default (RFC 8936: returnImmediately false)', async () => {
    const { t, journal } = eventsApp()
    const before = journal.listenerCount
    const waiting = t.request('POST', EVENTS)
    await journal.listenersAbove(before)
    journal.commit(...users(2))
    const res = await waiting
    expect(res.status).toBe(200)
    expect(Object.keys(((await res.json()) as { sets: object }).sets)).toHaveLength(2)
  })

  test('a long poll whose client goes away stops waiting and unsubscribes', async () => {
    const { t, journal } = eventsApp()
    const before = journal.listenerCount
    const gone = new AbortController()
    const request = new Request(`http://localhost${EVENTS}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
      signal: gone.signal,
    })
    const waiting = t.server.app.handle(request)
    await journal.listenersAbove(before)
    gone.abort()
    expect((await waiting).status).toBe(200)
    expect(journal.listenerCount).toBe(before)
  })

  test('closing the events ends a waiting long poll at once, with no SETs', async () => {
    const { t, journal } = eventsApp()
    const before = journal.listenerCount
    const waiting = poll(t, {})
    await journal.listenersAbove(before)
    await t.server.deps.events!.close()
    expect(await waiting).toEqual({ sets: {}, moreAvailable: false })
  })

  test('endWaits (before a shutdown drains requests) ends waiting long polls, and later ones answer at once', async () => {
    const { t, journal } = eventsApp()
    const before = journal.listenerCount
    const waiting = poll(t, {})
    await journal.listenersAbove(before)
    t.server.endWaits()
    expect(await waiting).toEqual({ sets: {}, moreAvailable: false })
    // A request still arriving on a kept-alive connection during the drain does not wait either.
    expect(await poll(t, { returnImmediately: false })).toEqual({ sets: {}, moreAvailable: false })
    expect(journal.listenerCount).toBe(before)
  })

  test("a long poll with nothing for its tenant (only another tenant's entries) answers empty after its wait", async () => {
    const { t, journal } = eventsApp(new MemoryJournal(), ':memory:', 5)
    journal.commit(...users(1, 'other'))
    expect(await poll(t, {})).toEqual({ sets: {}, moreAvailable: false })
  })

  test('acks of unknown, foreign or future jtis are ignored, so they never hide an event', async () => {
    const { t, journal } = eventsApp()
    const [mine] = journal.commit(...users(1))
    journal.commit(...users(1, 'other'))
    const future = `${mine!.seq + 5}.${'0'.repeat(32)}`
    const wrongHash = `${mine!.seq}.${'f'.repeat(32)}`
    await poll(t, { returnImmediately: true, ack: ['nonsense', future, wrongHash, '2.abc'] })
    journal.commit(...users(6))
    const { sets } = await poll(t, { returnImmediately: true })
    expect(Object.keys(sets)).toHaveLength(7)
  })

  test('a receiver away across a restart gets everything it has not acknowledged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-events-'))
    try {
      const journal = new MemoryJournal()
      journal.commit(...users(3))
      const a = eventsApp(journal, join(dir, 'scim.db')).t
      const jtis = Object.keys((await poll(a, { returnImmediately: true })).sets)
      await poll(a, { maxEvents: 0, ack: [jtis[0]!] })
      const keys = await jwks(a)
      await a.server.deps.events?.close()
      a.server.store.close()
      opened.splice(opened.indexOf(a), 1)
      journal.commit(...users(2))
      const b = eventsApp(journal, join(dir, 'scim.db')).t
      const { sets } = await poll(b, { returnImmediately: true })
      expect(Object.keys(sets)).toEqual([jtis[1]!, jtis[2]!, ...Object.keys(sets).slice(2)])
      expect(Object.keys(sets)).toHaveLength(4)
      // The key survives too: SETs from before and after the restart verify with one JWKS.
      expect(await jwks(b)).toEqual(keys)
      for (const set of Object.values(sets)) verifyCompact(set, keys)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('polling needs a token; the JWKS does not', async () => {
    const { t } = eventsApp()
    const res = await t.request('POST', EVENTS, { returnImmediately: true }, { authorization: 'Bearer wrong' })
    await expectScimError(res, 401)
    expect((await jwks(t)).length).toBe(1)
  })

  test.each([
    ['a JSON array', [1], 'invalidSyntax'],
    ['a negative maxEvents', { maxEvents: -1 }, 'invalidValue'],
    ['a fractional maxEvents', { maxEvents: 1.5 }, 'invalidValue'],
    ['a string returnImmediately', { returnImmediately: 'yes' }, 'invalidValue'],
    ['an ack that is not a list of strings', { ack: [1] }, 'invalidValue'],
    ['setErrs without err', { setErrs: { a: { description: 'x' } } }, 'invalidValue'],
  ])('a poll request with %s is a 400 SCIM Error', async (_, body, scimType) => {
    const { t, journal } = eventsApp()
    journal.commit(...users(1))
    await expectScimError(await t.request('POST', EVENTS, body), 400, scimType)
    // Nothing was acknowledged by the refused request.
    expect(Object.keys((await poll(t, { returnImmediately: true })).sets)).toHaveLength(1)
  })

  test('ServiceProviderConfig lists exactly the emitted event URIs and the absolute poll endpoint (RFC 9967 §4)', async () => {
    const { t } = eventsApp()
    const spc = (await (await t.request('GET', '/scim/v2/ServiceProviderConfig')).json()) as {
      securityEvents: unknown
    }
    expect(spc.securityEvents).toEqual({
      asyncRequest: 'none',
      eventUris: [...EMITTED_EVENT_URIS],
      pollEndpoint: 'http://localhost/scim/v2/Events',
    })
  })

  test('events follow the database journal by default, and there are none with the journal off', async () => {
    const on = makeTestApp()
    const spcOn = (await (await on.request('GET', '/scim/v2/ServiceProviderConfig')).json()) as object
    expect(spcOn).toHaveProperty('securityEvents')
    expect((await on.request('POST', EVENTS, { returnImmediately: true })).status).toBe(200)
    on.server.store.close()
    const t = makeTestApp({ journaling: false })
    const spc = (await (await t.request('GET', '/scim/v2/ServiceProviderConfig')).json()) as object
    expect(spc).not.toHaveProperty('securityEvents')
    expect((await t.request('POST', EVENTS, {})).status).toBe(404)
    t.server.store.close()
  })
})
