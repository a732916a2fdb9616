// Against the binary: backup while serving, restore only when stopped, export → import → export.
import { describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, runBinary, spawnBinary, type Child } from '../helpers/process'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

interface Served {
  child: Child
  base: string
  stop(): Promise<void>
}

async function serve(db: string): Promise<Served> {
  const port = await freePort()
  const child = await spawnBinary(['serve', '--host', '127.0.0.1', '--port', String(port), '--db', db, '--token', 't'])
  await child.waitFor('Tenant URL:')
  return {
    child,
    base: `http://127.0.0.1:${port}/scim/v2`,
    async stop() {
      child.proc.kill('SIGTERM')
      await child.proc.exited
    },
  }
}

async function call(s: Served, method: string, path: string, body?: unknown): Promise<Record<string, any>> {
  const res = await fetch(`${s.base}${path}`, {
    method,
    headers: { authorization: 'Bearer t', 'content-type': 'application/scim+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return res.status === 204 ? {} : ((await res.json()) as Record<string, any>)
}

const countUsers = (db: string) => {
  const d = new Database(db, { readonly: true })
  const n = (d.query("SELECT count(*) AS n FROM resources WHERE type = 'User'").get() as { n: number }).n
  d.close()
  return n
}

describe('backup and restore', () => {
  test('backup copies a serving database consistently; restore waits for the server to stop and keeps the old file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-ops-'))
    const db = join(dir, 'scim.db')
    const server = await serve(db)
    for (let i = 0; i < 50; i++) await call(server, 'POST', '/Users', { schemas: [USER], userName: `before${i}@x` })
    // Writes keep arriving while the backup runs.
    let writing = true
    const writer = (async () => {
      for (let i = 0; writing; i++) await call(server, 'POST', '/Users', { schemas: [USER], userName: `during${i}@x` })
    })()
    const backup = await runBinary(['backup', join(dir, 'copy.db'), '--db', db])
    writing = false
    await writer
    expect(backup.code).toBe(0)
    expect(backup.output).toMatch(/^backup .*copy\.db: \d+ users, 0 groups/m)
    const copied = countUsers(join(dir, 'copy.db'))
    expect(copied).toBeGreaterThanOrEqual(50)
    const check = new Database(join(dir, 'copy.db'), { readonly: true })
    expect((check.query('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok')
    check.close()
    expect((await runBinary(['backup', join(dir, 'copy.db'), '--db', db])).output).toContain('never overwrites')

    const refused = await runBinary(['restore', join(dir, 'copy.db'), '--db', db])
    expect(refused.code).toBe(1)
    expect(refused.output).toContain('in use by another scim-server')
    await call(server, 'POST', '/Users', { schemas: [USER], userName: 'after-backup@x' })
    await server.stop()

    const restored = await runBinary(['restore', join(dir, 'copy.db'), '--db', db])
    expect(restored.code).toBe(0)
    expect(restored.output).toContain(`${copied} users`)
    expect(readdirSync(dir).some((f) => f.startsWith('scim.db.replaced-'))).toBe(true)
    const again = await serve(db)
    try {
      const list = await call(again, 'GET', '/Users?filter=userName%20eq%20%22after-backup@x%22')
      expect(list.totalResults).toBe(0)
      expect((await call(again, 'GET', '/Users?count=0')).totalResults).toBe(copied)
    } finally {
      await again.stop()
    }
  }, 60_000)

  test('restore refuses a file that is not a scim-server database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-ops-'))
    writeFileSync(join(dir, 'junk.db'), 'not a database')
    const { code, output } = await runBinary(['restore', join(dir, 'junk.db'), '--db', join(dir, 'scim.db')])
    expect(code).toBe(1)
    expect(output).toContain('cannot be restored')
    expect(existsSync(join(dir, 'scim.db'))).toBe(false)
  })
})

