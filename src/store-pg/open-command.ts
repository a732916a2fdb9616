// Opens a PostgreSQL database for an admin command: the connection, once the database proves to be a server's.
import { SQL } from 'bun'
import { DatabaseError } from '../store/db'
import { pgMigrationStatus } from './migrate'
import { MIGRATIONS } from './migrations.gen'
import { shownPostgresUrl } from './url'

/**
 * A client for `url` after checking that a server migrated it: a database no server has started
 * on yet is refused with a sentence, not with a missing relation halfway through a command
 * (only `serve` creates the tables, as only `serve` creates a SQLite file).
 */
export async function openPgForCommand(url: string): Promise<SQL> {
  const sql = new SQL(url)
  try {
    await pgMigrationStatus(sql, MIGRATIONS)
    return sql
  } catch {
    await sql.close()
    throw new DatabaseError(
      `the database ${shownPostgresUrl(url)} cannot be read or has no scim-server tables yet (start \`scim-server serve --db URL\` once)`
    )
  }
}
