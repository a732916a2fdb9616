// `scim-server tenant … --db postgres://…`: the answers of a SQLite file, on the replicas' database, and a running server following them.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { UsageError } from '../../src/cli/args'
import { runTenantCommand, TenantError } from '../../src/cli/tenant-command'
import { createPgScimServer, type PgScimServer } from '../../src/server-pg'
import { applyPgMigrations } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { pgReadTenant } from '../../src/store-pg/tenants'
import { DatabaseError } from '../../src/store/db'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()

const run = (db: string, ...argv: string[]) => runTenantCommand(argv, { SCIM_DB: db }).then((o) => o.lines.join('\n'))

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tenant-pg-'))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** What differs between two runs of one command whatever the store: the secret and the creation time. */
const comparable = (out: string) =>
  out.replace(/^Secret Token: \S+$/m, 'Secret Token: …').replace(/^Created: {6}\S+$/m, 'Created:      …')

const USER = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'alice@acme.test' }

function call(app: PgScimServer, token: string, method: string, path: string, body?: unknown) {
  return app.app.handle(
    new Request(`http://localhost${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  )
}

/** The status `send` answers once it is `want`, or the last one after `ms`: how "within a second" is checked. */
async function statusWithin(ms: number, want: number, send: () => Promise<Response>): Promise<number> {
  const until = Date.now() + ms
  for (;;) {
    const { status } = await send()
    if (status === want || Date.now() > until) return status
    await Bun.sleep(25)
  }
}

const tokenOf = (out: string) => /^Secret Token: (\S+)$/m.exec(out)![1]!

describe.skipIf(!server)('tenant command on PostgreSQL', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await freshDatabase(server!)
    await applyPgMigrations(db.sql, MIGRATIONS)
  })
  afterAll(async () => {
    await db?.drop()
  })
  /** How many sessions of the test database wait for a lock now. */
  const lockWaiters = async () =>
    (
      await db.sql`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`
    )[0].n as number
  afterEach(async () => {
    await db.sql`DELETE FROM resources`
    await db.sql`DELETE FROM journal`
    await db.sql`DELETE FROM journal_chains`
    await db.sql`DELETE FROM tenants WHERE name <> 'default'`
  })

  test('a database no server has started on is refused with a sentence; add creates the tables there', async () => {
    const other = await freshDatabase(server!)
    try {
      const refused = await run(other.url, 'list').catch((e: Error) => e)
      expect(refused).toBeInstanceOf(DatabaseError)
      expect((refused as Error).message).toContain('no scim-server tables yet')
      expect(await run(other.url, 'add', 'acme')).toContain('Tenant URL:   /tenants/acme/scim/v2')
      expect((await run(other.url, 'list')).split('\n').map((l) => l.split(/\s+/)[0])).toEqual([
        'NAME',
        'acme',
        'default',
      ])
    } finally {
      await other.drop()
    }
  })

  test('add, list, show and set answer exactly as on a SQLite file', async () => {
    const file = join(tempDir(), 'scim.db')
    const schema = join(tempDir(), 'badge.json')
    writeFileSync(
      schema,
      JSON.stringify({
        id: 'urn:example:badge',
        name: 'Badge',
        attributes: [{ name: 'badge', type: 'string', multiValued: false }],
      })
    )
    const steps = [
      ['add', 'acme', '--schema-pack', 'alertmedia', '--max-results', '50'],
      ['add', 'a-b'],
      ['add', 'ab'],
      ['list'],
      ['show', 'acme'],
      ['show', 'default'],
      ['set', 'acme', '--schema-pack', 'h5mag', '--schema', schema, '--rate-limit', '5', '--strict-patch'],
      ['set', 'acme', '--push-url', 'https://app.example/events', '--push-url', 'http://127.0.0.1:9/e'],
      ['set', 'acme', '--unset', 'rate-limit', '--clear-packs'],
      ['set', 'acme', '--unset', 'push-url', '--clear-schemas'],
      ['list'],
    ]
    for (const step of steps) {
      const onFile = comparable(await run(file, ...step))
      expect(comparable(await run(db.url, ...step))).toBe(onFile)
    }
    expect(await pgReadTenant(db.sql, 'acme')).toMatchObject({
      packs: [],
      schemas: [],
      settings: { maxResults: 50, strictPatch: true },
    })
  })

  test('set checks schema documents as serve does, and refuses an unknown tenant', async () => {
    await run(db.url, 'add', 'acme')
    const dir = tempDir()
    writeFileSync(join(dir, 'bad.json'), '{"id": "not-a-urn"}')
    await expect(run(db.url, 'set', 'acme', '--schema', join(dir, 'bad.json'))).rejects.toBeInstanceOf(UsageError)
    expect((await pgReadTenant(db.sql, 'acme'))?.schemas).toEqual([])
    await expect(run(db.url, 'set', 'nope', '--rate-limit', '1')).rejects.toThrow('no tenant is called nope')
  })

  test('refuses names outside the pattern, unknown packs, a taken name, and the default tenant', async () => {
    for (const name of ['Acme', '-a', 'a_b', 'a'.repeat(64)])
      await expect(run(db.url, 'add', name)).rejects.toBeInstanceOf(UsageError)
    await expect(run(db.url, 'add', 'acme', '--schema-pack', 'nope')).rejects.toBeInstanceOf(UsageError)
    await run(db.url, 'add', 'acme')
    await expect(run(db.url, 'add', 'acme')).rejects.toThrow('tenant acme exists already')
    await expect(run(db.url, 'add', 'default')).rejects.toBeInstanceOf(TenantError)
    await expect(run(db.url, 'remove', 'default', '--yes')).rejects.toBeInstanceOf(TenantError)
    await expect(run(db.url, 'show', 'nope')).rejects.toBeInstanceOf(TenantError)
  })

  test('two adds of one name at once: one tenant and one token, the other told the name is taken', async () => {
    let adds: Promise<PromiseSettledResult<string>[]> | undefined
    // A row of the name, written and not yet rolled back, holds both adds up at once (each waits for a lock).
    const held = db.sql.begin(async (tx) => {
      await tx`INSERT INTO tenants (name, created) VALUES ('twin', 'now')`
      adds = Promise.allSettled([run(db.url, 'add', 'twin'), run(db.url, 'add', 'twin')])
      while ((await lockWaiters()) < 2) await Bun.sleep(10)
      throw new Error('rolled back')
    })
    await expect(held).rejects.toThrow('rolled back')
    const results = await adds!
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(refused.reason).toBeInstanceOf(TenantError)
    const [row] = await db.sql`SELECT count(*)::int AS n FROM tokens WHERE tenant = 'twin'`
    expect(row.n).toBe(1)
  })

  test('two sets at once keep both changes: each reads the row it changes under the lock', async () => {
    await run(db.url, 'add', 'acme')
    let sets: Promise<unknown> | undefined
    // Both sets are started while the row is locked, and released only once both wait for a lock.
    await db.sql.begin(async (tx) => {
      await tx`SELECT name FROM tenants WHERE name = 'acme' FOR UPDATE`
      sets = Promise.all([
        run(db.url, 'set', 'acme', '--rate-limit', '5'),
        run(db.url, 'set', 'acme', '--max-results', '9'),
      ])
      while ((await lockWaiters()) < 2) await Bun.sleep(10)
    })
    await sets
    expect((await pgReadTenant(db.sql, 'acme'))?.settings).toEqual({ rateLimit: 5, maxResults: 9 })
  })

  describe('beside a running server', () => {
    let app: PgScimServer
    beforeAll(async () => {
      app = await createPgScimServer({ db: db.url })
    })
    afterAll(async () => {
      await app?.close()
    })

    test('a tenant added is served with its first token within a second, and no longer once removed', async () => {
      const token = tokenOf(await run(db.url, 'add', 'acme'))
      expect(await statusWithin(1000, 200, () => call(app, token, 'GET', '/tenants/acme/scim/v2/Users'))).toBe(200)
      expect((await call(app, token, 'GET', '/scim/v2/Users')).status).toBe(401)
      await run(db.url, 'remove', 'acme', '--yes')
      expect(await statusWithin(1000, 401, () => call(app, token, 'GET', '/tenants/acme/scim/v2/Users'))).toBe(401)
    })

    test('set places push receivers where the journal stands (or at its start with --push-from oldest), drops removed ones', async () => {
      const token = tokenOf(await run(db.url, 'add', 'acme'))
      await app.tenantsChanged()
      expect((await call(app, token, 'POST', '/tenants/acme/scim/v2/Users', USER)).status).toBe(201)
      const [head] = await db.sql`SELECT max(seq)::int AS seq FROM journal WHERE tenant = 'acme'`
      await run(db.url, 'set', 'acme', '--push-url', 'https://a.example/e')
      await run(
        db.url,
        'set',
        'acme',
        '--push-url',
        'https://a.example/e',
        '--push-url',
        'https://b.example/e',
        '--push-from',
        'oldest'
      )
      const streams = async () =>
        (
          await db.sql`SELECT stream, acked_seq::int AS seq FROM event_streams WHERE tenant = 'acme' ORDER BY stream`
        ).map((r: { stream: string; seq: number }) => `${r.stream}@${r.seq}`)
      expect(await streams()).toEqual([`push https://a.example/e@${head.seq}`, 'push https://b.example/e@0'])
      await run(db.url, 'set', 'acme', '--push-url', 'https://b.example/e')
      expect(await streams()).toEqual(['push https://b.example/e@0'])
    })

    test("remove says what it deletes, then deletes the tenant's resources, memberships, tokens, journal and event state", async () => {
      const token = tokenOf(await run(db.url, 'add', 'acme'))
      const keep = tokenOf(await run(db.url, 'add', 'beta'))
      await app.tenantsChanged()
      const user = await call(app, token, 'POST', '/tenants/acme/scim/v2/Users', USER)
      expect(user.status).toBe(201)
      const { id } = (await user.json()) as { id: string }
      const group = await call(app, token, 'POST', '/tenants/acme/scim/v2/Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'staff',
        members: [{ value: id }],
      })
      expect(group.status).toBe(201)
      expect((await call(app, keep, 'POST', '/tenants/beta/scim/v2/Users', USER)).status).toBe(201)
      await db.sql`INSERT INTO event_keys (kid, tenant, private_jwk, created) VALUES ('k1', 'acme', '{}', 'now')`
      await run(db.url, 'set', 'acme', '--push-url', 'https://a.example/e')

      const refused = await run(db.url, 'remove', 'acme').catch((e: Error) => e)
      expect(refused).toBeInstanceOf(TenantError)
      expect((refused as Error).message).toContain('1 users, 1 groups, 1 memberships, 1 tokens and 2 journal entries')
      expect(await run(db.url, 'remove', 'acme', '--yes')).toBe(
        'tenant acme removed, with its 1 users, 1 groups, 1 memberships, 1 tokens and 2 journal entries'
      )
      for (const [table, column] of [
        ['resources', 'tenant'],
        ['tokens', 'tenant'],
        ['journal', 'tenant'],
        ['journal_chains', 'tenant'],
        ['event_streams', 'tenant'],
        ['event_keys', 'tenant'],
        ['tenants', 'name'],
      ] as const) {
        const [row] = await db.sql.unsafe(`SELECT count(*)::int AS n FROM ${table} WHERE ${column} = 'acme'`)
        expect([table, row.n]).toEqual([table, 0])
      }
      const [members] = await db.sql`SELECT count(*)::int AS n FROM group_members`
      expect(members.n).toBe(0)
      // The other tenant keeps everything.
      expect((await run(db.url, 'show', 'beta')).split('\n').filter((l) => /^(Users|Tokens):/.test(l))).toEqual([
        'Users:        1',
        'Tokens:       1',
      ])
      await expect(run(db.url, 'show', 'acme')).rejects.toBeInstanceOf(TenantError)
    })
  })
})
