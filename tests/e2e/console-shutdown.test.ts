// A SIGTERM on the binary with the console's live page open: its server-sent event stream ends and the process exits.
import { describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureBinary, REPO_ROOT } from '../helpers/binary'
import { signInOverHttp } from '../helpers/console'
import { freePort, spawnBinary } from '../helpers/process'

const PASSWORD = 'correct horse battery'

async function addAdmin(db: string): Promise<void> {
  const proc = Bun.spawn([await ensureBinary(), 'admin', 'add', 'ada', '--db', db], {
    cwd: REPO_ROOT,
    stdin: new Blob([`${PASSWORD}\n`]),
    stdout: 'ignore',
    stderr: 'ignore',
  })
  expect(await proc.exited).toBe(0)
}

/** Signs in as ada; the session cookie pair. */
async function signIn(base: string): Promise<string> {
  const { cookie, status } = await signInOverHttp(base, 'ada', PASSWORD)
  expect(status).toBe(303)
  return cookie!
}

describe('console live stream and shutdown', () => {
  test('a SIGTERM with /admin/live open ends the stream and exits, instead of waiting on it', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'scim-console-stop-')), 'scim.db')
    const port = await freePort()
    const base = `http://127.0.0.1:${port}`
    const server = await spawnBinary(['--port', String(port), '--host', '127.0.0.1', '--db', db])
    try {
      await server.waitFor('Database:')
      await addAdmin(db)
      const cookie = await signIn(base)
      const live = await fetch(`${base}/admin/live`, { headers: { cookie } })
      expect(live.status).toBe(200)
      const reader = live.body!.getReader()
      // The stream's first line has arrived: the response is open, as a live page holds it.
      expect(new TextDecoder().decode((await reader.read()).value)).toContain(': journal entries')
      const ended = (async () => {
        try {
          while (!(await reader.read()).done);
          return 'ended'
        } catch {
          return 'closed'
        }
      })()
      const t0 = performance.now()
      server.proc.kill('SIGTERM')
      // The stream never ends by itself (a heartbeat every 5 s keeps it open): a drain that waited
      // on it would never finish. The bound only keeps a failure from hanging the suite.
      const exit = await Promise.race([server.proc.exited, Bun.sleep(10_000).then(() => 'still running')])
      const stopped = performance.now() - t0
      expect(exit).toBe(0)
      // 8-9 ms measured; the bar is a second.
      expect(stopped).toBeLessThan(1_000)
      expect(await ended).toMatch(/ended|closed/)
      expect(server.output()).toContain('SIGTERM: finishing in-flight requests')
      console.log(`console e2e: SIGTERM with /admin/live open exited in ${stopped.toFixed(0)} ms`)
    } finally {
      if (server.proc.exitCode === null) server.proc.kill('SIGKILL')
      await server.proc.exited
    }
  }, 30_000)
})
