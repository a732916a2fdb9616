// `scim-server migrate-db` through the compiled binary: the embedded PostgreSQL migrations, the exit codes and the summary.
import { afterAll, describe, expect, test } from 'bun:test'
import { verifyPgJournal } from '../../src/store-pg/journal-verify'
import { applyPgMigrations } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'
import { runBinary, spawnBinary } from '../helpers/process'
import { buildSource } from './migrate-db-source'

const server = await testPostgres()

describe.skipIf(!server)('cli/migrate-db through the binary', () => {
  let target: TestDatabase | undefined
  let killed: TestDatabase | undefined
  afterAll(async () => {
    await Promise.all([target?.drop(), killed?.drop()])
  }, 60_000)

  test('copies, verifies and says so; a second run into the same database is refused', async () => {
    const source = await buildSource()
    target = await freshDatabase(server!)
    const first = await runBinary(['migrate-db', '--from', source.path, '--to', target.url])
    expect(first.output).toContain('tenant acme: tenants 1, resources 8, group_members 4, tokens 1')
    expect(first.output).toMatch(/journal of tenant default: \d+ entries intact on PostgreSQL, the same head as SQLite/)
    expect(first.output).toContain('every count and journal chain verified')
    expect(first.code).toBe(0)
    const verdict = await verifyPgJournal(target.sql)
    expect(verdict.ok && verdict.tenants.map((t) => t.tenant)).toEqual(['acme', 'default'])

    const again = await runBinary(['migrate-db', '--from', source.path, '--to', target.url])
    expect(again.code).toBe(1)
    expect(again.output).toContain('already holds')
    expect(again.output).toContain('never merges or overwrites')

    const help = await runBinary(['migrate-db', '--help'])
    expect(help.code).toBe(0)
    expect(help.output).toContain('Console sessions are not copied')
  })

  test('killed in the middle of the copy (kill -9), it leaves the target without data', async () => {
    const source = await buildSource()
    killed = await freshDatabase(server!)
    await applyPgMigrations(killed.sql, MIGRATIONS)
    // The copy stops at the first journal row, after resources, memberships and tokens went in;
    // the server notices the vanished client within 100 ms instead of at the end of the sleep.
    const name = new URL(killed.url).pathname.slice(1)
    await killed.sql.unsafe(`ALTER DATABASE "${name}" SET client_connection_check_interval = '100ms'`)
    await killed.sql.unsafe(`CREATE FUNCTION hold() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(60); RETURN NEW; END $$;
      CREATE TRIGGER hold BEFORE INSERT ON journal FOR EACH ROW EXECUTE FUNCTION hold()`)
    const child = await spawnBinary(['migrate-db', '--from', source.path, '--to', killed.url])
    const copying = async () => {
      const rows = await killed!.sql`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = ${name} AND wait_event = 'PgSleep'`
      return (rows as { n: number }[])[0]!.n > 0
    }
    while (!(await copying())) {
      if (child.proc.exitCode !== null) throw new Error(`migrate-db ended before the journal: ${child.output()}`)
      await Bun.sleep(20)
    }
    child.proc.kill('SIGKILL')
    await child.proc.exited
    while (await copying()) await Bun.sleep(20)
    const [counts] = (await killed.sql`SELECT (SELECT count(*)::int FROM resources) AS resources,
      (SELECT count(*)::int FROM group_members) AS members, (SELECT count(*)::int FROM tokens) AS tokens,
      (SELECT count(*)::int FROM journal) AS journal`) as Record<string, number>[]
    expect(counts).toEqual({ resources: 0, members: 0, tokens: 0, journal: 0 })
  }, 30_000)
})
