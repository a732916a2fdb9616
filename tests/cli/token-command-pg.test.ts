// `scim-server token --db postgres://…`: the same commands and answers as on a SQLite file, on the replicas' database.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { runTokenCommand } from '../../src/cli/token-command'
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
