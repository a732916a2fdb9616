// Opens the server's database for a command run beside it: never migrated under a server of an older version.
import { resolve } from 'node:path'
import { DatabaseError, openDatabase, type OpenedDatabase } from '../store/db'
import type { Durability } from '../store/durability'
import { DatabaseInUseError, lockDatabase } from '../store/server-lock'

/**
 * A database this build would migrate, while a server holds it, is served by an older version: a
 * server migrates its database at start, so it never runs behind it. Migrating it now left that
 * server not ready (503: its schema ahead of it) from the first `token list` of an upgrade on,
 * and the old binary could no longer be started on it. The command is refused instead.
 */
function refuseIfServed(path: string, pending: number): void {
  let lock
  try {
    lock = lockDatabase(path)
  } catch (err) {
    if (!(err instanceof DatabaseInUseError)) throw err
    throw new DatabaseError(
      `${resolve(path)} is ${pending} migration(s) behind this scim-server, and a scim-server of an older version is serving it: ` +
        "restart that server with this version first (it migrates the database at start), or use the running version's command"
    )
  }
  lock.release()
}

/** openDatabase for every command but serve (`create`: tenant add makes the file when it is missing). */
export function openCommandDatabase(path: string, create = false, durability: Durability = 'full'): OpenedDatabase {
  return openDatabase(path, durability, { create, beforeMigrating: (pending) => refuseIfServed(path, pending) })
}
