// The test app over PostgreSQL: databases migrated once and reused (emptied back to the migrated state between tests), servers closed after their test.
import { SQL } from 'bun'
import { createPgScimServer, type PgScimServer, type PgServerOptions } from '../../src/server-pg'
import { applyPgMigrations } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { testPostgres, withDatabase } from './postgres'

/** A migrated database and a connection to empty it with. */
interface Pooled {
  name: string
  url: string
  sql: SQL
}

/** The tables, those the migrations leave rows in (the default tenant's), and the sequences to restart. */
interface MigratedState {
  tables: string[]
  seeded: string[]
  sequences: { name: string; start: string }[]
}

/** Where each database keeps a copy of the rows the migrations left, to put them back after each use. */
const SEED_SCHEMA = 'test_seed'

let base: Promise<{ serverUrl: string; admin: SQL }> | undefined
let state: MigratedState | undefined
const free: Pooled[] = []
let counter = 0

function server() {
  base ??= (async () => {
    const serverUrl = await testPostgres()
    if (!serverUrl) throw new Error('SCIM_TEST_STORE=pg needs a PostgreSQL server (scripts/pg.sh could not start one)')
    return { serverUrl, admin: new SQL(serverUrl, { max: 1 }) }
  })()
  return base
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`

async function migratedState(sql: SQL): Promise<MigratedState> {
  // The migrations' own bookkeeping is in the drizzle schema, apart from these.
  const tables = (await sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`).map(
    (r: { tablename: string }) => quoted(r.tablename)
  ) as string[]
  const seeded: string[] = []
  for (const table of tables) {
    const [row] = await sql.unsafe(`SELECT count(*)::int AS n FROM ${table}`)
    if (row?.n) seeded.push(table)
  }
  const sequences = (
    await sql`SELECT sequencename AS name, start_value::text AS start FROM pg_sequences WHERE schemaname = 'public'`
  ).map((r: { name: string; start: string }) => ({ name: quoted(r.name), start: r.start }))
  return { tables, seeded, sequences }
}

/**
 * A migrated database from the pool, or a new one. Emptying one with DELETE (every foreign key
 * cascades) and putting the seed rows back measured about 5 ms here, where CREATE DATABASE …
 * TEMPLATE took 55–400 ms and TRUNCATE 200–300 ms (both write and sync new files).
 */
async function acquire(): Promise<Pooled> {
  const reused = free.pop()
  if (reused) return reused
  const { serverUrl, admin } = await server()
  const name = `scim_app_${process.pid}_${++counter}_${Date.now().toString(36)}`
  await admin.unsafe(`CREATE DATABASE ${quoted(name)}`)
  // Commits here need not wait for the disk (nothing in tests/http restarts PostgreSQL): a
  // sequence of 500 POSTs took over 5 s with each commit syncing on this machine's disk.
  await admin.unsafe(`ALTER DATABASE ${quoted(name)} SET synchronous_commit = off`)
  const url = withDatabase(serverUrl, name)
  const sql = new SQL(url, { max: 1 })
  await applyPgMigrations(sql, MIGRATIONS)
  state ??= await migratedState(sql)
  await sql.unsafe(`CREATE SCHEMA ${SEED_SCHEMA}`)
  for (const table of state.seeded) await sql.unsafe(`CREATE TABLE ${SEED_SCHEMA}.${table} AS SELECT * FROM ${table}`)
  return { name, url, sql }
}

/** Puts the database back as the migrations left it, and into the pool. */
async function release(db: Pooled): Promise<void> {
  const { tables, seeded, sequences } = state!
  await db.sql.begin(async (tx) => {
    for (const table of tables) await tx.unsafe(`DELETE FROM ${table}`)
    for (const table of seeded) await tx.unsafe(`INSERT INTO ${table} SELECT * FROM ${SEED_SCHEMA}.${table}`)
    for (const { name, start } of sequences) await tx.unsafe(`ALTER SEQUENCE ${name} RESTART WITH ${start}`)
  })
  free.push(db)
}

interface Open {
  server: PgScimServer
  db: Pooled
}

/** Apps started during the current test (closed after it) and outside any test (closed at the end). */
const inTest: Open[] = []
const outside: Open[] = []
let testRunning = false

/** A PostgreSQL server over a database of its own, as the migrations left it; closed after its test. */
export async function startPgApp(options: PgServerOptions): Promise<PgScimServer> {
  // Decided now: an app made outside a test (a describe body) may finish starting during one.
  const owner = testRunning ? inTest : outside
  const db = await acquire()
  let server: PgScimServer
  try {
    server = await createPgScimServer({ ...options, db: db.url })
  } catch (err) {
    await release(db)
    throw err
  }
  owner.push({ server, db })
  return server
}

async function closeAll(open: Open[]): Promise<void> {
  for (const { server, db } of open.splice(0)) {
    await server.close()
    // A database that cannot be emptied is not reused (it is dropped at the end of the run).
    await release(db).catch(() => broken.push(db))
  }
}

/** Databases that could not be emptied, dropped with the pool at the end of the run. */
const broken: Pooled[] = []

/** Drops every database this run made: a server named by SCIM_TEST_PG_URL outlives the run. */
async function dropPool(): Promise<void> {
  if (!base) return
  const { admin } = await base
  for (const db of [...free.splice(0), ...broken.splice(0)]) {
    await db.sql.close()
    await admin.unsafe(`DROP DATABASE IF EXISTS ${quoted(db.name)} WITH (FORCE)`)
  }
  await admin.close()
}

/** Registered by tests/helpers/pg-preload.ts around every test. */
export const pgAppHooks = {
  beforeEach(): void {
    testRunning = true
  },
  async afterEach(): Promise<void> {
    testRunning = false
    await closeAll(inTest)
  },
  async afterAll(): Promise<void> {
    await closeAll(inTest)
    await closeAll(outside)
    await dropPool()
  },
}
