// Kill -9 during a write load: every write that was acknowledged with 2xx is there after restart.
import { expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, spawnBinary } from '../helpers/process'

const TOKEN = 'durability-token'

const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json; charset=utf-8' }

/** A fresh database file and port, and the binary serving them. */
async function fresh(prefix: string) {
  const db = join(mkdtempSync(join(tmpdir(), prefix)), 'scim.db')
  const port = await freePort()
  return { db, port, base: `http://127.0.0.1:${port}/scim/v2`, first: await serve(db, port) }
}

async function serve(db: string, port: number) {
  const child = await spawnBinary([
    'serve',
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--db',
    db,
    '--token',
    TOKEN,
  ])
  await child.waitFor('Tenant URL:')
  return child
}

test('acknowledged writes survive SIGKILL in the middle of a write load', async () => {
  const { db, port, base, first } = await fresh('scim-durability-')

  const acknowledged: string[] = []
  let stop = false
  let n = 0
  const writer = async () => {
    while (!stop) {
      const userName = `crash-${n++}@example.com`
      try {
        const res = await fetch(`${base}/Users`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ userName, active: true }),
        })
        if (res.status === 201) acknowledged.push(userName)
      } catch {
        // The connection died with the server: this write was never acknowledged.
      }
    }
  }
  const writers = Array.from({ length: 16 }, writer)
  await Bun.sleep(1500)
  first.proc.kill('SIGKILL')
  await first.proc.exited
  stop = true
  await Promise.all(writers)
  expect(acknowledged.length).toBeGreaterThan(50)

  const second = await serve(db, port)
  try {
    const missing = []
    for (const userName of acknowledged) {
      const res = await fetch(
        `${base}/Users?filter=userName+eq+%22${encodeURIComponent(userName)}%22&attributes=userName`,
        { headers }
      )
      const body = (await res.json()) as { totalResults: number }
      if (body.totalResults !== 1) missing.push(userName)
    }
    expect(missing).toEqual([])
  } finally {
    second.proc.kill('SIGTERM')
    await second.proc.exited
  }
}, 60_000)

test('SIGTERM under load: in-flight requests finish, the exit is clean, every 201 is kept', async () => {
  const { db, port, base, first } = await fresh('scim-drain-')
  const statuses: number[] = []
  const acknowledged: string[] = []
  const requests = Array.from({ length: 300 }, async (_, i) => {
    const userName = `drain-${i}`
    try {
      const res = await fetch(`${base}/Users`, { method: 'POST', headers, body: JSON.stringify({ userName }) })
      statuses.push(res.status)
      if (res.status === 201) acknowledged.push(userName)
    } catch {
      // Refused after the listener closed: never acknowledged.
    }
  })
  await Bun.sleep(5)
  first.proc.kill('SIGTERM')
  await Promise.all(requests)
  expect(await first.proc.exited).toBe(0)
  expect(statuses.filter((s) => s !== 201)).toEqual([])
  const second = await serve(db, port)
  try {
    const list = (await (await fetch(`${base}/Users?count=1000&attributes=userName`, { headers })).json()) as {
      Resources: { userName: string }[]
    }
    const stored = new Set(list.Resources.map((r) => r.userName))
    expect(acknowledged.filter((u) => !stored.has(u))).toEqual([])
  } finally {
    second.proc.kill('SIGTERM')
    await second.proc.exited
  }
}, 60_000)

test('a response sent while draining after SIGTERM tells the client to close its connection', async () => {
  const { base, first } = await fresh('scim-drain-close-')
  // A long poll waits for the next change; SIGTERM ends it at once, so it is answered while draining.
  const poll = fetch(`${base}/Events`, { method: 'POST', headers, body: JSON.stringify({ returnImmediately: false }) })
  await Bun.sleep(300)
  first.proc.kill('SIGTERM')
  const res = await poll
  expect(res.status).toBe(200)
  expect(res.headers.get('connection')).toBe('close')
  expect(await first.proc.exited).toBe(0)
}, 60_000)