describe('export and import', () => {
  test('export → import into an empty database → export gives the same file; a second import changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-ops-'))
    const source = join(dir, 'a.db')
    const server = await serve(source)
    const ids: string[] = []
    for (let i = 0; i < 30; i++) {
      const u = await call(server, 'POST', '/Users', {
        schemas: [USER, ENTERPRISE],
        userName: `p${i}@x`,
        externalId: `e${i}`,
        name: { givenName: `G${i}` },
        [ENTERPRISE]: { department: 'Sales' },
      })
      ids.push(u.id)
    }
    // A management tree three levels deep whose edges point both ways in id order, so an import
    // meets references to lines still to come.
    for (let i = 1; i < 30; i++) {
      await call(server, 'PATCH', `/Users/${ids[i]}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'add', path: `${ENTERPRISE}:manager`, value: { value: ids[i < 5 ? 0 : i % 5] } }],
      })
    }
    const staff = await call(server, 'POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'staff',
      members: ids.slice(0, 10).map((value) => ({ value })),
    })
    await call(server, 'POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'all-staff',
      members: [{ value: staff.id, type: 'Group' }],
    })
    await server.stop()

    const first = join(dir, 'first.jsonl')
    expect((await runBinary(['export', '--db', source, '--out', first])).code).toBe(0)
    expect(readFileSync(first, 'utf8').trim().split('\n')).toHaveLength(32)
    const target = join(dir, 'b.db')
    await (await serve(target)).stop()
    const imported = await runBinary(['import', first, '--db', target])
    expect(imported.output).toContain('32 created, 0 updated, 0 unchanged, 0 failed')
    expect(imported.code).toBe(0)
    const second = join(dir, 'second.jsonl')
    await runBinary(['export', '--db', target, '--out', second])
    expect(readFileSync(second, 'utf8')).toBe(readFileSync(first, 'utf8'))
    const rerun = await runBinary(['import', first, '--db', target])
    expect(rerun.output).toContain('0 created, 0 updated, 32 unchanged, 0 failed')
  }, 60_000)

  test('a bad line is reported with its number; the others are imported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-ops-'))
    const db = join(dir, 'c.db')
    await (await serve(db)).stop()
    const file = join(dir, 'in.jsonl')
    writeFileSync(
      file,
      [
        JSON.stringify({ schemas: [USER], userName: 'ok1@x' }),
        '{not json',
        JSON.stringify({ schemas: [USER], userName: 'ok2@x', emails: 'not-a-list' }),
        '',
        JSON.stringify({ schemas: [USER], externalId: 'no-user-name' }),
        JSON.stringify({ schemas: [USER], userName: 'ok3@x' }),
      ].join('\n')
    )
    const { code, output } = await runBinary(['import', file, '--db', db])
    expect(code).toBe(1)
    expect(output).toMatch(/^line 2: 400 invalidSyntax/m)
    expect(output).toMatch(/^line 5: 400 /m)
    expect(output).toContain('2 created')
    expect(countUsers(db)).toBeGreaterThanOrEqual(2)
  }, 30_000)

  test('importing /dev/null reports the normal summary and exits 0; a directory is one line of error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-ops-'))
    const db = join(dir, 'd.db')
    await (await serve(db)).stop()
    const empty = await runBinary(['import', '/dev/null', '--db', db])
    expect(empty.output).toContain('imported /dev/null: 0 created, 0 updated, 0 unchanged, 0 failed')
    expect(empty.output).not.toContain('EPERM')
    expect(empty.code).toBe(0)
    const folder = await runBinary(['import', dir, '--db', db])
    expect(folder.code).toBe(1)
    expect(folder.output.trim()).toBe(`scim-server: cannot read ${dir}: EISDIR: illegal operation on a directory, read`)
  }, 30_000)

  test('admin commands refuse a database that does not exist and a missing FILE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-ops-'))
    expect((await runBinary(['export', '--db', join(dir, 'none.db')])).code).toBe(1)
    expect(existsSync(join(dir, 'none.db'))).toBe(false)
    expect((await runBinary(['import'])).output).toContain('import needs a FILE')
    expect((await runBinary(['export', '--format', 'csv', '--db', join(dir, 'none.db')])).output).toContain(
      '--format must be jsonl'
    )
  })
})
