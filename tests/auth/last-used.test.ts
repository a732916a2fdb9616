// tokens.last_used: noted per request, written at most once a minute per token, off the request, exact after close.
import { describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LastUsed } from '../../src/auth/last-used'
import { issueTokenRecord, listTokens } from '../../src/auth/token-admin'
import { createScimServer } from '../../src/server'
import { openDatabase } from '../../src/store/db'

const T0 = Date.parse('2026-06-01T12:00:00.000Z')
const iso = (ms: number) => new Date(ms).toISOString()

function recorder(fail = false) {
  const writes: Record<string, string>[] = []
  const clock = { now: T0 }
  const lastUsed = new LastUsed(
    async (uses) => {
      writes.push(Object.fromEntries(uses))
      if (fail) throw new Error('disk full')
    },
    { now: () => clock.now }
  )
  return { writes, clock, lastUsed }
}

describe('LastUsed', () => {
  test('the first use is written; uses within the minute after it are not; the next one is, with its time', async () => {
    const { writes, clock, lastUsed } = recorder()
    lastUsed.seen('a')
    lastUsed.seen('b')
    expect(writes).toEqual([])
    await lastUsed.flush()
    expect(writes).toEqual([{ a: iso(T0), b: iso(T0) }])
    clock.now = T0 + 59_999
    lastUsed.seen('a')
    await lastUsed.flush()
    expect(writes).toHaveLength(1)
    clock.now = T0 + 60_000
    lastUsed.seen('a')
    clock.now = T0 + 60_500
    lastUsed.seen('a')
    await lastUsed.flush()
    expect(writes[1]).toEqual({ a: iso(T0 + 60_500) })
  })

  test('close writes every use not written yet, then notes no more', async () => {
    const { writes, clock, lastUsed } = recorder()
    lastUsed.seen('a')
    await lastUsed.flush()
    clock.now = T0 + 30_000
    lastUsed.seen('a')
    await lastUsed.close()
    expect(writes).toEqual([{ a: iso(T0) }, { a: iso(T0 + 30_000) }])
    lastUsed.seen('a')
    await lastUsed.close()
    expect(writes).toHaveLength(2)
  })

  test('a failed write is dropped, and the next use queues a new one', async () => {
    const { writes, clock, lastUsed } = recorder(true)
    lastUsed.seen('a')
    await lastUsed.flush()
    clock.now = T0 + 1000
    lastUsed.seen('a')
    await lastUsed.flush()
    expect(writes).toEqual([{ a: iso(T0) }, { a: iso(T0 + 1000) }])
  })
})

test('a served database keeps last_used: not written during the request, written when the store closes', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'scim-last-used-')), 'scim.db')
  const admin = openDatabase(path).sqlite
  const used = issueTokenRecord(admin, { tenant: 'default', label: 'used' })
  issueTokenRecord(admin, { tenant: 'default', label: 'idle' })
  admin.close()
  const server = createScimServer({ db: path })
  const before = Date.now()
  const res = await server.app.handle(
    new Request('http://localhost/scim/v2/Users', { headers: { authorization: `Bearer ${used.token}` } })
  )
  expect(res.status).toBe(200)
  const read = () => Object.fromEntries(listTokens(server.sqlite).map((t) => [t.label, t.lastUsed]))
  expect(read()).toEqual({ used: null, idle: null })
  server.store.close()
  const after = openDatabase(path).sqlite
  const tokens = Object.fromEntries(listTokens(after).map((t) => [t.label, t.lastUsed]))
  after.close()
  expect(tokens.idle).toBeNull()
  expect(Date.parse(tokens.used!)).toBeGreaterThanOrEqual(before)
})
