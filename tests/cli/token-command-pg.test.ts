// `scim-server token --db postgres://…`: the same commands and answers as on a SQLite file, on the replicas' database.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runTokenCommand } from '../../src/cli/token-command'
import { openDatabase } from '../../src/store/db'
import { applyPgMigrations } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()

async function run(argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await runTokenCommand(argv, {}, { log: (l) => out.push(l), error: (l) => err.push(l) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe.skipIf(!server)('token command on PostgreSQL', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await freshDatabase(server!)
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('a database no server has started on is refused with a sentence, not a missing relation', async () => {
    const { code, err } = await run(['--db', db.url])
    expect(code).toBe(1)
    expect(err).toContain('no scim-server tables yet')
  })

  test('issue, list, reset and revoke; an unknown tenant is a usage mistake', async () => {
    await applyPgMigrations(db.sql, MIGRATIONS)
    await db.sql`INSERT INTO tenants (name, created) VALUES ('acme', '2026-01-01T00:00:00Z')`
    const one = await run(['--db', db.url, '--tenant', 'acme', '--name', 'hr app', '--scope', 'read'])
    expect(one.code).toBe(0)
    expect(one.out).toMatch(/^Secret Token: \S{40,}/)
    const listed = await run(['--db', db.url, 'list', '--tenant', 'acme'])
    expect(listed.out.split('\n')).toHaveLength(2)
    expect(listed.out).toContain('hr app')
    const reset = await run(['--db', db.url, '--tenant', 'acme', '--reset'])
    expect(reset.code).toBe(0)
    const ids = (await run(['--db', db.url, 'list', '--tenant', 'acme'])).out.split('\n').slice(1)
    expect(ids).toHaveLength(1)
    const id = ids[0]!.split(' ')[0]!
    expect((await run(['--db', db.url, 'revoke', id])).code).toBe(0)
    expect(await run(['--db', db.url, 'revoke', id])).toMatchObject({ code: 1 })
    expect((await run(['--db', db.url, '--tenant', 'nope'])).err).toContain("no tenant named 'nope'")
    const [row] = await db.sql`SELECT count(*)::int AS n FROM tokens`
    expect(row.n).toBe(0)
  })
})

/**
 * Tenants whose byte order differs from a natural-language collation's, and tokens of one tenant
 * made in the same millisecond (ordered by id then); labels in mixed case and beyond ASCII.
 */
const TENANTS = ['za', 'z-a', 'ab', 'a-c', 'a1']
const TOKENS = TENANTS.flatMap((tenant, t) =>
  ['Zed', 'été', 'alpha'].map((label, i) => ({
    id: `${t}${i}${'0'.repeat(10)}`.slice(0, 12),
    tenant,
    label: `${label} ${tenant}`,
    hash: `${t}-${i}`,
    created: i === 2 ? '2026-01-01T00:00:01.000Z' : '2026-01-01T00:00:00.000Z',
  }))
)

describe.skipIf(!server)('token list on PostgreSQL and SQLite', () => {
  let db: TestDatabase
  beforeAll(async () => {
    // Shifted punctuation, as glibc's en_US does: 'a-c' sorts after 'ab' there, before it in byte order.
    db = await freshDatabase(server!, "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US-u-ka-shifted'")
    await applyPgMigrations(db.sql, MIGRATIONS)
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('lists the same tokens in the same order, whatever the database collation', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'scim-token-order-')), 'scim.db')
    const { sqlite } = openDatabase(file)
    // Inserted in reverse, so neither store can answer in insertion order by chance.
    for (const tenant of [...TENANTS].reverse()) {
      sqlite.query('INSERT INTO tenants (name, created) VALUES (?, ?)').run(tenant, '2026-01-01T00:00:00Z')
      await db.sql`INSERT INTO tenants (name, created) VALUES (${tenant}, '2026-01-01T00:00:00Z')`
    }
    for (const { id, tenant, label, hash, created } of [...TOKENS].reverse()) {
      sqlite
        .query('INSERT INTO tokens (id, tenant, label, hash, created) VALUES (?, ?, ?, ?, ?)')
        .run(id, tenant, label, hash, created)
      await db.sql`INSERT INTO tokens (id, tenant, label, hash, created)
        VALUES (${id}, ${tenant}, ${label}, ${hash}, ${created})`
    }
    sqlite.close()
    const listed = async (store: string, more: string[] = []) => (await run(['--db', store, 'list', ...more])).out
    const onPg = await listed(db.url)
    const tenants = onPg
      .split('\n')
      .slice(1)
      .map((line) => line.split(/ +/)[1])
    expect([...new Set(tenants)]).toEqual(['a-c', 'a1', 'ab', 'z-a', 'za'])
    expect(onPg).toBe(await listed(file))
    expect(await listed(db.url, ['--tenant', 'a-c'])).toBe(await listed(file, ['--tenant', 'a-c']))
  })
})
