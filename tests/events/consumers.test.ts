// RFC 8936 poll streams per consumer: each stored token its own position, the server's --token the shared one.
import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { issueTokenRecord, resetTokens, revokeToken } from '../../src/auth/token-admin'
import { StreamPositions } from '../../src/events/streams'
import { makeTestApp, TEST_TOKEN, type TestApp } from '../helpers/app'
import { MemoryJournal } from './memory-journal'

const EVENTS = '/scim/v2/Events'
const opened: TestApp[] = []
const dirs: string[] = []

afterEach(async () => {
  for (const t of opened.splice(0)) await close(t)
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function close(t: TestApp) {
  await t.server.deps.events?.close()
  t.server.store.close()
}

/** A server that takes its tokens from the tokens table only (no --token), as `serve` without one. */
function storedTokenApp(journal: MemoryJournal, db = ':memory:') {
  const t = makeTestApp({ db, journal, tokenHashes: undefined, events: { reloadEveryMs: 0 } })
  opened.push(t)
  return t
}

function issue(t: TestApp, tenant = 'default') {
  const issued = issueTokenRecord(t.server.sqlite, { tenant, scope: 'read' })
  t.server.tenantsChanged()
  return issued
}

async function poll(t: TestApp, token: string, body: object = {}) {
  const res = await t.request(
    'POST',
    EVENTS,
    { returnImmediately: true, ...body },
    { authorization: `Bearer ${token}` }
  )
  expect(res.status).toBe(200)
  return Object.keys(((await res.json()) as { sets: Record<string, string> }).sets)
}

const streams = (t: TestApp) =>
  (
    t.server.sqlite.query('SELECT stream FROM event_streams WHERE tenant = ? ORDER BY stream').all('default') as {
      stream: string
    }[]
  ).map((r) => r.stream)

const users = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ op: 'create' as const, resourceId: `u${from + i}` }))

describe('events/consumers', () => {
  test('two tokens of one tenant each get every event; the acks of one do not move the other', async () => {
    const journal = new MemoryJournal()
    const t = storedTokenApp(journal)
    const a = issue(t)
    const b = issue(t)
    journal.commit(...users(3))
    const seenByA = await poll(t, a.token)
    expect(seenByA).toHaveLength(3)
    expect(await poll(t, a.token, { ack: seenByA })).toEqual([])
    // B still gets all three, and its partial ack leaves A's position alone.
    const seenByB = await poll(t, b.token)
    expect(seenByB).toEqual(seenByA)
    expect(await poll(t, b.token, { ack: [seenByB[0]!] })).toEqual(seenByB.slice(1))
    journal.commit(...users(1, 3))
    expect(await poll(t, a.token)).toHaveLength(1)
    expect(await poll(t, b.token)).toHaveLength(3)
    expect(streams(t)).toEqual([`poll ${a.record.id}`, `poll ${b.record.id}`].toSorted())
  })

  test("a restart keeps each token's position", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-consumers-'))
    dirs.push(dir)
    const db = join(dir, 'scim.db')
    const journal = new MemoryJournal()
    const first = storedTokenApp(journal, db)
    const a = issue(first)
    const b = issue(first)
    journal.commit(...users(4))
    const all = await poll(first, a.token)
    await poll(first, a.token, { ack: all.slice(0, 3), maxEvents: 0 })
    await poll(first, b.token, { ack: [all[0]!], maxEvents: 0 })
    opened.splice(opened.indexOf(first), 1)
    await close(first)
    const second = storedTokenApp(journal, db)
    second.server.tenantsChanged()
    expect(await poll(second, a.token)).toEqual(all.slice(3))
    expect(await poll(second, b.token)).toEqual(all.slice(1))
  })

  test("a token's first poll starts where the tenant's shared stream was (an upgrade loses no position)", async () => {
    const journal = new MemoryJournal()
    const t = storedTokenApp(journal)
    const entries = journal.commit(...users(5))
    // The shared stream as a server before per-token streams left it: 2 acknowledged, then the 4th.
    const positions = new StreamPositions(t.server.sqlite)
    positions.advance('default', 'poll', entries[1]!.seq)
    positions.acknowledge('default', 'poll', [entries[3]!.seq])
    const a = issue(t)
    const got = await poll(t, a.token)
    expect(got).toHaveLength(2)
    // Copied, not shared: the shared stream stays where it was when the token's stream moves on.
    await poll(t, a.token, { ack: got, maxEvents: 0 })
    expect(positions.cursor('default', 'poll').ackedSeq).toBe(entries[1]!.seq)
    expect(positions.cursor('default', `poll ${a.record.id}`).ackedSeq).toBe(entries[4]!.seq)
  })

  test('without a shared stream a token starts at the oldest entry', async () => {
    const journal = new MemoryJournal()
    const t = storedTokenApp(journal)
    journal.commit(...users(2))
    expect(await poll(t, issue(t).token)).toHaveLength(2)
  })

  test('the server-wide --token polls the shared stream', async () => {
    const journal = new MemoryJournal()
    const t = makeTestApp({ journal, events: { reloadEveryMs: 0 } })
    opened.push(t)
    journal.commit(...users(2))
    const got = await poll(t, TEST_TOKEN)
    await poll(t, TEST_TOKEN, { ack: got })
    expect(streams(t)).toEqual(['poll'])
  })

  test('a named tenant: its tokens poll their own streams too', async () => {
    const journal = new MemoryJournal()
    const t = storedTokenApp(journal)
    t.server.sqlite.run("INSERT INTO tenants (name, created) VALUES ('acme', '2026-01-01T00:00:00Z')")
    t.server.tenantsChanged()
    const a = issue(t, 'acme')
    const b = issue(t, 'acme')
    journal.commit(...users(2).map((u) => ({ ...u, tenant: 'acme' })))
    const request = (token: string, ack: string[] = []) =>
      t.server.app.handle(
        new Request('http://localhost/tenants/acme/scim/v2/Events', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ returnImmediately: true, ack }),
        })
      )
    const setsOf = async (res: Response) => {
      expect(res.status).toBe(200)
      return Object.keys(((await res.json()) as { sets: object }).sets)
    }
    const got = await setsOf(await request(a.token))
    expect(got).toHaveLength(2)
    expect(await setsOf(await request(a.token, got))).toEqual([])
    expect(await setsOf(await request(b.token))).toEqual(got)
  })

  test("revoking a token removes its stream (and its acknowledgements); a reset removes the others'", async () => {
    const journal = new MemoryJournal()
    const t = storedTokenApp(journal)
    const a = issue(t)
    const b = issue(t)
    const c = issue(t)
    journal.commit(...users(3))
    for (const { token } of [a, b, c]) {
      const got = await poll(t, token)
      await poll(t, token, { ack: [got[1]!], maxEvents: 0 })
    }
    expect(streams(t)).toHaveLength(3)
    expect(revokeToken(t.server.sqlite, a.record.id)).toBe(true)
    expect(streams(t)).toEqual([`poll ${b.record.id}`, `poll ${c.record.id}`].toSorted())
    const kept = resetTokens(t.server.sqlite, 'default')
    expect(streams(t)).toEqual([])
    const acks = t.server.sqlite.query('SELECT count(*) AS n FROM event_acks').get()
    expect(acks).toEqual({ n: 0 })
    expect(kept.record.id).not.toBe(c.record.id)
  })
})
