// The scim-server command as an admin meets it: help, usage errors, tokens, TLS hint, schema files.
import { describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureBinary, REPO_ROOT } from '../helpers/binary'
import { freePort, loopbackArgs, runBinary, spawnBinary } from '../helpers/process'
import { URN_USER } from '../helpers/scim'
import { attribute } from '../helpers/schema'

const tmp = () => mkdtempSync(join(tmpdir(), 'scim-cli-'))

describe('scim-server command', () => {
  test('--help and --version exit 0', async () => {
    const help = await runBinary(['--help'])
    expect(help.code).toBe(0)
    expect(help.output).toContain('--tls-cert')
    expect((await runBinary(['--version'])).output.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })

  test.each([
    [['--port', 'x'], /--port must be a whole number/],
    [['--frobnicate'], /see --help/],
    [['--port', '443'], /HTTPS.*--tls-cert/],
    [['--db', '/nonexistent-dir/x/scim.db', '--port', '0'], /cannot open database/],
    [['--schema-pack', 'nosuch', '--db', ':memory:', '--token', 't', '--port', '0'], /unknown pack "nosuch"/],
    [['backup', '/tmp/x.db', '--db', 'postgres://scim:pw@127.0.0.1:1/scim'], /backup copies a SQLite .*pg_dump/],
    [['restore', '/tmp/x.db', '--db', 'postgres://scim:pw@127.0.0.1:1/scim'], /restore copies a SQLite .*pg_restore/],
    [
      ['--db', 'postgres://scim:pw@127.0.0.1:1/scim', '--port', '0'],
      /cannot use the database postgres:\/\/scim:\*\*\*@127\.0\.0\.1:1\/scim/,
    ],
  ])('%p stops with one clear line and no stack trace', async (args, message) => {
    const { code, output } = await runBinary(args)
    expect(code).not.toBe(0)
    expect(output).toMatch(message)
    expect(output.trim().split('\n')).toHaveLength(1)
    expect(output).not.toContain('    at ')
  })

  // `--db "$DB"` with DB unset: SQLite opens a temporary database for '', gone at exit, so a tenant
  // added or a server started on it kept nothing, with exit 0 and a token printed.
  test.each([
    [['--port', '0', '--db', '']],
    [['tenant', 'add', 'ghost', '--db', '']],
    [['tenant', 'list', '--db', '']],
    [['token', 'list', '--db', '']],
    [['journal', 'verify', '--db', '']],
    [['admin', 'list', '--db', '']],
    [['export', '--db', '']],
    [['backup', '/tmp/never.db', '--db', '']],
  ])('%p with an empty --db is one line, exit 2, and leaves no file behind', async (args) => {
    const { code, output } = await runBinary(args)
    expect(output).toContain('--db is empty')
    expect(output.trim().split('\n')).toHaveLength(1)
    expect(code).toBe(2)
    expect(existsSync(join(REPO_ROOT, '-lock'))).toBe(false)
  })

  test.each([[['admin', 'frob']], [['admin', 'add']], [['admin', 'list', '--bogus']], [['admin', 'add', 'a b']]])(
    '%p is a usage mistake: one line and exit 2, like every other command',
    async (args) => {
      const { code, output } = await runBinary(args)
      expect(output.trim().split('\n')).toHaveLength(1)
      expect(code).toBe(2)
    }
  )

  // `export | head -1`: the failed write was an unhandled error with pages of the bundle's source, status 1.
  test('export and journal export whose reader goes away stop quietly with status 0', async () => {
    const dir = tmp()
    const db = join(dir, 'scim.db')
    const file = join(dir, 'users.jsonl')
    const line = (i: number) =>
      JSON.stringify({ schemas: [URN_USER], userName: `u${i}@example.com`, title: 'x'.repeat(200) })
    writeFileSync(file, `${Array.from({ length: 1000 }, (_, i) => line(i)).join('\n')}\n`)
    // Only serve and tenant add make a database.
    expect((await runBinary(['tenant', 'add', 'seed', '--db', db])).code).toBe(0)
    expect((await runBinary(['import', file, '--db', db])).code).toBe(0)
    for (const args of [['export'], ['journal', 'export']]) {
      const proc = Bun.spawn([await ensureBinary(), ...args, '--db', db], { stdout: 'pipe', stderr: 'pipe' })
      const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader()
      expect((await reader.read()).done).toBe(false)
      // The reader has what it wanted, as `head -1` does: the pipe closes under the writer.
      await reader.cancel()
      expect(await proc.exited).toBe(0)
      expect(await new Response(proc.stderr as ReadableStream).text()).not.toContain('EPIPE')
    }
  })

  // parseArgs keeps the last: `backup F --db a.db --db b.db` copied b.db without a word.
  test.each([
    [['backup', '/tmp/never.db', '--db', 'a.db', '--db', 'b.db']],
    [['token', '--name', 'a', '--name', 'b', '--db', 'x.db']],
    [['tenant', 'set', 'acme', '--max-results', '10', '--max-results', '20', '--db', 'x.db']],
    [['journal', 'verify', '--tenant', 'a', '--tenant', 'b']],
    [['export', '--db', 'a.db', '--db', 'b.db']],
  ])('%p names the flag given twice, in one line, exit 2', async (args) => {
    const { code, output } = await runBinary(args)
    expect(output).toMatch(/--(db|name|max-results|tenant|port) is given twice/)
    expect(output.trim().split('\n')).toHaveLength(1)
    expect(code).toBe(2)
  })

  test.each([
    [['token', 'list', '--db', '/tmp'], /\/tmp is a directory: --db names the database file/],
    [['tenant', 'list', '--db', '/tmp'], /\/tmp is a directory/],
    [['journal', 'verify', '--db', '/tmp'], /\/tmp is a directory/],
    // parseArgs' first line was "Option '--rate-limit' argument is ambiguous."
    [
      ['tenant', 'add', 'x4', '--rate-limit', '-1', '--db', '/tmp/never.db'],
      /--rate-limit takes a value, .*--rate-limit=VALUE/,
    ],
  ])('%p says what is wrong in one line', async (args, message) => {
    const { code, output } = await runBinary(args)
    expect(output).toMatch(message)
    expect(output.trim().split('\n')).toHaveLength(1)
    expect(code).not.toBe(0)
  })

  test('first start generates a token, stores only its hash, and it keeps working after restart', async () => {
    const db = join(tmp(), 'scim.db')
    const port = await freePort()
    const first = await spawnBinary(['--port', String(port), '--host', '127.0.0.1', '--db', db])
    await first.waitFor('Database:')
    const token = /Secret Token: (\S+)/.exec(first.output())![1]!
    expect(token.length).toBeGreaterThanOrEqual(40)
    const get = (t: string) =>
      fetch(`http://127.0.0.1:${port}/scim/v2/Users`, { headers: { authorization: `Bearer ${t}` } })
    expect((await get(token)).status).toBe(200)
    first.proc.kill('SIGTERM')
    expect(await first.proc.exited).toBe(0)
    expect(
      await Bun.file(db)
        .text()
        .catch(() => '')
    ).not.toContain(token)

    const second = await spawnBinary(['--port', String(port), '--host', '127.0.0.1', '--db', db])
    await second.waitFor('Database:')
    expect(second.output()).not.toContain(token)
    expect((await get(token)).status).toBe(200)
    expect((await get('not-the-token')).status).toBe(401)
    second.proc.kill('SIGTERM')
    await second.proc.exited
  }, 30_000)

  test('an IPv6 listen address is printed in brackets: the Tenant URL and metrics URL work as printed', async () => {
    const port = await freePort()
    const server = await spawnBinary([
      '--port',
      String(port),
      '--host',
      '::1',
      '--db',
      ':memory:',
      '--metrics-listen',
      '[::1]:0',
    ])
    try {
      await server.waitFor('Metrics:')
      const tenantUrl = /Tenant URL: +(\S+)/.exec(server.output())![1]!
      const token = /Secret Token: (\S+)/.exec(server.output())![1]!
      expect(tenantUrl).toBe(`http://[::1]:${port}/scim/v2`)
      expect(server.output()).toContain(`listening on http://[::1]:${port}`)
      const users = await fetch(`${tenantUrl}/Users`, { headers: { authorization: `Bearer ${token}` } })
      expect(users.status).toBe(200)
      const metricsUrl = /Metrics: +(\S+)/.exec(server.output())![1]!
      expect((await fetch(metricsUrl)).status).toBe(200)
    } finally {
      server.proc.kill('SIGTERM')
      await server.proc.exited
    }
  }, 30_000)

  test.each([
    ['https://scim.example.com', true],
    ['https://scim.example.com/scim/v2/', false],
  ])(
    '--base-url %s: a note at start unless it ends with /scim/v2',
    async (baseUrl, noted) => {
      const port = await freePort()
      const args = [...loopbackArgs(port), '--base-url', baseUrl]
      const server = await spawnBinary(args)
      try {
        await server.waitFor('Database:')
        await Bun.sleep(100)
        expect(server.output().includes('Note: --base-url does not end with /scim/v2')).toBe(noted)
      } finally {
        server.proc.kill('SIGTERM')
        await server.proc.exited
      }
    },
    30_000
  )

  test('--schema adds an admin extension that is advertised, typed and filterable', async () => {
    const dir = tmp()
    const urn = 'urn:example:params:scim:schemas:extension:acme:2.0:User'
    writeFileSync(
      join(dir, 'acme.json'),
      JSON.stringify({
        id: urn,
        name: 'Acme',
        attributes: [attribute('badge', 'integer')],
      })
    )
    const port = await freePort()
    const child = await spawnBinary([
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--db',
      ':memory:',
      '--token',
      't',
      '--schema',
      join(dir, 'acme.json'),
    ])
    await child.waitFor('Tenant URL:')
    const base = `http://127.0.0.1:${port}/scim/v2`
    const headers = { authorization: 'Bearer t', 'content-type': 'application/scim+json' }
    try {
      const types = (await (await fetch(`${base}/ResourceTypes/User`, { headers })).json()) as {
        schemaExtensions: { schema: string }[]
      }
      expect(types.schemaExtensions.map((e) => e.schema)).toContain(urn)
      const ok = await fetch(`${base}/Users`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ userName: 'a', [urn]: { badge: 7 } }),
      })
      expect(ok.status).toBe(201)
      const bad = await fetch(`${base}/Users`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ userName: 'b', [urn]: { badge: 'seven' } }),
      })
      expect(bad.status).toBe(400)
      const found = (await (
        await fetch(`${base}/Users?filter=${encodeURIComponent(`${urn}:badge gt 5`)}`, { headers })
      ).json()) as { totalResults: number }
      expect(found.totalResults).toBe(1)
    } finally {
      child.proc.kill('SIGTERM')
      await child.proc.exited
    }
  }, 30_000)
})
