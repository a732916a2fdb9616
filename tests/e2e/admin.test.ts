// Traps a new admin meets with the binary: a lost first token, stray databases, read-only files,
// and two servers on one database file.
import { afterAll, describe, expect, test } from 'bun:test'
import { chmodSync, existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { openDatabase } from '../../src/store/db'
import { ensureBinary } from '../helpers/binary'
import { freePort, runBinary, spawnBinary, type Child } from '../helpers/process'

const tmpDir = () => mkdtempSync(join(tmpdir(), 'scim-admin-'))
const tmpDb = () => join(tmpDir(), 'scim.db')
const serveArgs = (db: string, port: number) => ['serve', '--host', '127.0.0.1', '--port', String(port), '--db', db]

async function stop(child: Child): Promise<void> {
  child.proc.kill('SIGTERM')
  await child.proc.exited
}

/** Starts a server on `db` and checks that it prints a new token that works. */
async function expectFreshToken(db: string): Promise<void> {
  const port = await freePort()
  const child = await spawnBinary(serveArgs(db, port))
  try {
    await child.waitFor('Database:')
    expect(child.output()).not.toContain('as issued earlier')
    const token = /Secret Token: (\S+)/.exec(child.output())?.[1] ?? ''
    expect(token.length).toBeGreaterThanOrEqual(40)
    const res = await fetch(`http://127.0.0.1:${port}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
  } finally {
    await stop(child)
  }
}

describe('the one-time token', () => {
  test('is shown by the next start when the first one failed on a port in use', async () => {
    const db = tmpDb()
    const busy = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('') })
    const failed = await runBinary(serveArgs(db, busy.port!))
    await busy.stop(true)
    expect(failed.code).toBe(1)
    expect(failed.output).toContain('cannot listen')
    expect(failed.output).not.toContain('Secret Token')
    await expectFreshToken(db)
  }, 30_000)

  test('is shown by the next start when the first one failed on a missing certificate', async () => {
    const db = tmpDb()
    const missing = join(tmpDir(), 'cert.pem')
    const failed = await runBinary([...serveArgs(db, await freePort()), '--tls-cert', missing, '--tls-key', missing])
    expect(failed.code).toBe(1)
    expect(failed.output).toContain(missing)
    expect(failed.output).not.toContain('Secret Token')
    await expectFreshToken(db)
  }, 30_000)
})

describe('commands other than serve', () => {
  test('token refuses to create a database that does not exist', async () => {
    const missing = join(tmpDir(), 'nope.db')
    const { code, output } = await runBinary(['token', '--db', missing])
    expect(code).toBe(1)
    expect(output).toContain(`no database at ${missing}`)
    expect(output).not.toContain('Secret Token')
    expect(existsSync(missing)).toBe(false)
  })

  test('token without --db leaves the directory it runs in untouched', async () => {
    const dir = tmpDir()
    const env: Record<string, string | undefined> = { ...process.env }
    delete env.SCIM_DB
    const proc = Bun.spawn([await ensureBinary(), 'token'], { cwd: dir, env, stdout: 'pipe', stderr: 'pipe' })
    const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()])
    expect(code).toBe(1)
    expect(err).toContain('no database at')
    expect(readdirSync(dir)).toEqual([])
  })
})

/**
 * Makes `path` unwritable even for root: `chattr +i` where the file system and capabilities
 * allow it (the tests run as root, who writes 0444 files anyway), chmod for anyone else.
 * Returns the undo, or undefined when neither works here.
 */
function makeReadOnly(path: string, mode: number): (() => void) | undefined {
  if (process.getuid?.() !== 0) {
    chmodSync(path, mode)
    return () => chmodSync(path, 0o755)
  }
  if (Bun.spawnSync(['chattr', '+i', path]).exitCode !== 0) return undefined
  return () => void Bun.spawnSync(['chattr', '-i', path])
}

const canFreeze = (() => {
  const probe = tmpDir()
  const undo = makeReadOnly(probe, 0o555)
  undo?.()
  return undo !== undefined
})()

describe('a database the server cannot write', () => {
  const undos: (() => void)[] = []
  afterAll(() => {
    for (const undo of undos) undo()
  })

  const existingDb = () => {
    const db = tmpDb()
    openDatabase(db).sqlite.close()
    return db
  }

  test.skipIf(!canFreeze)('a read-only file stops the start with a clear message', async () => {
    const db = existingDb()
    undos.push(makeReadOnly(db, 0o444)!)
    const { code, output } = await runBinary([...serveArgs(db, await freePort()), '--token', 't'])
    expect(code).toBe(1)
    expect(output).toContain(`database ${db} is not writable`)
    expect(output).not.toContain('Tenant URL')
  })

  test.skipIf(!canFreeze)('a read-only directory (no room for -wal/-shm) stops the start too', async () => {
    const db = existingDb()
    undos.push(makeReadOnly(join(db, '..'), 0o555)!)
    const { code, output } = await runBinary([...serveArgs(db, await freePort()), '--token', 't'])
    expect(code).toBe(1)
    expect(output).toContain(`database ${db} is not writable`)
    expect(output).not.toContain('Tenant URL')
  })
})

describe('one server per database file', () => {
  test('a second server refuses to start, naming the file and the first server; token still works', async () => {
    const db = tmpDb()
    const first = await spawnBinary([...serveArgs(db, await freePort()), '--token', 't'])
    try {
      await first.waitFor('Database:')
      const second = await runBinary([...serveArgs(db, await freePort()), '--token', 't'])
      expect(second.code).toBe(1)
      expect(second.output).toContain(resolve(db))
      expect(second.output).toContain(`pid ${first.proc.pid}`)
      expect(second.output.trim().split('\n')).toHaveLength(1)
      const token = await runBinary(['token', '--db', db])
      expect(token.code).toBe(0)
      expect(token.output).toContain('Secret Token:')
    } finally {
      await stop(first)
    }
  }, 30_000)

  test('the lock dies with the process, even on kill -9', async () => {
    const db = tmpDb()
    const first = await spawnBinary([...serveArgs(db, await freePort()), '--token', 't'])
    await first.waitFor('Database:')
    first.proc.kill('SIGKILL')
    await first.proc.exited
    const again = await spawnBinary([...serveArgs(db, await freePort()), '--token', 't'])
    try {
      await again.waitFor('Database:')
    } finally {
      await stop(again)
    }
  }, 30_000)
})

describe('health endpoints on the binary', () => {
  // With the token: /readyz becomes an open path in the auth plugin separately; both work then.
  test('/healthz is ok and /readyz is ready on a fresh database file', async () => {
    const port = await freePort()
    const child = await spawnBinary([...serveArgs(tmpDb(), port), '--token', 't'])
    try {
      await child.waitFor('Database:')
      const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: 'Bearer t' } })
      expect(await (await get('/healthz')).text()).toBe('ok\n')
      const ready = await get('/readyz')
      expect(ready.status).toBe(200)
      expect(await ready.text()).toBe('ready\n')
    } finally {
      await stop(child)
    }
  }, 30_000)
})
