// A database written by the release before tenants (3a73d55, tests/fixtures/upgrade, made by
// scripts/upgrade-fixture.ts) opens in this build as the default tenant, every resource served
// byte for byte as the old binary served it, and its token still works.
import { expect, test } from 'bun:test'
import { copyFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fixture from '../fixtures/upgrade/served.json'
import { freePort, runBinary, spawnBinary } from '../helpers/process'

test('the old database is the default tenant: same answers, same ETags, the old token accepted', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'scim-upgrade-')), 'scim.db')
  copyFileSync(join(import.meta.dir, '../fixtures/upgrade/scim.db'), db)
  const port = await freePort()
  const server = await spawnBinary([
    'serve',
    '--db',
    db,
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--schema-pack',
    fixture.pack,
    '--base-url',
    fixture.baseUrl,
  ])
  try {
    await server.waitFor('Database:')
    // No new token was issued: the old one moved into the tokens table with the migration.
    expect(server.output()).toContain('as issued earlier for this database')
    for (const [path, old] of Object.entries(fixture.served)) {
      const res = await fetch(`http://127.0.0.1:${port}/scim/v2${path}`, {
        headers: { authorization: `Bearer ${fixture.token}` },
      })
      expect(res.status, path).toBe(200)
      expect(await res.text(), path).toBe(old.body)
      expect(res.headers.get('etag'), path).toBe(old.etag)
    }
    const wrong = await fetch(`http://127.0.0.1:${port}/scim/v2/Users`, { headers: { authorization: 'Bearer nope' } })
    expect(wrong.status).toBe(401)
  } finally {
    server.proc.kill('SIGTERM')
    await server.proc.exited
  }
  const list = await runBinary(['tenant', 'list', '--db', db])
  expect(list.output).toMatch(/^default\s+-\s+3\s+2\s+1$/m)
}, 60_000)
