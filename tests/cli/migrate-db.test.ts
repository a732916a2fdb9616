// migrate-db copies a SQLite database into PostgreSQL whole: the PostgreSQL store then serves the same resources, tokens and journal.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { drizzle } from 'drizzle-orm/bun-sql'
import { hashToken } from '../../src/auth/tokens'
import { migrateDbCommand, type Output } from '../../src/cli/migrate-db'
import { pruneJournal } from '../../src/journal/retention'
import { verifyJournal } from '../../src/journal/verify'
import { newResourceId } from '../../src/scim/resource-id'
import { buildRegistry } from '../../src/scim/schema/builtin'
import { DEFAULT_LIMITS } from '../../src/scim/limits'
import type { ServiceDeps } from '../../src/service/context'
import { createResource } from '../../src/service/create'
import { run } from '../../src/service/effect'
import { getResource } from '../../src/service/get'
import { FilterCache } from '../../src/service/filter-cache'
import { type ListParams, listResources } from '../../src/service/list'
import { openDatabase } from '../../src/store/db'
import { lockDatabase } from '../../src/store/server-lock'
import { createResourceStore } from '../../src/store/resource-store'
import { verifyPgJournal } from '../../src/store-pg/journal-verify'
import { applyPgMigrations } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { createPgResourceStore } from '../../src/store-pg/resource-store'
import { URN_USER } from '../helpers/entra'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'
import { buildSource, type SourceDatabase } from './migrate-db-source'

const server = await testPostgres()

/** Runs the command, keeping what it printed. */
async function migrate(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = []
  const err: string[] = []
  const output: Output = { log: (l) => out.push(l), error: (l) => err.push(l) }
  return { code: await migrateDbCommand(argv, output), out, err }
}

/** Rows of every table that carries state, for "nothing changed" checks. */
async function tableCounts(db: TestDatabase): Promise<Record<string, number>> {
  const rows = (await db.sql.unsafe(
    `SELECT 'resources' AS t, count(*)::int AS n FROM resources UNION ALL SELECT 'group_members', count(*)::int FROM group_members
     UNION ALL SELECT 'tokens', count(*)::int FROM tokens UNION ALL SELECT 'journal', count(*)::int FROM journal
     UNION ALL SELECT 'tenants', count(*)::int FROM tenants UNION ALL SELECT 'admins', count(*)::int FROM admins
     UNION ALL SELECT 'event_keys', count(*)::int FROM event_keys UNION ALL SELECT 'journal_chains', count(*)::int FROM journal_chains`
  )) as { t: string; n: number }[]
  return Object.fromEntries(rows.map((r) => [r.t, r.n]))
}

const EMPTY = {
  resources: 0,
  group_members: 0,
  tokens: 0,
  journal: 0,
  tenants: 1,
  admins: 0,
  event_keys: 0,
  journal_chains: 0,
}

const registry = buildRegistry({})
const settings = { maxResults: 1000, defaultCount: 100, cursorTimeout: 3600, limits: DEFAULT_LIMITS }
const deps = (store: ServiceDeps['store']): ServiceDeps => ({
  store,
  registry,
  settings,
  now: () => new Date(),
  newId: newResourceId,
})

