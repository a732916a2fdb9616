// One server per database file: an OS lock on a companion `<db>-lock` file, gone when the process dies.
import { Database } from 'bun:sqlite'
import { existsSync, realpathSync } from 'node:fs'
import { hostname } from 'node:os'
import { resolve } from 'node:path'
import { openError } from './db'
import { isBusy } from './errors'

/** Another live server holds the lock; the message names the file and that server. */
export class DatabaseInUseError extends Error {}

export interface ServerLock {
  release(): void
}

interface Holder {
  pid: number
  host: string
  since: string
}

/**
 * Two servers on one file each cache lookups and so serve what the other deleted. The lock is a
 * small SQLite file in rollback-journal mode whose write lock (RESERVED, an fcntl lock) is held
 * by an open transaction for the life of the process: the kernel drops it when the process
 * ends, kill -9 included, so a stale lock file never blocks a start. The holder is committed
 * first, outside the held transaction, so a refused server can read and name it. Commands
 * other than `serve` open the database itself and never take this lock.
 */
export function lockDatabase(dbPath: string): ServerLock {
  const shown = resolve(dbPath)
  // SQLite follows symlinks to the database file; the lock must too, or two names slip past it.
  const real = existsSync(dbPath) ? realpathSync(dbPath) : dbPath
  let lock: Database
  try {
    lock = new Database(`${real}-lock`, { create: true, strict: true })
  } catch (err) {
    throw openError(err, dbPath)
  }
  try {
    lock.run('PRAGMA journal_mode = DELETE')
    lock.run('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, host TEXT NOT NULL, since TEXT NOT NULL)')
    take(lock, shown)
    lock.run('DELETE FROM holder')
    lock
      .query('INSERT INTO holder (pid, host, since) VALUES (?, ?, ?)')
      .run(process.pid, hostname(), new Date().toISOString())
    lock.run('COMMIT')
    take(lock, shown)
  } catch (err) {
    lock.close()
    throw err
  }
  return {
    release() {
      lock.run('ROLLBACK')
      lock.close()
    },
  }
}

/**
 * The lock of a database a server serves, whichever way it was started (`serve`, an embedding):
 * none for `:memory:` or `''`, SQLite's private databases, which no other server can open.
 */
export function lockServedDatabase(dbPath: string): ServerLock | undefined {
  return dbPath === ':memory:' || dbPath === '' ? undefined : lockDatabase(dbPath)
}

function take(lock: Database, shown: string): void {
  try {
    lock.run('BEGIN IMMEDIATE')
  } catch (err) {
    if (!isBusy(err)) throw err
    const holder = lock.query<Holder, []>('SELECT pid, host, since FROM holder').get()
    const who = holder ? `pid ${holder.pid} on ${holder.host}, since ${holder.since}` : 'pid unknown'
    throw new DatabaseInUseError(
      `database ${shown} is in use by another scim-server (${who}): stop it first; two servers on one file serve stale data`
    )
  }
}
