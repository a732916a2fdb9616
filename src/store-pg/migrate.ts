// Applies the embedded PostgreSQL migrations under an advisory lock, keeping drizzle's bookkeeping table.
import type { SQL } from 'bun'
import type { EmbeddedMigration } from '../store/migrate'

export type { EmbeddedMigration }

/**
 * The advisory lock key every replica takes around migrations (an arbitrary constant: the first
 * 8 bytes of sha256("scim-server migrations"), as a signed bigint).
 */
export const MIGRATION_LOCK_KEY = '-6960149867486775019'

/**
 * Applies the pending migrations in one transaction. Replicas starting together would race on
 * DDL ("relation already exists"), so the transaction first takes a transaction-scoped advisory
 * lock: the second replica waits, then finds nothing pending. The lock goes with the transaction,
 * so a replica killed while migrating holds nobody up. Returns how many migrations it applied.
 */
export async function applyPgMigrations(sql: SQL, migrations: readonly EmbeddedMigration[]): Promise<number> {
  return await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY}::bigint)`
    // drizzle-orm's own pg migrator keeps the same table, so drizzle-kit sees these as applied.
    await tx.unsafe('CREATE SCHEMA IF NOT EXISTS drizzle')
    await tx.unsafe(
      'CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)'
    )
    const { pending } = await statusIn(tx, migrations)
    for (const m of pending) {
      for (const statement of m.statements) await tx.unsafe(statement)
      await tx`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (${m.hash}, ${m.when})`
    }
    return pending.length
  })
}

/**
 * How the database stands against this build's migrations: those not applied yet, and how many
 * applied ones this build does not know (a newer build migrated it). Reads only; the bookkeeping
 * table must exist (applyPgMigrations creates it).
 */
export async function pgMigrationStatus(
  sql: SQL,
  migrations: readonly EmbeddedMigration[]
): Promise<{ pending: EmbeddedMigration[]; unknown: number }> {
  return await statusIn(sql, migrations)
}

async function statusIn(
  sql: SQL,
  migrations: readonly EmbeddedMigration[]
): Promise<{ pending: EmbeddedMigration[]; unknown: number }> {
  const [last] = await sql`SELECT max(created_at)::text AS at FROM drizzle.__drizzle_migrations`
  const at = last?.at == null ? null : Number(last.at)
  const pending = migrations.filter((m) => at === null || m.when > at)
  const newest = migrations.reduce((max, m) => Math.max(max, m.when), 0)
  const [row] =
    await sql`SELECT count(*)::int AS unknown FROM drizzle.__drizzle_migrations WHERE created_at > ${newest}`
  return { pending, unknown: Number(row?.unknown ?? 0) }
}
