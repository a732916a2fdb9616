// startScimServer's end of life: what stop() leaves on disk, writes sent after it, and one server per file.
import { Database } from 'bun:sqlite'
import { afterEach, beforeEach, expect, test } from 'bun:test'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startScimServer } from '../../src/index'
import { verifyJournal } from '../../src/journal/verify'
import { ScimError } from '../../src/scim/errors'

let dir = ''
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scim-embed-stop-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

test('after stop() the database file alone holds every write: the connection is closed, not left to the collector', async () => {
  const db = join(dir, 'scim.db')
  const server = await startScimServer({ db, durability: 'normal' })
  await server.seed({ users: Array.from({ length: 20 }, (_, i) => ({ userName: `w${i}` })) })
  await server.stop()
  expect(existsSync(`${db}-wal`)).toBe(false)
  copyFileSync(db, join(dir, 'copy.db'))
  const copy = new Database(join(dir, 'copy.db'), { readonly: true })
  try {
    expect(copy.query("SELECT count(*) AS n FROM resources WHERE type = 'User'").get()).toEqual({ n: 20 })
  } finally {
    copy.close()
  }
})

test('a seed sent after stop() is refused with a 503 ScimError instead of never settling', async () => {
  const server = await startScimServer()
  await server.stop()
  const outcome = await server.seed({ users: [{ userName: 'late' }] }).then(
    () => 'resolved',
    (err: unknown) => err
  )
  expect(outcome).toBeInstanceOf(ScimError)
  expect((outcome as ScimError).status).toBe(503)
  expect((outcome as ScimError).message).toContain('stopped')
})

test('a seed under way when stop() comes settles: done, or refused with a 503', async () => {
  for (let round = 0; round < 5; round++) {
    const server = await startScimServer()
    const seeding = server.seed({ users: Array.from({ length: 200 }, (_, i) => ({ userName: `s${i}` })) }).then(
      () => 'resolved',
      (err: unknown) => (err instanceof ScimError ? err.status : String(err))
    )
    await server.stop()
    expect(['resolved', 503]).toContain(await seeding)
  }
})

test('a second server on a file one already serves is refused, naming it; after stop() the file is free again', async () => {
  const db = join(dir, 'scim.db')
  const first = await startScimServer({ db })
  await expect(startScimServer({ db })).rejects.toThrow('is in use by another scim-server')
  await first.stop()
  await using again = await startScimServer({ db })
  expect(again.url).toStartWith('http://127.0.0.1:')
})

test('reset() leaves no journal entry or change event behind for what it emptied; the journal still verifies', async () => {
  const db = join(dir, 'scim.db')
  const server = await startScimServer({ db, durability: 'normal' })
  await server.seed({ users: [{ userName: 'gone' }] })
  await server.reset()
  const { users } = await server.seed({ users: [{ userName: 'second' }] })
  const poll = await fetch(`${server.url}/Events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ returnImmediately: true }),
  })
  expect(poll.status).toBe(200)
  const sets = Object.values(((await poll.json()) as { sets: Record<string, string> }).sets)
  const payloads = sets.map((jws) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')))
  expect(payloads.map((p) => p.sub_id.id)).toEqual([users[0]!.id])
  await server.stop()
  const sqlite = new Database(db, { readonly: true })
  try {
    const verdict = verifyJournal(sqlite)
    expect(verdict.ok).toBe(true)
    expect(verdict.ok && verdict.tenants.reduce((n, t) => n + t.count, 0)).toBe(1)
  } finally {
    sqlite.close()
  }
})
