// Kill -9 during a write load: every write that was acknowledged with 2xx is there after restart.
import { expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, spawnBinary } from '../helpers/process'

const TOKEN = 'durability-token'

async function serve(db: string, port: number) {
  const child = await spawnBinary(['serve', '--port', String(port), '--host', '127.0.0.1', '--db', db, '--token', TOKEN])
  await child.waitFor('Tenant URL:')
  return child
}

test('acknowledged writes survive SIGKILL in the middle of a write load', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'scim-durability-')), 'scim.db')
  const port = await freePort()
  const base = `http://127.0.0.1:${port}/scim/v2`
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json; charset=utf-8' }
  const first = await serve(db, port)

  const acknowledged: string[] = []
  let stop = false
  let n = 0
  const writer = async () => {
    while (!stop) {
      const userName = `crash-${n++}@example.com`
      try {
        const res = await fetch(`${base}/Users`, { method: 'POST', headers, body: JSON.stringify({ userName, active: true }) })
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
      const res = await fetch(`${base}/Users?filter=userName+eq+%22${encodeURIComponent(userName)}%22&attributes=userName`, { headers })
      const body = (await res.json()) as { totalResults: number }
      if (body.totalResults !== 1) missing.push(userName)
    }
    expect(missing).toEqual([])
  } finally {
    second.proc.kill('SIGTERM')
    await second.proc.exited
  }
}, 60_000)
