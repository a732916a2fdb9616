// The token life cycle against the binary, beside a live server: issue, scopes, list, revoke, reset, expiry, last used.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../src/store/db'
import { freePort, runBinary, spawnBinary, type Child } from '../helpers/process'

/** How long a change made by the command line may take to reach the server (it re-reads each second). */
const WITHIN_MS = 1500

let db: string
let server: Child
let base: string
let first: string

const secretOf = (output: string) => /^Secret Token: (\S+)$/m.exec(output)![1]!

async function token(...args: string[]): Promise<{ code: number; output: string }> {
  return runBinary(['token', '--db', db, ...args])
}

async function issue(...args: string[]): Promise<string> {
  const { code, output } = await token(...args)
  expect(code).toBe(0)
  return secretOf(output)
}

/** The rows of `token list`, by column name. */
async function list(): Promise<Record<string, string>[]> {
  const { code, output } = await token('list')
  expect(code).toBe(0)
  const [header, ...rows] = output.trim().split('\n')
  const names = header!.split(/ {2,}/)
  return rows.map((row) => Object.fromEntries(row.split(/ {2,}/).map((cell, i) => [names[i]!, cell])))
}

const status = async (secret: string, path = '/scim/v2/Users', method = 'GET') => {
  const body = method === 'POST' ? JSON.stringify({ userName: `u-${crypto.randomUUID()}` }) : undefined
  const headers: Record<string, string> = { authorization: `Bearer ${secret}` }
  if (body) headers['content-type'] = 'application/scim+json; charset=utf-8'
  const res = await fetch(`${base}${path}`, { method, headers, body })
  await res.arrayBuffer()
  return res.status
}

/** Asks until `secret` gets `wanted` on GET /Users, for at most WITHIN_MS after the command returned. */
async function expectSoon(secret: string, wanted: number): Promise<void> {
  const deadline = Date.now() + WITHIN_MS
  let got = await status(secret)
  while (got !== wanted && Date.now() < deadline) {
    await Bun.sleep(50)
    got = await status(secret)
  }
  expect(got).toBe(wanted)
}

beforeAll(async () => {
  db = join(mkdtempSync(join(tmpdir(), 'scim-e2e-tokens-')), 'scim.db')
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  server = await spawnBinary(['serve', '--host', '127.0.0.1', '--port', String(port), '--db', db])
  await server.waitFor('Database:')
  first = secretOf(server.output())
  const admin = openDatabase(db).sqlite
  admin.run("INSERT INTO tenants (name, created) VALUES ('acme', '2026-01-01T00:00:00Z')")
  admin.close()
}, 30_000)

afterAll(async () => {
  if (server.proc.exitCode === null) server.proc.kill('SIGTERM')
  await server.proc.exited
})

describe('token beside a running server', () => {
  test('a read token works within a second, reads and searches, and gets 403 for a write', async () => {
    const reader = await issue('--name', 'reader', '--scope', 'read')
    await expectSoon(reader, 200)
    expect(await status(reader, '/scim/v2/Users', 'POST')).toBe(403)
    expect(await status(first, '/scim/v2/Users', 'POST')).toBe(201)
    const search = await fetch(`${base}/scim/v2/Users/.search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] }),
    })
    expect(search.status).toBe(200)
    expect(((await search.json()) as { totalResults: number }).totalResults).toBe(1)
  }, 30_000)

  test('a metrics token scrapes /metrics and nothing else; a provisioning token does not scrape', async () => {
    const scraper = await issue('--name', 'prometheus', '--scope', 'metrics')
    const deadline = Date.now() + WITHIN_MS
    while ((await status(scraper, '/metrics')) !== 200 && Date.now() < deadline) await Bun.sleep(50)
    expect(await status(scraper, '/metrics')).toBe(200)
    expect(await status(scraper)).toBe(403)
    expect(await status(first, '/metrics')).toBe(403)
  }, 30_000)

  test('list shows every token with tenant, name, scope, created and expiry; revoke refuses one within a second', async () => {
    const doomed = await issue('--name', 'doomed', '--tenant', 'default', '--expires', '90d')
    await expectSoon(doomed, 200)
    const rows = await list()
    const row = rows.find((r) => r.NAME === 'doomed')!
    expect(row).toMatchObject({ TENANT: 'default', SCOPE: 'provision' })
    expect(Date.parse(row.EXPIRES!) - Date.parse(row.CREATED!)).toBeGreaterThan(89 * 86_400_000)
    expect(rows.map((r) => r.NAME)).toEqual(expect.arrayContaining(['reader', 'prometheus', 'doomed']))
    expect(JSON.stringify(rows)).not.toContain(doomed)
    const revoked = await token('revoke', row.ID!)
    expect(revoked.code).toBe(0)
    await expectSoon(doomed, 401)
    expect(await status(first)).toBe(200)
  }, 30_000)

  test("a tenant's token is issued to that tenant; bad tenant, scope and duration are one line and exit 2", async () => {
    expect(await issue('--tenant', 'acme', '--name', 'acme-app')).toBeString()
    expect((await list()).find((r) => r.NAME === 'acme-app')).toMatchObject({ TENANT: 'acme' })
    for (const args of [
      ['--tenant', 'nosuch'],
      ['--scope', 'admin'],
      ['--expires', '3mo'],
    ]) {
      const { code, output } = await token(...args)
      expect(code).toBe(2)
      expect(output.trim().split('\n')).toHaveLength(1)
      expect(output).not.toContain('Secret Token')
    }
  }, 30_000)

  test('an expired token is 401: it works, then its expiry passes and it is refused', async () => {
    const brief = await issue('--name', 'brief', '--expires', '3s')
    await expectSoon(brief, 200)
    const expires = Date.parse((await list()).find((r) => r.NAME === 'brief')!.EXPIRES!)
    // The list shows whole seconds, so the true expiry is up to a second after the one shown.
    await Bun.sleep(Math.max(0, expires + 1000 - Date.now()) + 50)
    expect(await status(brief)).toBe(401)
  }, 30_000)

  test("--reset issues one token and revokes the tenant's others within a second; last used shows after shutdown", async () => {
    const fresh = await issue('--reset')
    await expectSoon(first, 401)
    await expectSoon(fresh, 200)
    const rows = await list()
    expect(rows.filter((r) => r.TENANT === 'default')).toHaveLength(1)
    expect(rows.find((r) => r.NAME === 'acme-app')).toBeDefined()
    server.proc.kill('SIGTERM')
    expect(await server.proc.exited).toBe(0)
    const used = (await list()).find((r) => r.TENANT === 'default')!
    expect(Date.now() - Date.parse(used['LAST USED']!)).toBeLessThan(60_000)
    expect((await list()).find((r) => r.NAME === 'acme-app')!['LAST USED']).toBe('-')
  }, 30_000)
})
