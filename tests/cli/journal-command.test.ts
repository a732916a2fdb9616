// `scim-server journal` on a SQLite file: a named tenant is restored with its stored schemas; an unknown tenant is refused; output is printable.
import { journal, sinceAfterWritesSoFar } from '../helpers/journal-command'
import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hashToken } from '../../src/auth/tokens'
import { runTenantCommand } from '../../src/cli/tenant-command'
import { createScimServer } from '../../src/server'
import { readJson, URN_USER } from '../helpers/scim'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const BADGE = 'urn:example:badge'

/** A database file whose tenant acme keeps a User extension with a server-unique `badge`. */
async function tenantWithUniqueBadge(): Promise<{ db: string; token: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'journal-cli-'))
  dirs.push(dir)
  const schema = join(dir, 'badge.json')
  writeFileSync(
    schema,
    JSON.stringify({
      id: BADGE,
      name: 'Badge',
      attributes: [{ name: 'badge', type: 'string', multiValued: false, uniqueness: 'server' }],
    })
  )
  const db = join(dir, 'scim.db')
  const added = await runTenantCommand(['add', 'acme', '--schema', schema, '--db', db], {})
  const token = /Secret Token: (\S+)/.exec(added.lines.join('\n'))![1]!
  return { db, token }
}

describe('cli/journal-command restore', () => {
  test("a named tenant's restore validates with its stored schemas: a badge taken since is a uniqueness failure", async () => {
    const { db, token } = await tenantWithUniqueBadge()
    const server = createScimServer({ db, tokenHashes: [] })
    server.tenantsChanged()
    const send = (method: string, path: string, body?: unknown) =>
      server.app.handle(
        new Request(`http://localhost/tenants/acme/scim/v2${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        })
      )
    const user = (userName: string) => ({ schemas: [URN_USER, BADGE], userName, [BADGE]: { badge: 'B1' } })
    const ada = await readJson<{ id: string }>(await send('POST', '/Users', user('ada')))
    const since = await sinceAfterWritesSoFar()
    expect((await send('DELETE', `/Users/${ada.id}`)).status).toBe(204)
    expect((await send('POST', '/Users', user('bob'))).status).toBe(201)
    const restored = await journal('restore', '--db', db, '--tenant', 'acme', '--since', since)
    expect(restored.code).toBe(1)
    expect(restored.output).toContain(`recreate User ${ada.id} (ada): failed, 409 uniqueness`)
    const holders = await readJson<{ Resources: { userName: string }[] }>(
      await send('GET', `/Users?filter=${encodeURIComponent(`${BADGE}:badge eq "B1"`)}`)
    )
    expect(holders.Resources.map((u) => u.userName)).toEqual(['bob'])
    server.store.close()
  })

  test('an unknown tenant, serve’s schema flags for a named tenant, or schemas that do not load are one line, before anything is written', async () => {
    const { db } = await tenantWithUniqueBadge()
    const since = new Date(0).toISOString()
    const unknown = await journal('restore', '--db', db, '--tenant', 'nope', '--since', since)
    expect(unknown).toEqual({ code: 1, output: expect.stringContaining('no tenant is called nope') })
    const flags = await journal('restore', '--db', db, '--tenant', 'acme', '--since', since, '--schema-pack', 'alvao')
    expect(flags).toEqual({ code: 1, output: expect.stringContaining('tenant acme keeps its schema packs') })
    expect((await journal('restore', '--db', db, '--tenant', 'default', '--since', since)).code).toBe(0)
    const missing = join(tmpdir(), 'no-such-schema.json')
    const unread = await journal('restore', '--db', db, '--tenant', 'default', '--since', since, '--schema', missing)
    expect(unread).toEqual({ code: 2, output: expect.stringMatching(/^scim-server: cannot read schema file [^\n]+$/) })
    const pack = await journal('restore', '--db', db, '--tenant', 'default', '--since', since, '--schema-pack', 'nope')
    expect(pack).toEqual({ code: 1, output: expect.stringMatching(/^scim-server: the tenant's schemas do not load: /) })
  })
})

describe('cli/journal-command restore limits', () => {
  test("restore holds documents to the server's limits when given its flags, and to the defaults otherwise", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-cli-'))
    dirs.push(dir)
    const db = join(dir, 'scim.db')
    const token = 'limits-token'
    // A server run with --max-document-bytes 4194304 stores a user past the 1 MiB default.
    const server = createScimServer({
      db,
      tokenHashes: [hashToken(token)],
      limits: { maxDocumentBytes: 4 * 1_048_576 },
    })
    const send = (method: string, path: string, body?: unknown) =>
      server.app.handle(
        new Request(`http://localhost/scim/v2${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        })
      )
    const big = { schemas: [URN_USER], userName: 'big', title: 'x'.repeat(1_500_000) }
    const created = await send('POST', '/Users', big)
    expect(created.status).toBe(201)
    const { id } = await readJson<{ id: string }>(created)
    const since = await sinceAfterWritesSoFar()
    expect((await send('DELETE', `/Users/${id}`)).status).toBe(204)
    server.store.close()
    const defaults = await journal('restore', '--db', db, '--tenant', 'default', '--since', since)
    expect(defaults.code).toBe(1)
    expect(defaults.output).toContain('413')
    const restored = await journal(
      'restore',
      '--db',
      db,
      '--tenant',
      'default',
      '--since',
      since,
      '--max-document-bytes',
      '4194304'
    )
    expect(restored.output).toContain(`recreate User ${id}`)
    expect(restored.code).toBe(0)
    const bad = await journal('restore', '--db', db, '--tenant', 'default', '--since', since, '--max-depth', '3')
    expect(bad.code).toBe(2)
    expect(bad.output).toContain('--max-depth must be a whole number from 8 to 512')
  })
})

describe('cli/journal-command restore output', () => {
  test("a userName's control characters are printed escaped, never sent to the terminal", async () => {
    const { db } = await tenantWithUniqueBadge()
    const server = createScimServer({ db, tokenHashes: [hashToken('t')] })
    const send = (method: string, path: string, body?: unknown) =>
      server.app.handle(
        new Request(`http://localhost/scim/v2${path}`, {
          method,
          headers: { authorization: 'Bearer t', 'content-type': 'application/scim+json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        })
      )
    const created = await send('POST', '/Users', { schemas: [URN_USER], userName: 'ada\u001b[2J\u001b]0;owned\u0007' })
    expect(created.status).toBe(201)
    const { id } = await readJson<{ id: string }>(created)
    const since = await sinceAfterWritesSoFar()
    expect((await send('DELETE', `/Users/${id}`)).status).toBe(204)
    server.store.close()
    const dry = await journal('restore', '--db', db, '--tenant', 'default', '--since', since, '--dry-run')
    expect(dry.code).toBe(0)
    expect(dry.output.split('\n').filter((line) => /\p{Cc}/u.test(line))).toEqual([])
    expect(dry.output).toContain(`would recreate User ${id} (ada\\u001b[2J\\u001b]0;owned\\u0007)`)
  })
})

describe('cli/journal-command verify and export', () => {
  test('export to a path that cannot be written is one line and exit 1', async () => {
    const { db } = await tenantWithUniqueBadge()
    const out = join(tmpdir(), 'no-such-dir', 'j.jsonl')
    expect(await journal('export', '--db', db, '--out', out)).toEqual({
      code: 1,
      output: expect.stringMatching(new RegExp(`^scim-server: cannot write ${out}: [^\\n]+$`)),
    })
  })

  test('an unknown tenant is refused: its empty journal is neither intact nor exported', async () => {
    const { db } = await tenantWithUniqueBadge()
    for (const sub of ['verify', 'export']) {
      const unknown = await journal(sub, '--db', db, '--tenant', 'acm')
      expect(unknown).toEqual({
        code: 1,
        output: 'scim-server: no tenant is called acm (scim-server tenant list shows them)',
      })
      expect((await journal(sub, '--db', db, '--tenant', 'acme')).code).toBe(0)
      expect((await journal(sub, '--db', db, '--tenant', 'default')).code).toBe(0)
    }
  })
})

describe('cli/journal --since', () => {
  // Date.parse took 2026-02-30 as March 2nd: a mistyped restore --since restored from another day.
  test.each(['2026-02-30T00:00:00Z', '2026-13-01', '2026-05-01T25:00:00Z', 'yesterday', '2026-05'])(
    '%s is refused in one line, exit 2, before anything is read',
    async (since) => {
      const { code, output } = await journal('export', '--db', '/nonexistent/scim.db', '--since', since)
      expect(code).toBe(2)
      expect(output).toContain('--since must be a real ISO 8601 time')
      expect(output.split('\n')).toHaveLength(1)
    }
  )

  test.each(['2026-05-01', '2026-05-01T09:00:00', '2026-05-01T09:00:00.5+02:00', '2026-05-01t09:00:00.660z'])(
    '%s is a time (a date is its midnight UTC, no zone is UTC, t and z as RFC 3339 allows): the command goes on to the database',
    async (since) => {
      const { code, output } = await journal('export', '--db', '/nonexistent/scim.db', '--since', since)
      expect(output).not.toContain('--since')
      expect(code).toBe(1)
    }
  )
})
