// RFC 8935 push to receivers on 127.0.0.1: order, retries with exponential back-off, rejection, backlog, restart.
import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type PublicJwk, verifyCompact } from '../../src/events/jws'
import { backoffDelay, defaultSleep } from '../../src/events/push'
import { pushUrlProblem, setPushUrls } from '../../src/events/push-urls'
import type { SetClaims } from '../../src/events/set'
import type { EventService } from '../../src/events/types'
import { openDatabase } from '../../src/store/db'
import { cleanupsAfterEach } from '../helpers/cleanups'
import { BASE, MemoryJournal, memoryEvents } from './memory-journal'
import { receiver } from './receiver'

const later = cleanupsAfterEach()

/** The service over `journal` with back-off from 100 ms to 1 s, each wait recorded in `delays`, then `sleep`. */
function events(journal: MemoryJournal, db = ':memory:', delays: number[] = [], sleep?: () => Promise<void>) {
  const push = {
    baseDelayMs: 100,
    maxDelayMs: 1000,
    sleep: async (ms: number) => {
      delays.push(ms)
      await sleep?.()
    },
  }
  return memoryEvents(journal, later, { push }, db)
}

/** A receiver answering `script`, and the service over `journal` pushing to it, its back-off waits in `delays`. */
function pushing(script: number[], journal = new MemoryJournal(), sleep?: () => Promise<void>) {
  const r = receiver(script)
  later(r.stop)
  const delays: number[] = []
  const { service, pushTo } = events(journal, ':memory:', delays, sleep)
  pushTo([r.url])
  return { r, journal, delays, service }
}

// Over SQLite the keys are there at once.
const keysOf = (service: EventService) => (service.jwks('default') as { keys: PublicJwk[] }).keys
const claimsOf = (service: EventService, set: string) => verifyCompact(set, keysOf(service)) as SetClaims
const users = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ op: 'create' as const, resourceId: `u${from + i}` }))

describe('events/push', () => {
  test('a receiver that fails its first attempts gets every SET, in commit order, after exponential back-off', async () => {
    const { r, journal, delays, service } = pushing([503, 500, 503])
    journal.commit(...users(2))
    journal.commit(...users(1, 2))
    await r.received(3)
    expect(r.attempts()).toBe(6)
    expect(delays).toEqual([100, 200, 400])
    expect(r.accepted.map((a) => a.type)).toEqual(Array(3).fill('application/secevent+jwt'))
    const claims = r.accepted.map((a) => claimsOf(service, a.body))
    expect(claims.map((c) => c.sub_id.uri)).toEqual(['/Users/u0', '/Users/u1', '/Users/u2'])
    expect(claims[0]!.iss).toBe(BASE)
    await service.pushIdle()
    expect(service.undelivered()).toBe(0)
  })

  test('the undelivered counter holds what a failing receiver still owes', async () => {
    let release = () => {}
    const retrying = new Promise<void>((resolve) => (release = resolve))
    let entered = () => {}
    const waitingToRetry = new Promise<void>((resolve) => (entered = resolve))
    const { r, journal, service } = pushing([503, 503, 503], new MemoryJournal(), async () => {
      entered()
      await retrying
    })
    journal.commit(...users(4))
    await waitingToRetry
    // Counted from positions alone: no entry is read to count it.
    let entriesRead = 0
    const after = journal.after.bind(journal)
    journal.after = (tenant, seq, limit) => {
      const out = after(tenant, seq, limit)
      entriesRead += out.length
      return out
    }
    expect(service.undelivered()).toBe(4)
    expect(entriesRead).toBe(0)
    journal.after = after
    release()
    await service.pushIdle()
    expect(r.accepted).toHaveLength(4)
    expect(service.undelivered()).toBe(0)
  })

  test('a SET the receiver refuses with an RFC 8935 error (400, err) is not resent; the next one follows', async () => {
    const { r, journal, delays, service } = pushing([400])
    journal.commit(...users(2))
    await r.received(1)
    expect(claimsOf(service, r.accepted[0]!.body).sub_id.uri).toBe('/Users/u1')
    expect(r.attempts()).toBe(2)
    expect(delays).toEqual([])
  })

  test('after a restart a receiver gets only what it had not accepted, and each receiver has its own position', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-push-'))
    later(() => rmSync(dir, { recursive: true, force: true }))
    const db = join(dir, 'scim.db')
    const r = receiver([])
    later(r.stop)
    const journal = new MemoryJournal()
    const first = events(journal, db)
    first.pushTo([r.url])
    journal.commit(...users(2))
    await r.received(2)
    await first.close()
    journal.commit(...users(2, 2))
    const late = receiver([])
    later(late.stop)
    const second = events(journal, db)
    second.pushTo([r.url, late.url], 'oldest')
    await r.received(4)
    await late.received(4)
    const uris = (list: { body: string }[]) => list.map((a) => claimsOf(second.service, a.body).sub_id.uri)
    expect(uris(r.accepted)).toEqual(['/Users/u0', '/Users/u1', '/Users/u2', '/Users/u3'])
    expect(uris(late.accepted)).toEqual(['/Users/u0', '/Users/u1', '/Users/u2', '/Users/u3'])
  })

  test('a failing journal read is retried after a back-off; the receiver keeps delivering', async () => {
    const journal = new MemoryJournal()
    const after = journal.after.bind(journal)
    let failing = 2
    journal.after = (tenant, seq, limit) => {
      if (failing-- > 0) throw new Error('database is locked')
      return after(tenant, seq, limit)
    }
    const { r, delays } = pushing([], journal)
    journal.commit(...users(1))
    await r.received(1)
    expect(delays).toEqual([100, 200])
  })

  test('back-off doubles from the base delay up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 60].map((n) => backoffDelay(n, 1000, 10_000))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ])
  })

  test('push URLs must be absolute http(s) URLs without credentials, of an existing tenant', () => {
    expect(pushUrlProblem('https://apps.example.com/events')).toBeUndefined()
    expect(pushUrlProblem('/events')).toContain('not an absolute URL')
    expect(pushUrlProblem('ftp://x/y')).toContain('not an http')
    expect(pushUrlProblem('https://u:p@x/y')).toContain('credentials')
    const { sqlite } = openDatabase(':memory:')
    later(() => sqlite.close())
    expect(() => setPushUrls(sqlite, 'nobody', ['https://x/y'])).toThrow('no tenant nobody')
    expect(() => setPushUrls(sqlite, 'default', ['nope'])).toThrow('not an absolute URL')
  })
})

describe('events/push sleep between retries', () => {
  test('each wait takes its abort listener off the receiver signal again, whether it ran out or was aborted', async () => {
    const listeners = new Set<unknown>()
    const signal = {
      addEventListener: (_: string, f: unknown) => listeners.add(f),
      removeEventListener: (_: string, f: unknown) => listeners.delete(f),
    } as unknown as AbortSignal
    for (let i = 0; i < 5; i++) await defaultSleep(1, signal)
    expect(listeners.size).toBe(0)
    const stop = new AbortController()
    const waiting = defaultSleep(60_000, stop.signal)
    stop.abort()
    await waiting
  })
})
