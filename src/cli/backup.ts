// `scim-server backup FILE` and `restore FILE`: an online consistent copy, and putting one back.
import { Database } from 'bun:sqlite'
import { closeSync, existsSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { MIGRATIONS } from '../store/migrations.gen'
import { migrationStatus } from '../store/migrate'
import { lockDatabase } from '../store/server-lock'
import { megabytes, progress } from './progress'

/**
 * The worker's module. Run from source (bun run, bun test) this file is src/cli/backup.ts and the
 * worker sits beside it; compiled, every bundled module has the binary's URL at the root of the
 * embedded src/ tree, where scripts/build.ts put the worker as a second entry point.
 */
const VACUUM_WORKER = new URL(
  import.meta.url.endsWith('/backup.ts') ? './vacuum-worker.ts' : './cli/vacuum-worker.ts',
  import.meta.url
).href

/** A failed admin command: one line for the operator, never a stack. */
export class CommandError extends Error {}

function bytesOf(db: Database): number {
  const pages = db.query<{ n: number }, []>('PRAGMA page_count').get()?.n ?? 0
  const size = db.query<{ n: number }, []>('PRAGMA page_size').get()?.n ?? 4096
  return pages * size
}

/** What a database holds, for the summary lines: users and groups. */
export function describeDatabase(path: string): { users: number; groups: number } {
  const db = new Database(path, { readonly: true, strict: true })
  try {
    const count = (type: string) =>
      db.query<{ n: number }, [string]>('SELECT count(*) AS n FROM resources WHERE type = ?').get(type)?.n ?? 0
    return { users: count('User'), groups: count('Group') }
  } finally {
    db.close()
  }
}

/**
 * Copies the database at `dbPath` into `target` with SQLite's VACUUM INTO: one read transaction,
 * so the copy is consistent while a server keeps serving and writing. It runs in a worker so
 * the progress line (the growing target against the source's size) keeps moving.
 */
export async function backupDatabase(dbPath: string, target: string): Promise<string> {
  if (!existsSync(dbPath)) throw new CommandError(`no database at ${resolve(dbPath)}`)
  if (existsSync(target))
    throw new CommandError(`${resolve(target)} exists; choose a new file name (a backup never overwrites)`)
  // A path that is no SQLite database (a directory, another file) is one line, not a stack.
  let total: number
  try {
    const source = new Database(dbPath, { create: false, strict: true })
    try {
      total = bytesOf(source)
    } finally {
      source.close()
    }
  } catch (err) {
    throw new CommandError(`cannot back up ${resolve(dbPath)}: ${(err as Error).message}`)
  }
  const started = performance.now()
  const shown = progress(`backing up ${dbPath}`, megabytes)
  const worker = new Worker(VACUUM_WORKER)
  const result = await new Promise<{ ok: boolean; message?: string }>((done) => {
    const timer = setInterval(() => shown.update(existsSync(target) ? statSync(target).size : 0, total), 100)
    worker.onmessage = (event) => {
      clearInterval(timer)
      done(event.data)
    }
    worker.onerror = (event) => {
      clearInterval(timer)
      done({ ok: false, message: event.message })
    }
    worker.postMessage({ source: resolve(dbPath), target: resolve(target) })
  })
  worker.terminate()
  if (!result.ok) throw new CommandError(`backup failed: ${result.message}`)
  const { users, groups } = describeDatabase(target)
  const seconds = (performance.now() - started) / 1000
  const summary = `backup ${resolve(target)}: ${users} users, ${groups} groups, ${megabytes(statSync(target).size)} in ${seconds.toFixed(1)} s`
  shown.finish(summary)
  return summary
}

/** Why `path` is not a database this build can serve, or undefined when it is. */
function restoreProblem(path: string): string | undefined {
  let db: Database
  try {
    db = new Database(path, { readonly: true, strict: true })
  } catch (err) {
    return `cannot open it: ${(err as Error).message}`
  }
  try {
    const check = db.query<{ quick_check: string }, []>('PRAGMA quick_check').get()?.quick_check
    if (check !== 'ok') return `SQLite's quick_check says: ${check}`
    const status = migrationStatus(db, MIGRATIONS)
    if (status.unknown > 0) return 'it was written by a newer scim-server; restore it with that version'
    return undefined
  } catch (err) {
    return `it is not a scim-server database: ${(err as Error).message}`
  } finally {
    db.close()
  }
}

/**
 * Copies the database `source` into the new file `target` as SQLite reads it (VACUUM INTO), never
 * its main file alone: a file whose server stopped without a checkpoint (a crash, kill -9, or the
 * `.replaced-` file a restore kept aside with its -wal) holds its latest commits, even its tables,
 * in the -wal beside it.
 */
function copyDatabase(source: string, target: string): void {
  try {
    const db = new Database(source, { readonly: true, strict: true })
    try {
      db.query('VACUUM INTO ?').run(target)
    } finally {
      db.close()
    }
  } catch (err) {
    rmSync(target, { force: true })
    throw new CommandError(`cannot copy ${resolve(source)}: ${(err as Error).message}`)
  }
}

/**
 * Puts the backup `source` in place of `dbPath`. Refuses while a server holds the database (its
 * lock), and keeps the replaced file and its -wal/-shm companions aside, renamed with a timestamp
 * (restoring that file later puts them back together).
 * Migrations of an older backup run when the server next starts.
 */
/**
 * Why `--db` names nothing restore may replace: a directory (`--db /var/lib/scim-server` was
 * renamed aside whole, and a file put in its place) or a file that is no SQLite database (a typo
 * naming a config file). A damaged database is still one: restoring it is what restore is for.
 */
function replaceProblem(dbPath: string): string | undefined {
  if (!existsSync(dbPath)) return undefined
  if (!statSync(dbPath).isFile())
    return `${resolve(dbPath)} is not a file: --db names the database file the server uses`
  const head = Buffer.alloc(SQLITE_HEADER.length)
  const fd = openSync(dbPath, 'r')
  let read: number
  try {
    read = readSync(fd, head, 0, head.length, 0)
  } finally {
    closeSync(fd)
  }
  // An empty file is a database not yet written (SQLite creates one so).
  if (read === 0 || head.equals(SQLITE_HEADER)) return undefined
  return `${resolve(dbPath)} is not a SQLite database, so restore leaves it alone: --db names the database file the server uses`
}

/** The first 16 bytes of every SQLite database file (https://www.sqlite.org/fileformat.html). */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1')

export function restoreDatabase(dbPath: string, source: string): string {
  if (!existsSync(source)) throw new CommandError(`no backup at ${resolve(source)}`)
  const replacing = replaceProblem(dbPath)
  if (replacing) throw new CommandError(`cannot restore: ${replacing}`)
  const problem = restoreProblem(source)
  if (problem) throw new CommandError(`${resolve(source)} cannot be restored: ${problem}`)
  let lock
  try {
    lock = lockDatabase(dbPath)
  } catch (err) {
    throw new CommandError(`cannot restore: ${(err as Error).message}`)
  }
  try {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-')
    // Copied whole before the database is touched: a copy that fails leaves it as it was.
    const copy = `${dbPath}.restoring-${stamp}`
    copyDatabase(source, copy)
    let aside: string | undefined
    if (existsSync(dbPath)) {
      aside = `${dbPath}.replaced-${stamp}`
      for (const suffix of ['', '-wal', '-shm'])
        if (existsSync(dbPath + suffix)) renameSync(dbPath + suffix, aside + suffix)
    }
    renameSync(copy, dbPath)
    const { users, groups } = describeDatabase(dbPath)
    return `restored ${resolve(source)} to ${resolve(dbPath)}: ${users} users, ${groups} groups${aside ? `; the replaced database is kept as ${resolve(aside)}` : ''}`
  } finally {
    lock.release()
  }
}
