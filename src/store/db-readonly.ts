// Opens a database only to read it (journal verify and export): nothing written, so a backup keeps its bytes.
import { accessSync, constants as fs, existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { constants, Database } from 'bun:sqlite'
import { drizzle } from 'drizzle-orm/bun-sqlite'
import { checkedPath, DatabaseError, hasMigrationTable, type OpenedDatabase, openError, refuseForeign } from './db'
import { migrationStatus } from './migrate'
import { MIGRATIONS } from './migrations.gen'
import * as tables from './tables'

const writable = (path: string) => {
  try {
    accessSync(path, fs.W_OK)
    return true
  } catch {
    return false
  }
}

/**
 * A WAL database needs its -shm file even to be read, so one on read-only storage (a write-once
 * archive, a read-only mount) cannot be opened as usual. With no -wal beside it and nowhere to
 * write one, nothing can change it while it is read: SQLite's `immutable` reads it as it is.
 */
function open(path: string): Database {
  try {
    const db = new Database(path, { readonly: true, strict: true })
    db.query('SELECT count(*) FROM sqlite_master').get()
    return db
  } catch (err) {
    if (existsSync(`${path}-wal`) || writable(path) || writable(dirname(path))) throw err
    return new Database(
      `file:${encodeURI(path)}?immutable=1`,
      constants.SQLITE_OPEN_READONLY | constants.SQLITE_OPEN_URI
    )
  }
}

/**
 * Opens an existing database to read it: no WAL switch, no migration, no write probe, so
 * `journal verify` of an archived backup leaves its bytes as they were (the write probe rewrote
 * a row of it), and a copy no one may write can be verified and exported. It must be this
 * version's schema: a migration would write, so a database behind is refused, as one ahead is.
 */
export function openReadOnlyDatabase(path: string): OpenedDatabase {
  const shown = checkedPath(path, false)
  let sqlite: Database | undefined
  try {
    sqlite = open(path)
    refuseForeign(sqlite, shown)
    if (!hasMigrationTable(sqlite)) throw new DatabaseError(`${shown} holds no scim-server data yet`)
    const { pending, unknown } = migrationStatus(sqlite, MIGRATIONS)
    if (unknown > 0) throw new DatabaseError(`${shown} was written by a newer scim-server: read it with that version`)
    if (pending.length > 0)
      throw new DatabaseError(
        `${shown} is ${pending.length} migration(s) behind this scim-server, and reading it here writes nothing: open it once with this version's serve (which migrates it) first`
      )
    sqlite.run('PRAGMA busy_timeout = 5000')
  } catch (err) {
    sqlite?.close()
    throw openError(err, path)
  }
  return { sqlite, orm: drizzle({ client: sqlite, schema: tables }) }
}
