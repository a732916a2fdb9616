// Applies the embedded drizzle migrations, keeping drizzle's own bookkeeping table.
import type { Database } from 'bun:sqlite'

export interface EmbeddedMigration {
  tag: string
  /** drizzle-kit's folderMillis; recorded as created_at, as drizzle's migrator does. */
  when: number
  hash: string
  statements: string[]
}

/**
 * drizzle-orm's migrate() reads the migrations folder from disk, which a compiled binary has not
 * got; this applies the same SQL from memory, all pending migrations in one transaction.
 */
export function applyMigrations(db: Database, migrations: readonly EmbeddedMigration[]): number {
  db.run(
    'CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)'
  )
  const { pending } = migrationStatus(db, migrations)
  if (pending.length === 0) return 0
  db.transaction(() => {
    for (const m of pending) {
      for (const statement of m.statements) db.run(statement)
      db.run('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)', [m.hash, m.when])
    }
  })()
  return pending.length
}

/**
 * How `db` stands against this build's migrations: those it has not applied yet, and how many it
 * has applied that this build does not know (a newer build migrated it). Reads only, so /readyz
 * can ask it; the bookkeeping table must exist (applyMigrations creates it).
 */
export function migrationStatus(
  db: Database,
  migrations: readonly EmbeddedMigration[]
): { pending: EmbeddedMigration[]; unknown: number } {
  const last = db.query('SELECT max(created_at) AS at FROM "__drizzle_migrations"').get() as { at: number | null }
  const pending = migrations.filter((m) => last.at === null || m.when > Number(last.at))
  const newest = migrations.reduce((max, m) => Math.max(max, m.when), 0)
  const { unknown } = db
    .query('SELECT count(*) AS unknown FROM "__drizzle_migrations" WHERE created_at > ?')
    .get(newest) as { unknown: number }
  return { pending, unknown }
}