describe.skipIf(!server)('cli/migrate-db', () => {
  let source: SourceDatabase
  const dbs: TestDatabase[] = []
  const fresh = async () => {
    const db = await freshDatabase(server!)
    dbs.push(db)
    return db
  }
  beforeAll(async () => {
    source = await buildSource()
  })
  // A DROP DATABASE each: under a loaded machine several take longer than the default 5 s together.
  afterAll(async () => {
    await Promise.all(dbs.map((db) => db.drop()))
  }, 60_000)

  describe('a database built through the server', () => {
    let target: TestDatabase
    let result: Awaited<ReturnType<typeof migrate>>
    const sqlite = () => openDatabase(source.path, 'normal', { create: false })
    beforeAll(async () => {
      target = await fresh()
      result = await migrate('--from', source.path, '--to', target.url)
    })

    test('exits 0 with a summary of every tenant and the journal verified', () => {
      expect(result.err).toEqual([])
      expect(result.code).toBe(0)
      const text = result.out.join('\n')
      expect(text).toContain('tenant acme: tenants 1, resources 8, group_members 4, tokens 1,')
      expect(text).toMatch(
        /tenant default: tenants 1, resources 8, group_members 4, tokens 1, event_keys 1, event_streams 1, event_acks 1, journal \d+, journal_chains 1/
      )
      expect(text).toContain('server-wide: settings 2, admins 1, admin_links 1, admin_sessions 1 not copied')
      expect(text).toContain('console sessions are not copied')
      expect(text).toMatch(/journal of tenant acme: \d+ entries intact on PostgreSQL, the same head as SQLite/)
      expect(result.out.at(-1)).toContain('every count and journal chain verified')
    })

    test('the PostgreSQL store renders every resource as the SQLite store does', async () => {
      const { sqlite: db, orm } = sqlite()
      const pg = drizzle({ client: target.sql })
      const rows = db
        .query<{ id: string; type: string; tenant: string }, []>('SELECT id, type, tenant FROM resources')
        .all()
      expect(rows.length).toBe(16)
      for (const { id, type, tenant } of rows) {
        const t = registry.resourceTypes.find((r) => r.name === type)!
        const req = { base: `https://scim.example/${tenant}` }
        const before = await run(getResource(deps(createResourceStore(orm, db, { tenant })), t, id, req))
        const after = await run(getResource(deps(createPgResourceStore(pg, { tenant })), t, id, req))
        expect(JSON.parse(after.json!)).toEqual(JSON.parse(before.json!))
        expect(after.headers).toEqual(before.headers)
      }
      db.close()
    })

    test('lists, filters and sorted pages answer the same on both stores (insertion order kept as seq)', async () => {
      const { sqlite: db, orm } = sqlite()
      const pg = drizzle({ client: target.sql })
      const filters = new FilterCache()
      const queries: Record<string, ListParams[]> = {
        User: [
          {},
          {
            filter: 'emails.type eq "work"',
            sortBy: 'name.givenName',
            sortOrder: 'descending',
            startIndex: 2,
            count: 3,
          },
          { filter: 'active eq false or urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department pr' },
          { sortBy: 'meta.lastModified', count: 4 },
          { cursor: '', count: 3 },
        ],
        Group: [{}, { filter: 'displayName sw "e"', sortBy: 'displayName' }, { cursor: '', count: 1 }],
      }
      for (const tenant of ['default', 'acme'])
        for (const type of registry.resourceTypes)
          for (const q of queries[type.name]!) {
            const req = { base: 'https://scim.example' }
            const before = await run(
              listResources(deps(createResourceStore(orm, db, { tenant })), filters, type, q, req)
            )
            const after = await run(listResources(deps(createPgResourceStore(pg, { tenant })), filters, type, q, req))
            expect(JSON.parse(after.json!)).toEqual(JSON.parse(before.json!))
          }
      db.close()
    })

    test('tokens resolve to their tenant and scope by the hash of the token', async () => {
      for (const [tenant, token] of Object.entries(source.tokens)) {
        const found =
          await target.sql`SELECT tenant, scope FROM tokens WHERE hash = ${hashToken(token).toString('hex')}`
        expect(found).toEqual([{ tenant, scope: 'provision' }])
      }
    })

    test('the journal verifies on PostgreSQL with the heads and counts it has on SQLite', async () => {
      const { sqlite: db } = sqlite()
      const before = verifyJournal(db)
      db.close()
      expect(before.ok).toBe(true)
      expect(await verifyPgJournal(target.sql)).toEqual(before)
    })

    test('the PostgreSQL store writes on after the copy: new numbers after the copied ones, the chain continued', async () => {
      const pg = drizzle({ client: target.sql })
      const registry = buildRegistry({})
      const deps: ServiceDeps = {
        store: createPgResourceStore(pg, { tenant: 'acme' }),
        registry,
        settings: { maxResults: 1000, defaultCount: 100, cursorTimeout: 3600, limits: DEFAULT_LIMITS },
        now: () => new Date(),
        newId: newResourceId,
      }
      const User = registry.resourceTypes.find((r) => r.name === 'User')!
      const made = await run(
        createResource(deps, User, { schemas: [URN_USER], userName: 'new@acme.example' }, { base: 'https://x' })
      )
      expect(made.status).toBe(201)
      const [seqs] = (await target.sql`SELECT
        (SELECT seq FROM resources WHERE data ->> 'userName' = 'new@acme.example')::int AS newest,
        (SELECT max(seq) FROM resources WHERE data ->> 'userName' <> 'new@acme.example')::int AS copied`) as {
        newest: number
        copied: number
      }[]
      expect(seqs!.newest).toBeGreaterThan(seqs!.copied)
      const verdict = await verifyPgJournal(target.sql, 'acme')
      expect(verdict.ok).toBe(true)
    })
  })

  test('a journal pruned by retention keeps its checkpoint: the kept entries verify on PostgreSQL', async () => {
    const pruned = `${source.path}.pruned`
    const copy = openDatabase(source.path, 'normal', { create: false })
    copy.sqlite.run(`VACUUM INTO '${pruned}'`)
    copy.sqlite.close()
    const { sqlite: db } = openDatabase(pruned, 'normal', { create: false })
    const [cutoff] = db
      .query<{ at: string }, []>("SELECT at FROM journal WHERE tenant = 'acme' ORDER BY seq LIMIT 1 OFFSET 10")
      .all()
    expect(await pruneJournal(db, cutoff!.at)).toBeGreaterThan(0)
    const before = verifyJournal(db)
    db.close()
    expect(before.ok && before.tenants.some((t) => t.checkpointSeq !== null)).toBe(true)
    const target = await fresh()
    expect((await migrate('--from', pruned, '--to', target.url)).code).toBe(0)
    expect(await verifyPgJournal(target.sql)).toEqual(before)
  })

  test('a target that already holds data is refused, and nothing in it changes', async () => {
    const target = await fresh()
    await applyPgMigrations(target.sql, MIGRATIONS)
    await target.sql`INSERT INTO tokens (id, tenant, scope, hash, created) VALUES ('t1', 'default', 'provision', 'ab', '2026-01-01T00:00:00.000Z')`
    const before = await tableCounts(target)
    const { code, err } = await migrate('--from', source.path, '--to', target.url)
    expect(code).toBe(1)
    expect(err.join('\n')).toContain('already holds 1 tokens: migrate-db copies into a database without data')
    expect(await tableCounts(target)).toEqual(before)
  })

  test('a changed default tenant counts as data too', async () => {
    const target = await fresh()
    await applyPgMigrations(target.sql, MIGRATIONS)
    await target.sql`UPDATE tenants SET packs = '["alvao"]' WHERE name = 'default'`
    const { code, err } = await migrate('--from', source.path, '--to', target.url)
    expect(code).toBe(1)
    expect(err.join('\n')).toContain('already holds 1 tenants')
  })

  test('a missing source is refused before the target is touched', async () => {
    const target = await fresh()
    const { code, err } = await migrate('--from', `${source.path}.missing`, '--to', target.url)
    expect(code).toBe(1)
    expect(err.join('\n')).toContain(`no database at ${source.path}.missing`)
    const [row] = (await target.sql`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`) as {
      n: number
    }[]
    expect(row!.n).toBe(0)
  })

  test('a source a server holds is refused: writes after the copy would not reach PostgreSQL', async () => {
    const held = lockDatabase(source.path)
    try {
      const target = await fresh()
      const { code, err } = await migrate('--from', source.path, '--to', target.url)
      expect(code).toBe(1)
      expect(err.join('\n')).toContain('is in use by another scim-server')
    } finally {
      held.release()
    }
  })

  test('a source this build has not migrated is refused: it is opened read-only and never migrated here', async () => {
    const old = new Database(`${source.path}.old`, { create: true })
    old.run(
      'CREATE TABLE "__drizzle_migrations" (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)'
    )
    old.run("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('x', 1)")
    old.close()
    const target = await fresh()
    const { code, err } = await migrate('--from', `${source.path}.old`, '--to', target.url)
    expect(code).toBe(1)
    expect(err.join('\n')).toMatch(/lacks \d+ migration\(s\) of this build/)
  })

  test('a source whose userName keys an earlier build folded is refused until this build has opened it', async () => {
    const stale = `${source.path}.stale`
    const copy = openDatabase(source.path, 'normal', { create: false })
    copy.sqlite.run(`VACUUM INTO '${stale}'`)
    copy.sqlite.close()
    const db = new Database(stale)
    db.run("UPDATE settings SET value = 'lower' WHERE key = 'name_ci_fold'")
    db.close()
    const target = await fresh()
    const { code, err } = await migrate('--from', stale, '--to', target.url)
    expect(code).toBe(1)
    expect(err.join('\n')).toContain('holds userName keys folded by an earlier rule')
    openDatabase(stale, 'normal', { create: false }).sqlite.close()
    expect((await migrate('--from', stale, '--to', target.url)).code).toBe(0)
  })

  test('a row that fails to insert rolls the whole copy back: the target holds no data', async () => {
    const target = await fresh()
    await applyPgMigrations(target.sql, MIGRATIONS)
    // The journal is copied after resources, memberships and tokens: a failure there must take them back too.
    await target.sql.unsafe(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.op = 'delete' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse BEFORE INSERT ON journal FOR EACH ROW EXECUTE FUNCTION refuse()`)
    const { code, err } = await migrate('--from', source.path, '--to', target.url)
    expect(code).toBe(1)
    expect(err.join('\n')).toContain('copying journal failed')
    expect(err.join('\n')).toContain('refused for the test')
    expect(err.join('\n')).toContain('the copy was rolled back')
    expect(await tableCounts(target)).toEqual(EMPTY)
    // Fixed, the same target takes the copy.
    await target.sql`DROP TRIGGER refuse ON journal`
    expect((await migrate('--from', source.path, '--to', target.url)).code).toBe(0)
  })

  test('rows that go missing on the way are caught by the comparison, and nothing commits', async () => {
    const target = await fresh()
    await applyPgMigrations(target.sql, MIGRATIONS)
    // A trigger that drops acme's delete entries without an error: only the counts and the chain can tell.
    await target.sql.unsafe(`CREATE FUNCTION lose() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.op = 'delete' AND NEW.tenant = 'acme' THEN RETURN NULL; END IF; RETURN NEW; END $$;
      CREATE TRIGGER lose BEFORE INSERT ON journal FOR EACH ROW EXECUTE FUNCTION lose()`)
    const { code, err } = await migrate('--from', source.path, '--to', target.url)
    expect(code).toBe(1)
    const text = err.join('\n')
    expect(text).toMatch(/tenant acme: .*journal \d+ on SQLite but \d+ on PostgreSQL/)
    expect(text).toContain('journal of tenant acme on PostgreSQL is broken')
    expect(text).toContain('the copy was rolled back')
    expect(await tableCounts(target)).toEqual(EMPTY)
  })

  test('a PostgreSQL server that cannot be reached is named without its password', async () => {
    const url = new URL(server!)
    url.port = '1'
    url.password = 'secret'
    const { code, err } = await migrate('--from', source.path, '--to', url.toString())
    expect(code).toBe(1)
    expect(err.join('\n')).toContain('cannot prepare postgres://')
    expect(err.join('\n')).not.toContain('secret')
  })

  test('usage mistakes exit 2', async () => {
    expect((await migrate('--from', source.path)).code).toBe(2)
    expect((await migrate('--from', source.path, '--to', 'mysql://x')).code).toBe(2)
    const help = await migrate('--help')
    expect(help.code).toBe(0)
    expect(help.out.join('\n')).toContain('scim-server migrate-db --from PATH --to postgres://')
  })
})
