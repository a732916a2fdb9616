// A PostgreSQL server for the tests: SCIM_TEST_PG_URL when set, else one throwaway server per test run (scripts/pg.sh).
import { SQL } from 'bun'
import { applyPgMigrations } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'

const PG_SH = new URL('../../scripts/pg.sh', import.meta.url).pathname

let server: Promise<string | undefined> | undefined
let warned = false

/**
 * The URL of a PostgreSQL server the tests may create databases on, or undefined when none can
 * be had (then PostgreSQL tests skip, saying why once). The first call starts a server through
 * scripts/pg.sh with this process as its owner: pg.sh stops it and removes its folder once the
 * process is gone, however it ended (bun test runs no 'exit' handlers, so the helper cannot).
 * With SCIM_TEST_PG_REQUIRED=1 a server that cannot start fails the run instead.
 */
export function testPostgres(): Promise<string | undefined> {
  server ??= startServer()
  return server
}

async function startServer(): Promise<string | undefined> {
  const given = process.env.SCIM_TEST_PG_URL
  if (given) return given
  const dir = (await Bun.$`mktemp -d ${process.env.TMPDIR ?? '/tmp'}/scim-pg.XXXXXX`.text()).trim()
  const started = Bun.spawnSync(['bash', PG_SH, 'start', '--owner', String(process.pid), dir], {
    stdout: 'pipe',
    stderr: 'pipe',
  })
  if (started.exitCode !== 0) {
    const why = started.stderr.toString().trim().split('\n').slice(-3).join(' / ')
    Bun.spawnSync(['rm', '-rf', dir])
    if (process.env.SCIM_TEST_PG_REQUIRED === '1') throw new Error(`PostgreSQL could not be started: ${why}`)
    if (!warned) console.warn(`PostgreSQL tests skipped: scripts/pg.sh start failed: ${why}`)
    warned = true
    return undefined
  }
  return started.stdout.toString().trim()
}

let counter = 0

/** A new, empty database on the test server, and a client for it; `drop` closes the client and drops it. */
export interface TestDatabase {
  url: string
  sql: SQL
  drop(): Promise<void>
}

/**
 * Creates an empty database (one per test file or test, so tests never see each other's rows);
 * `options` go after CREATE DATABASE's name (a locale, say: `TEMPLATE template0 LOCALE_PROVIDER icu …`).
 */
export async function freshDatabase(serverUrl: string, options = ''): Promise<TestDatabase> {
  const name = `scim_test_${process.pid}_${++counter}_${Date.now().toString(36)}`
  const admin = new SQL(serverUrl, { max: 1 })
  await admin.unsafe(`CREATE DATABASE "${name}" ${options}`)
  const url = withDatabase(serverUrl, name)
  const sql = new SQL(url, { max: 4 })
  return {
    url,
    sql,
    async drop() {
      await sql.close()
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await admin.close()
    },
  }
}

/** freshDatabase with this build's migrations applied: what a server makes at its first start. */
export async function migratedDatabase(serverUrl: string): Promise<TestDatabase> {
  const db = await freshDatabase(serverUrl)
  await applyPgMigrations(db.sql, MIGRATIONS)
  return db
}

/** `url` with its database name replaced. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}
