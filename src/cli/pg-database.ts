// A command's connection to a postgres:// --db, and the check that it holds scim-server's tables before the first query.
import { SQL } from 'bun'
import { applyPgMigrations, pgMigrationStatus } from '../store-pg/migrate'
import { MIGRATIONS } from '../store-pg/migrations.gen'
import { shownPostgresUrl } from '../store-pg/url'
import { DatabaseError } from '../store/db'

export interface PgCommandDatabase {
  sql: SQL
  /** Settles once the tables are known to be there; a DatabaseError that says why not otherwise. */
  ready: Promise<void>
}

/**
 * Connects to `url`. With `migrate` (`tenant add`, which may start a database as it creates a
 * SQLite file) the pending migrations are applied under serve's lock; otherwise a database no
 * server has started on yet is refused with a sentence, not a missing relation.
 */
export function pgCommandDatabase(url: string, { migrate = false }: { migrate?: boolean } = {}): PgCommandDatabase {
  const sql = new SQL(url)
  const shown = shownPostgresUrl(url)
  const ready = migrate
    ? applyPgMigrations(sql, MIGRATIONS).then(
        () => {},
        (err: Error) => {
          throw new DatabaseError(`cannot use the database ${shown}: ${err.message}`)
        }
      )
    : pgMigrationStatus(sql, MIGRATIONS).then(
        () => {},
        () => {
          throw new DatabaseError(
            `the database ${shown} cannot be read or has no scim-server tables yet (start \`scim-server serve --db URL\` once)`
          )
        }
      )
  // Awaited by the first query; a command that fails before one must not leave it unhandled.
  ready.catch(() => {})
  return { sql, ready }
}

/** pgCommandDatabase, waited for: the client once the tables are known to be there (closed, and the DatabaseError thrown, otherwise). */
export async function openPgCommandDatabase(url: string): Promise<SQL> {
  const { sql, ready } = pgCommandDatabase(url)
  try {
    await ready
    return sql
  } catch (err) {
    await sql.close()
    throw err
  }
}
