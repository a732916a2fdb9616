// The two stores the contract suite runs against, through the one ResourceStore interface: SQLite and PostgreSQL.
import { SQL } from 'bun'
import { drizzle } from 'drizzle-orm/bun-sql'
import type { Verdict } from '../../src/journal/verify'
import type { ResourceStore } from '../../src/service/context'
import { verifyJournal } from '../../src/journal/verify'
import { openDatabase } from '../../src/store/db'
import { createResourceStore } from '../../src/store/resource-store'
import { verifyPgJournal } from '../../src/store-pg/journal-verify'
import { applyPgMigrations } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { createPgResourceStore } from '../../src/store-pg/resource-store'
import { freshDatabase } from '../helpers/postgres'

/** One store kind: stores per tenant over one database, its journal's verdict, and (PostgreSQL) who waits for a row lock. */
/** The tenants the suites open stores of (`t1`, `t2`, …): a resource needs its tenant's row. */
const TENANTS = 200

export interface StoreHarness {
  /** A store of tenant `default` or `t1`…`t200` (rows made with the harness). */
  open(tenant: string): ResourceStore
  verify(tenant?: string): Promise<Verdict>
  /** Removes every resource, membership and journal entry, so each test starts from nothing. */
  reset(): Promise<void>
  /** How many transactions wait for a lock now; only where writers run concurrently. */
  lockWaiters?: () => Promise<number>
  close(): Promise<void>
}

export function sqliteHarness(): StoreHarness {
  const { orm, sqlite } = openDatabase(':memory:')
  const add = sqlite.query("INSERT INTO tenants (name, created) VALUES (?, '2026-01-01T00:00:00Z')")
  for (let n = 1; n <= TENANTS; n++) add.run(`t${n}`)
  return {
    open: (tenant) => createResourceStore(orm, sqlite, { tenant }),
    verify: async (tenant) => verifyJournal(sqlite, tenant),
    reset: async () => {
      sqlite.run('DELETE FROM resources; DELETE FROM journal; DELETE FROM journal_chains')
    },
    close: async () => sqlite.close(),
  }
}

export async function pgHarness(serverUrl: string): Promise<StoreHarness> {
  const db = await freshDatabase(serverUrl)
  await applyPgMigrations(db.sql, MIGRATIONS)
  await db.sql`INSERT INTO tenants (name, created)
    SELECT 't' || n, '2026-01-01T00:00:00Z' FROM generate_series(1, ${TENANTS}::int) n`
  const orm = drizzle({ client: db.sql })
  // A second client watches the first one's connections.
  const watcher = new SQL(db.url, { max: 1 })
  return {
    open: (tenant) => createPgResourceStore(orm, { tenant }),
    verify: (tenant) => verifyPgJournal(db.sql, tenant),
    reset: async () => {
      await db.sql`TRUNCATE resources, group_members, journal, journal_chains`
    },
    lockWaiters: async () => {
      const [row] = (await watcher`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted`) as { n: number }[]
      return row?.n ?? 0
    },
    async close() {
      await watcher.close()
      await db.drop()
    },
  }
}
