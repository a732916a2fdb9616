// Opens bun:sqlite with the PRAGMAs the server relies on, applies embedded migrations, probes a write.
import { Database } from 'bun:sqlite'
import { isPostgresUrl, shownPostgresUrl } from '../store-pg/url'
import { existsSync, statSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { drizzle, type BunSQLiteDatabase } from 'drizzle-orm/bun-sqlite'
import type { Durability } from './durability'
import { isBusy } from './errors'
import { applyMigrations, migrationStatus } from './migrate'
import { MIGRATIONS } from './migrations.gen'
import { probeWrite } from './readiness'
import { refoldNames } from './refold'
import * as tables from './tables'

export type { Durability }

export interface OpenedDatabase {
  sqlite: Database
  orm: BunSQLiteDatabase<typeof tables>
}

/** An empty path opens SQLite's temporary database, gone at close: `--db "$DB"` with DB unset. */
export const EMPTY_DB = '--db is empty: give the database file, or leave --db out for ./scim.db'

/** A database that cannot be used as asked; the message is whole, for one line on stderr. */
export class DatabaseError extends Error {}

/** The page cache of the server's connection, in KiB (a bound in bytes, as `cache_size` takes it negated). */
export const PAGE_CACHE_KIB = 64 * 1024

export interface OpenOptions {
  /** False: refuse a file that does not exist (only serve and tenant add make one). */
  create?: boolean
  mmapBytes?: number
  /**
   * Called before migrations this file lacks are applied to a database that existed (a command
   * run beside a server asks whether one of an older version serves it; see cli/command-db.ts).
   */
  beforeMigrating?: (pending: number) => void
}

/**
 * Opens the database at `path` (`:memory:` allowed), creating it unless `create` is false (only
 * `serve` creates one: a command run in the wrong directory must not leave a stray ./scim.db).
 * WAL lets readers run beside the single writer; `synchronous=FULL` syncs the WAL on every
 * commit so no acknowledged write is lost on power loss (the write queue batches commits to pay
 * for that). A database this process cannot write is refused here, not on the first request.
 */
export function openDatabase(
  path: string,
  durability: Durability = 'full',
  { create = true, mmapBytes = 0, beforeMigrating }: OpenOptions = {}
): OpenedDatabase {
  const shown = checkedPath(path, create)
  const existed = path !== ':memory:' && existsSync(path)
  let sqlite: Database | undefined
  try {
    sqlite = new Database(path, { create, readwrite: true, strict: true })
    // Before anything is written (WAL mode stays in the file): another application's database,
    // named by a typo, was given scim-server's tables and WAL mode without a word.
    refuseForeign(sqlite, shown)
    sqlite.run('PRAGMA journal_mode = WAL')
    sqlite.run(`PRAGMA synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`)
    sqlite.run('PRAGMA foreign_keys = ON')
    sqlite.run('PRAGMA busy_timeout = 5000')
    sqlite.run('PRAGMA temp_store = MEMORY')
    // SQLite's own page cache is 2 MiB by default: past a few hundred thousand resources each read
    // and each index update fetched pages through a system call again. On a 200,000-user database
    // 64 MiB of pages took a durable PATCH from ~430 to ~350 µs; reading the file through a memory
    // map as well (--db-mmap-bytes) to ~195 µs, and a GET by id from 28 to 17 µs.
    sqlite.run(`PRAGMA cache_size = ${-PAGE_CACHE_KIB}`)
    sqlite.run(`PRAGMA mmap_size = ${Math.max(0, Math.floor(mmapBytes))}`)
    if (existed && beforeMigrating) {
      const pending = hasMigrationTable(sqlite) ? migrationStatus(sqlite, MIGRATIONS).pending.length : MIGRATIONS.length
      if (pending > 0) beforeMigrating(pending)
    }
    applyMigrations(sqlite, MIGRATIONS)
    probeWrite(sqlite)
    refoldNames(sqlite, console.warn)
  } catch (err) {
    sqlite?.close()
    throw openError(err, path)
  }
  return { sqlite, orm: drizzle({ client: sqlite, schema: tables }) }
}

/**
 * The path as shown in messages, once it names something a SQLite database may be opened at: no
 * postgres:// URL, not empty, there already unless `create`, not a directory.
 */
export function checkedPath(path: string, create: boolean): string {
  // The commands that take a postgres:// URL open it themselves; whatever reaches here reads SQLite's tables.
  if (isPostgresUrl(path))
    throw new DatabaseError(
      `this works on a SQLite database file, not yet on PostgreSQL (${shownPostgresUrl(path)}): on PostgreSQL, serve, token, tenant, admin, journal, export and import are available`
    )
  // The last guard for every caller: an empty path is SQLite's temporary database, gone at close.
  if (path.trim() === '') throw new DatabaseError(EMPTY_DB)
  const shown = path === ':memory:' ? path : resolve(path)
  if (path === ':memory:') return shown
  if (!existsSync(path)) {
    if (create) return shown
    throw new DatabaseError(
      `no database at ${shown}: only \`scim-server serve\` creates one; give --db the file the server uses`
    )
  }
  // SQLite's own answer for a directory ("unable to open") read as a file mode problem.
  if (statSync(path).isDirectory())
    throw new DatabaseError(`${shown} is a directory: --db names the database file (such as ${join(shown, 'scim.db')})`)
  return shown
}

export function hasMigrationTable(sqlite: Database): boolean {
  return (
    sqlite.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get() !== null
  )
}

/** A database with tables, none of them scim-server's bookkeeping table, is some other application's. */
export function refuseForeign(sqlite: Database, shown: string): void {
  const { tables } = sqlite
    .query<{ tables: number }, []>("SELECT count(*) AS tables FROM sqlite_master WHERE type = 'table'")
    .get()!
  if (tables > 0 && !hasMigrationTable(sqlite))
    throw new DatabaseError(
      `${shown} is a SQLite database of something else (it has tables, none of scim-server's): --db names the file the server uses`
    )
}

/**
 * A SQLite failure that is the database's state, not a mistake of the command: SQLITE_BUSY that
 * outlasted busy_timeout (another connection, a server writing, held the write lock all that
 * time), a full disk, an I/O error, a file that became read-only. The commands say so in one
 * line, without a stack (a full disk printed 3 KB of the bundle's source); anything else comes
 * back as it was.
 */
export function storageAsDatabaseError(err: unknown): unknown {
  if (isBusy(err)) return new DatabaseError('the database is busy; try again')
  const code = String((err as { code?: unknown } | null)?.code ?? '')
  const reason = err instanceof Error ? err.message : code
  if (code.startsWith('SQLITE_FULL'))
    return new DatabaseError(`the disk holding the database is full (${reason}): free some space and try again`)
  if (code.startsWith('SQLITE_IOERR'))
    return new DatabaseError(`the database file could not be read or written (${code}: ${reason})`)
  if (code.startsWith('SQLITE_READONLY')) return new DatabaseError(`the database is not writable here (${reason})`)
  return err
}

/**
 * What went wrong opening database `path` (or a file beside it), as one line. SQLite says
 * READONLY for a 0444 file or a read-only mount, READONLY_DIRECTORY or CANTOPEN when it cannot
 * create the files beside an existing database: all mean "not writable here".
 */
export function openError(err: unknown, path: string): DatabaseError {
  // Said whole already (a foreign database, a migration a server of another version forbids).
  if (err instanceof DatabaseError) return err
  const shown = path === ':memory:' ? path : resolve(path)
  const code = String((err as { code?: unknown }).code ?? '')
  const reason = (err as Error).message
  // The write probe waited busy_timeout for a server's write lock.
  if (isBusy(err)) return storageAsDatabaseError(err) as DatabaseError
  if (code.startsWith('SQLITE_READONLY') || (code === 'SQLITE_CANTOPEN' && existsSync(path))) {
    const name = basename(shown)
    return new DatabaseError(
      `database ${shown} is not writable (${reason}): the server writes the file and keeps ${name}-wal, ${name}-shm and ${name}-lock beside it; ` +
        'check the file mode, the directory permissions, and that the disk is not mounted read-only'
    )
  }
  return new DatabaseError(`cannot open database ${shown}: ${reason}`)
}
