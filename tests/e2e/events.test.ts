// Change events against the compiled binary: RFC 8936 poll in commit order with ack and
// redelivery (across a restart), long poll, ES256 signatures against the published JWKS,
// `eventUris`, two pollers with a stream each (one a read-scope token), and RFC 8935 push with
// retries, back-off and a restart between.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { webcrypto } from 'node:crypto'
import { claimsOf, decode, EventsBinary, PROV, seqOf, summary } from '../helpers/events-binary'
import { runBinary } from '../helpers/process'

const URN_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const URN_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const URN_PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

let ev: EventsBinary
const scim: EventsBinary['scim'] = (...args) => ev.scim(...args)
const created: EventsBinary['created'] = (...args) => ev.created(...args)
const poll: EventsBinary['poll'] = (...args) => ev.poll(...args)
const now: EventsBinary['now'] = (...args) => ev.now(...args)
const drain = () => ev.drain()

beforeAll(async () => {
  ev = await EventsBinary.open()
}, 60_000)

afterAll(() => ev.stop())

describe('change events (compiled binary)', () => {
  test('polls in commit order; acked SETs never come again, unacked ones do, also after a restart', async () => {
    await drain()
    const ada = await created('/Users', {
      schemas: [URN_USER],
      userName: 'ada@example.com',
      externalId: 'ada-1',
      active: true,
      displayName: 'Ada',
    })
    const bob = await created('/Users', { schemas: [URN_USER], userName: 'bob@example.com', active: true })
    // Entra's PATCH: capitalised op names, `active` as a string.
    let res = await scim('PATCH', `/Users/${ada}`, {
      schemas: [URN_PATCH],
      Operations: [{ op: 'Replace', path: 'displayName', value: 'Ada L.' }],
    })
    expect(res.status).toBeLessThan(300)
    res = await scim('PATCH', `/Users/${bob}`, {
      schemas: [URN_PATCH],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    })
    expect(res.status).toBeLessThan(300)
    const team = await created('/Groups', {
      schemas: [URN_GROUP],
      displayName: 'Team',
      members: [{ value: ada }],
    })
    res = await scim('PUT', `/Users/${bob}`, { schemas: [URN_USER], userName: 'bob@example.com', active: true })
    expect(res.status).toBe(200)
    res = await scim('DELETE', `/Users/${bob}`)
    expect(res.status).toBe(204)

    const first = await now()
    const expected = [
      `create /Users/${ada}`,
      `create /Users/${bob}`,
      `patch /Users/${ada}`,
      `patch+deactivate /Users/${bob}`,
      `create /Groups/${team}`,
      `put+activate /Users/${bob}`,
      `delete /Users/${bob}`,
    ]
    expect(summary(first.sets)).toEqual(expected)
    expect(first.moreAvailable).toBe(false)
    const jtis = Object.keys(first.sets)
    expect(jtis.map(seqOf)).toEqual(jtis.map(seqOf).toSorted((a, b) => a - b))
    for (const [jti, set] of Object.entries(first.sets)) {
      const claims = claimsOf(set)
      expect(claims.jti).toBe(jti)
      expect(claims.iss).toBe(`${ev.origin}/scim/v2`)
      expect(claims.aud).toEqual([`${ev.origin}/scim/v2/Events`])
    }

    // Ack the 1st, 3rd and 5th: the others come again, in order, with the same jtis.
    const acked = [jtis[0]!, jtis[2]!, jtis[4]!]
    const rest = jtis.filter((j) => !acked.includes(j))
    const second = await now({ ack: acked })
    expect(Object.keys(second.sets)).toEqual(rest)
    expect(Object.keys((await now()).sets)).toEqual(rest)

    // The acknowledged position is in the database: a restarted binary redelivers exactly the rest.
    await ev.stop()
    await ev.start()
    const third = await now()
    expect(Object.keys(third.sets)).toEqual(rest)
    expect(summary(third.sets)).toEqual(expected.filter((_, i) => ![0, 2, 4].includes(i)))

    const fourth = await now({ ack: rest })
    expect(fourth.sets).toEqual({})
  }, 60_000)

  test('a long poll waiting for news is answered at once by a change', async () => {
    await drain()
    // The round-trip of a poll with nothing to return (median of 50), as the figure to compare with.
    const trips: number[] = []
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now()
      await now()
      trips.push(performance.now() - t0)
    }
    const idleRoundTrip = trips.toSorted((a, b) => a - b)[25]!

    let answered = false
    const waiting = poll({ returnImmediately: false, maxEvents: 10 }).then((r) => {
      answered = true
      return r
    })
    // The poll is under way and has nothing to return yet: it waits rather than answer empty.
    await Bun.sleep(300)
    expect(answered).toBe(false)
    const changedAt = performance.now()
    const id = await created('/Users', { schemas: [URN_USER], userName: 'carol@example.com' })
    const response = await waiting
    const latency = performance.now() - changedAt
    expect(summary(response.sets)).toEqual([`create /Users/${id}`])
    // The long poll waits up to 30 s: answered within 2 s of the change means it was the change.
    expect(latency).toBeLessThan(2_000)
    console.log(
      `events e2e: idle poll round-trip p50 ${idleRoundTrip.toFixed(2)} ms; long poll answered ${latency.toFixed(1)} ms after the POST /Users began`
    )
    await now({ ack: Object.keys(response.sets) })
  }, 30_000)

  test('32 concurrent writers: every create is polled once, in commit order, in pages of maxEvents', async () => {
    await drain()
    const ids = await Promise.all(
      Array.from({ length: 32 }, (_, i) => created('/Users', { schemas: [URN_USER], userName: `w${i}@example.com` }))
    )
    const got: string[] = []
    const jtis: string[] = []
    for (let ack: string[] = [], more = true; more; ) {
      const page = await now({ ack, maxEvents: 10 })
      expect(Object.keys(page.sets).length).toBeLessThanOrEqual(10)
      got.push(...Object.values(page.sets).map((set) => claimsOf(set).sub_id.id))
      ack = Object.keys(page.sets)
      jtis.push(...ack)
      more = page.moreAvailable || ack.length > 0
    }
    expect(got.toSorted()).toEqual(ids.toSorted())
    expect(jtis.map(seqOf)).toEqual(jtis.map(seqOf).toSorted((a, b) => a - b))
    expect(new Set(jtis).size).toBe(32)
  }, 30_000)

  test('a shutdown ends a waiting long poll instead of waiting out its 30 s', async () => {
    await drain()
    const waiting = poll({ returnImmediately: false }).then(
      (r) => r.sets,
      () => 'closed'
    )
    await Bun.sleep(300)
    const t0 = performance.now()
    let stopped: number
    try {
      await ev.stop()
      stopped = performance.now() - t0
    } finally {
      await ev.start()
    }
    const outcome = await waiting
    expect(outcome === 'closed' || Object.keys(outcome).length === 0).toBe(true)
    // Without ending the wait first, the drain held the exit for the long poll's 30 s (29.7 s measured).
    expect(stopped).toBeLessThan(5_000)
    console.log(`events e2e: SIGTERM with a long poll waiting exited in ${stopped.toFixed(0)} ms`)
  }, 30_000)

  test('two pollers: a read-scope token has its own stream from the oldest entry, acks of one leave the other alone, and it cannot write', async () => {
    await drain()
    const issued = await runBinary(['token', '--db', ev.db, '--name', 'events-reader', '--scope', 'read'])
    expect(issued.code, issued.output).toBe(0)
    const reader = /^Secret Token: (\S+)$/m.exec(issued.output)![1]!
    // The server re-reads the tokens table about once a second.
    const deadline = Date.now() + 5_000
    let status = 0
    while (Date.now() < deadline) {
      const res = await fetch(`${ev.origin}/scim/v2/Events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' },
        body: JSON.stringify({ returnImmediately: true, maxEvents: 0 }),
      })
      status = res.status
      await res.arrayBuffer()
      if (status === 200) break
      await Bun.sleep(50)
    }
    expect(status).toBe(200)
    // Everything the first poller acknowledged is still there for the new one, in commit order.
    const everything = [...new Set(ev.seen.map((s) => claimsOf(s).jti))].toSorted((a, b) => seqOf(a) - seqOf(b))
    const history = await poll({ returnImmediately: true, maxEvents: 1000 }, reader)
    expect(Object.keys(history.sets)).toEqual(everything)
    await created('/Users', { schemas: [URN_USER], userName: 'dan@example.com' })
    const fresh = await poll({ returnImmediately: true, ack: everything }, reader)
    expect(summary(fresh.sets)).toHaveLength(1)
    const dan = Object.keys(fresh.sets)
    // The first poller gets the same event, and its ack does not take it from the reader.
    expect(Object.keys((await now()).sets)).toEqual(dan)
    expect((await now({ ack: dan })).sets).toEqual({})
    expect(Object.keys((await poll({ returnImmediately: true }, reader)).sets)).toEqual(dan)
    expect((await poll({ returnImmediately: true, ack: dan }, reader)).sets).toEqual({})
    const write = await scim('POST', '/Users', { schemas: [URN_USER], userName: 'eve@example.com' }, reader)
    expect(write.status).toBe(403)
    const body = (await write.json()) as { schemas: string[]; status: string }
    expect(body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error'])
    expect(body.status).toBe('403')
  }, 30_000)

  test('push: a receiver failing its first two attempts gets every SET once, in order, after spaced retries', async () => {
    const added = await runBinary(['tenant', 'add', 'pushed', '--db', ev.db])
    expect(added.code, added.output).toBe(0)
    const token = /Secret Token: (\S+)/.exec(added.output)![1]!
    const prefix = '/tenants/pushed'
    const attempts: { at: number; status: number; body: string; type: string | null }[] = []
    const receiver = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      async fetch(req) {
        const body = await req.text()
        const status = attempts.length < 2 ? 500 : 202
        attempts.push({ at: performance.now(), status, body, type: req.headers.get('content-type') })
        return new Response(null, { status })
      },
    })
    try {
      const set = await runBinary([
        'tenant',
        'set',
        'pushed',
        '--push-url',
        `http://127.0.0.1:${receiver.port}/events`,
        '--db',
        ev.db,
      ])
      expect(set.code, set.output).toBe(0)
      // The new tenant is served within about a second of `tenant add`.
      const deadline = Date.now() + 10_000
      while ((await scim('GET', '/Users', undefined, token, prefix)).status !== 200) {
        if (Date.now() > deadline) throw new Error('tenant pushed not served within 10 s')
        await Bun.sleep(50)
      }
      const ids = [
        await created('/Users', { schemas: [URN_USER], userName: 'p1@example.com' }, prefix, token),
        await created('/Users', { schemas: [URN_USER], userName: 'p2@example.com' }, prefix, token),
      ]
      const res = await scim('DELETE', `/Users/${ids[0]}`, undefined, token, prefix)
      expect(res.status).toBe(204)

      // Push URLs are re-read every 5 s; then two failures wait 1 s and 2 s before the third try.
      const until = Date.now() + 25_000
      while (attempts.filter((a) => a.status === 202).length < 3 && Date.now() < until) await Bun.sleep(50)
      const accepted = attempts.filter((a) => a.status === 202)
      expect(accepted).toHaveLength(3)
      expect(accepted.every((a) => a.type?.startsWith('application/secevent+jwt'))).toBe(true)
      ev.seen.push(...accepted.map((a) => a.body))
      const base = `${ev.origin}${prefix}/scim/v2`
      const claims = accepted.map((a) => claimsOf(a.body))
      expect(claims.map((c) => `${Object.keys(c.events).join('+')} ${c.sub_id.uri}`)).toEqual([
        `${PROV}create:notice /Users/${ids[0]}`,
        `${PROV}create:notice /Users/${ids[1]}`,
        `${PROV}delete /Users/${ids[0]}`,
      ])
      expect(new Set(claims.map((c) => c.jti)).size).toBe(3)
      expect(claims.every((c) => c.iss === base)).toBe(true)
      // The failed attempts carried the first SET; the retries waited longer each time.
      expect(attempts.slice(0, 3).map((a) => a.body)).toEqual([accepted[0]!.body, accepted[0]!.body, accepted[0]!.body])
      const gap1 = attempts[1]!.at - attempts[0]!.at
      const gap2 = attempts[2]!.at - attempts[1]!.at
      expect(gap1).toBeGreaterThanOrEqual(900)
      expect(gap2).toBeGreaterThanOrEqual(1800)
      expect(gap2).toBeGreaterThan(gap1)
      console.log(`events e2e: push retries after ${gap1.toFixed(0)} ms and ${gap2.toFixed(0)} ms`)
      // Nothing more arrives: each SET was accepted once.
      await Bun.sleep(500)
      expect(attempts).toHaveLength(5)
    } finally {
      await receiver.stop(true)
    }
  }, 60_000)

  test('push: a SET the receiver has not accepted before a restart is delivered after it, once, and nothing earlier again', async () => {
    let accepting = false
    const bodies: { status: number; body: string }[] = []
    const receiver = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      async fetch(req) {
        const status = accepting ? 202 : 503
        bodies.push({ status, body: await req.text() })
        return new Response(null, { status })
      },
    })
    try {
      const url = `http://127.0.0.1:${receiver.port}/default`
      const set = await runBinary([
        'tenant',
        'set',
        'default',
        '--push-url',
        url,
        '--push-from',
        'oldest',
        '--db',
        ev.db,
      ])
      expect(set.code, set.output).toBe(0)
      // With --push-from oldest a new receiver starts at the start of the journal: wait for the first attempt, then accept.
      const first = Date.now() + 15_000
      while (bodies.length === 0 && Date.now() < first) await Bun.sleep(50)
      expect(bodies.length).toBeGreaterThan(0)
      accepting = true
      const { sets } = await now()
      expect(sets).toEqual({})
      const journalled = Date.now() + 15_000
      // Every entry so far: the default tenant's journal as its poll stream saw it.
      const polled = [
        ...new Set(ev.seen.filter((s) => claimsOf(s).iss === `${ev.origin}/scim/v2`).map((s) => claimsOf(s).jti)),
      ]
      const deliveredNow = () => bodies.filter((b) => b.status === 202).map((b) => claimsOf(b.body).jti)
      while (deliveredNow().length < polled.length && Date.now() < journalled) await Bun.sleep(50)
      // The receiver got exactly what the poll stream got, in the same (commit) order.
      expect(deliveredNow()).toEqual(polled.toSorted((a, b) => seqOf(a) - seqOf(b)))

      accepting = false
      const id = await created('/Users', { schemas: [URN_USER], userName: 'restart@example.com' })
      const tried = Date.now() + 10_000
      while (!bodies.some((b) => b.status === 503 && claimsOf(b.body).sub_id.id === id) && Date.now() < tried)
        await Bun.sleep(50)
      expect(bodies.some((b) => b.status === 503 && claimsOf(b.body).sub_id.id === id)).toBe(true)
      const before = bodies.filter((b) => b.status === 202).map((b) => b.body)
      await ev.stop()
      accepting = true
      const mark = bodies.length
      await ev.start()
      const after = Date.now() + 10_000
      while (!bodies.slice(mark).some((b) => b.status === 202) && Date.now() < after) await Bun.sleep(50)
      await Bun.sleep(300)
      const resent = bodies.slice(mark)
      expect(resent.map((b) => claimsOf(b.body).sub_id.id)).toEqual([id])
      expect(resent.map((b) => b.status)).toEqual([202])
      ev.seen.push(...before, resent[0]!.body)
      // Accepted ones were each accepted once.
      const jtis = [...before, resent[0]!.body].map((b) => claimsOf(b).jti)
      expect(new Set(jtis).size).toBe(jtis.length)
      expect(jtis.map(seqOf)).toEqual(jtis.map(seqOf).toSorted((a, b) => a - b))
    } finally {
      await runBinary(['tenant', 'set', 'default', '--unset', 'push-url', '--db', ev.db])
      await receiver.stop(true)
    }
  }, 60_000)

  test('push: a receiver added without --push-from gets what happens from then on, nothing earlier', async () => {
    const bodies: string[] = []
    const receiver = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      async fetch(req) {
        bodies.push(await req.text())
        return new Response(null, { status: 202 })
      },
    })
    try {
      const url = `http://127.0.0.1:${receiver.port}/late`
      const set = await runBinary(['tenant', 'set', 'default', '--push-url', url, '--db', ev.db])
      expect(set.code, set.output).toBe(0)
      // Its position was placed when it was added, so this write counts even before the server's reload.
      const id = await created('/Users', { schemas: [URN_USER], userName: 'late@example.com' })
      const until = Date.now() + 15_000
      while (bodies.length === 0 && Date.now() < until) await Bun.sleep(50)
      await Bun.sleep(300)
      expect(bodies.map((b) => claimsOf(b).sub_id.id)).toEqual([id])
      ev.seen.push(...bodies)
    } finally {
      await runBinary(['tenant', 'set', 'default', '--unset', 'push-url', '--db', ev.db])
      await receiver.stop(true)
    }
  }, 30_000)

  test('every SET verifies with the published JWKS, and eventUris is exactly what was emitted', async () => {
    expect(ev.seen.length).toBeGreaterThan(0)
    const keys = new Map<string, CryptoKey>()
    for (const prefix of ['', '/tenants/pushed']) {
      const res = await fetch(`${ev.origin}${prefix}/scim/v2/Events/jwks.json`)
      expect(res.status).toBe(200)
      const { keys: jwks } = (await res.json()) as { keys: (webcrypto.JsonWebKey & { kid: string })[] }
      for (const jwk of jwks) {
        expect(jwk.d).toBeUndefined()
        keys.set(
          jwk.kid,
          await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
        )
      }
    }
    const emitted = new Set<string>()
    for (const set of ev.seen) {
      const [header, payload, signature] = set.split('.') as [string, string, string]
      const head = decode(header) as { alg: string; kid: string; typ: string }
      expect(head.alg).toBe('ES256')
      expect(head.typ).toBe('secevent+jwt')
      const key = keys.get(head.kid)
      expect(key).toBeDefined()
      const ok = await crypto.subtle.verify(
        { name: 'ECDSA', hash: 'SHA-256' },
        key!,
        Buffer.from(signature, 'base64url'),
        new TextEncoder().encode(`${header}.${payload}`)
      )
      expect(ok).toBe(true)
      for (const uri of Object.keys(claimsOf(set).events)) emitted.add(uri)
    }
    // A SET with one byte changed does not verify.
    const [h, p, s] = ev.seen[0]!.split('.') as [string, string, string]
    const tampered = Buffer.from(s, 'base64url')
    tampered[0]! ^= 1
    const key = keys.get((decode(h) as { kid: string }).kid)!
    expect(
      await crypto.subtle.verify(
        { name: 'ECDSA', hash: 'SHA-256' },
        key,
        tampered,
        new TextEncoder().encode(`${h}.${p}`)
      )
    ).toBe(false)

    const res = await scim('GET', '/ServiceProviderConfig')
    const config = (await res.json()) as { securityEvents: { eventUris: string[]; pollEndpoint: string } }
    expect(config.securityEvents.pollEndpoint).toBe(`${ev.origin}/scim/v2/Events`)
    expect(config.securityEvents.eventUris.toSorted()).toEqual([...emitted].toSorted())
    expect(config.securityEvents.eventUris).toHaveLength(new Set(config.securityEvents.eventUris).size)
  }, 30_000)
})
