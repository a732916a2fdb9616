// Whether this process can use its database: the start check (openDatabase) and GET /readyz ask the same.
import type { Database } from 'bun:sqlite'
import { migrationStatus, type EmbeddedMigration } from './migrate'
import { MIGRATIONS } from './migrations.gen'

/**
 * Commits one small write (a settings row), so a file, directory or mount that refuses writes
 * shows now rather than as a 500 on the first write request. BEGIN IMMEDIATE alone is not
 * enough: SQLite grants it on a file it opened read-only.
 */
export function probeWrite(db: Database): void {
  db.query('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
    'write_probe',
    new Date().toISOString()
  )
}

/** Why the database cannot serve now, or undefined when it is readable, writable and its schema is this build's. */
export function readinessProblem(
  db: Database,
  migrations: readonly EmbeddedMigration[] = MIGRATIONS
): string | undefined {
  try {
    const { pending, unknown } = migrationStatus(db, migrations)
    if (pending.length > 0) return `database schema is ${pending.length} migration(s) behind this server`
    if (unknown > 0)
      return `database schema is ${unknown} migration(s) ahead of this server (a newer version migrated it)`
  } catch (err) {
    return `database is not readable: ${(err as Error).message}`
  }
  try {
    probeWrite(db)
  } catch (err) {
    return `database is not writable: ${(err as Error).message}`
  }
  return undefined
}
