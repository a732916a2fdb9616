// `scim-server migrate-db --from PATH --to postgres://…`: the SQLite database copied whole into an empty PostgreSQL one, then verified.
import { parseFlags } from './parse-flags'
import { Database } from 'bun:sqlite'
import { SQL } from 'bun'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { verifyJournal, type Verdict } from '../journal/verify'
import { migrationStatus } from '../store/migrate'
import { FOLD_SETTING, FOLD_VERSION } from '../store/refold'
import { MIGRATIONS } from '../store/migrations.gen'
import { lockDatabase, type ServerLock } from '../store/server-lock'
import { applyPgMigrations, pgMigrationStatus } from '../store-pg/migrate'
import { MIGRATIONS as PG_MIGRATIONS } from '../store-pg/migrations.gen'
import { verifyPgJournal } from '../store-pg/journal-verify'
import { copyTable, CopyError, type Counts, sourceCounts, targetCounts, totalRows } from './migrate-db-copy'
import { shownPostgresUrl } from '../store-pg/url'
import { comparisonLines, contentsProblem, verdictsAgree } from './migrate-db-report'
import { COPIED_TABLES, AFTER_COPY, STATE_TABLES } from './migrate-db-tables'
import { progress } from './progress'
import type { Output } from './token-command'

export type { Output }

export const MIGRATE_DB_USAGE = `Usage:
  scim-server migrate-db --from PATH --to postgres://USER:PASSWORD@HOST:PORT/DATABASE
      copy the SQLite database PATH (every tenant, resource, membership, token, setting, event key
      and position, console account and journal entry) into the PostgreSQL database, which must
      hold no data yet; then compare the rows of every tenant and table and verify every tenant's
      journal chain on PostgreSQL. Exit 0 only when all agree.
Stop the server on PATH first (migrate-db refuses while one holds it): writes after the copy
would not reach PostgreSQL. The copy is one transaction: a failed or interrupted run leaves the
PostgreSQL database without data, ready for another try. Console sessions are not copied.`

/** The command cannot run as asked (exit 2), or refused / failed (exit 1); one line for the operator. */
class MigrateUsageError extends Error {}
class MigrateError extends Error {}

const OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

export function parseMigrateArgs(argv: readonly string[]): { from: string; to: string } | 'help' {
  let parsed
  try {
    parsed = parseFlags({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true })
  } catch (err) {
    throw new MigrateUsageError(`${(err as Error).message.split('\n')[0]} (see migrate-db --help)`)
  }
  const { values, positionals } = parsed
  if (values.help) return 'help'
  if (positionals.length > 0)
    throw new MigrateUsageError(`unexpected argument '${positionals[0]}' (see migrate-db --help)`)
  if (!values.from || !values.to)
    throw new MigrateUsageError('migrate-db needs --from PATH and --to postgres://… (see migrate-db --help)')
  if (!/^postgres(ql)?:\/\//.test(values.to))
    throw new MigrateUsageError(`--to must be a postgres:// or postgresql:// URL, got '${shownPostgresUrl(values.to)}'`)
  return { from: values.from, to: values.to }
}

/** Runs the command; returns the exit code. */
export async function migrateDbCommand(argv: readonly string[], out: Output = console): Promise<number> {
  let args
  try {
    args = parseMigrateArgs(argv)
  } catch (err) {
    if (!(err instanceof MigrateUsageError)) throw err
    out.error(`scim-server: ${err.message}`)
    return 2
  }
  if (args === 'help') {
    out.log(MIGRATE_DB_USAGE)
    return 0
  }
  try {
    return await migrateDatabase(args.from, args.to, out)
  } catch (err) {
    if (!(err instanceof MigrateError || err instanceof CopyError)) throw err
    out.error(`scim-server: ${err.message}`)
    return 1
  }
}

/** The source, read-only, once this build has migrated it and folded its names; refused while a server holds it. */
function openSource(path: string): { db: Database; lock: ServerLock } {
  const shown = resolve(path)
  if (!existsSync(path)) throw new MigrateError(`no database at ${shown}: give --from the file the server uses`)
  let lock: ServerLock
  try {
    lock = lockDatabase(path)
  } catch (err) {
    throw new MigrateError(`cannot migrate ${shown}: ${(err as Error).message}`)
  }
  let db: Database | undefined
  try {
    db = new Database(path, { readonly: true, strict: true })
    // Another process closing the database (an admin command) checkpoints it under a brief lock.
    db.run('PRAGMA busy_timeout = 5000')
    const status = migrationStatus(db, MIGRATIONS)
    if (status.unknown > 0)
      throw new MigrateError(`${shown} was written by a newer scim-server: migrate it with that version`)
    if (status.pending.length > 0)
      throw new MigrateError(
        `${shown} lacks ${status.pending.length} migration(s) of this build: start this build's server on it once (or run \`scim-server token list --db ${path}\`), then migrate`
      )
    // name_ci keys are copied as they are; the PostgreSQL store looks names up by this build's folding.
    const fold = db.query<{ value: string }, [string]>('SELECT value FROM settings WHERE key = ?').get(FOLD_SETTING)
    if (fold?.value !== FOLD_VERSION)
      throw new MigrateError(
        `${shown} holds userName keys folded by an earlier rule: start this build's server on it once (or run \`scim-server token list --db ${path}\`), then migrate`
      )
    return { db, lock }
  } catch (err) {
    db?.close()
    lock.release()
    if (err instanceof MigrateError) throw err
    throw new MigrateError(`${shown} is not a scim-server database: ${(err as Error).message}`)
  }
}

/** Connects, applies this build's PostgreSQL migrations and refuses a database a newer build migrated. */
async function prepareTarget(sql: SQL, url: string): Promise<void> {
  try {
    await applyPgMigrations(sql, PG_MIGRATIONS)
  } catch (err) {
    throw new MigrateError(`cannot prepare ${shownPostgresUrl(url)}: ${(err as Error).message}`)
  }
  if ((await pgMigrationStatus(sql, PG_MIGRATIONS)).unknown > 0)
    throw new MigrateError(`${shownPostgresUrl(url)} was migrated by a newer scim-server: migrate with that version`)
}

/**
 * The copy: every table in one transaction, the tables locked against other writers first (a
 * server started on the target meanwhile waits rather than writing beside the copy), then the
 * target's counts and journal compared with the source's before anything commits. An error, a
 * disagreement or a kill rolls the whole copy back, so the target never holds half a copy.
 */
export async function migrateDatabase(from: string, to: string, out: Output): Promise<number> {
  const started = performance.now()
  const { db, lock } = openSource(from)
  const sql = new SQL(to, { max: 1 })
  try {
    // One read transaction: every table is read from the same snapshot.
    db.run('BEGIN')
    const expected = sourceCounts(db)
    const sourceVerdict = verifyJournal(db)
    if (!sourceVerdict.ok)
      throw new MigrateError(
        `the journal of ${resolve(from)} is already broken (tenant ${sourceVerdict.tenant}: ${sourceVerdict.problem}); \`scim-server journal verify --db ${from}\` names the entry. Nothing was copied`
      )
    await prepareTarget(sql, to)
    const total = totalRows(expected)
    const shown = progress(`copying ${from} to ${shownPostgresUrl(to)}`)
    let done = 0
    let outcome: Outcome
    try {
      outcome = await sql
        .begin((tx) =>
          copyInto(tx, db, to, expected, sourceVerdict, (n) => {
            done += n
            shown.update(done, total)
          })
        )
        .catch((err) => {
          if (err instanceof Disagreement) return { agreed: false, lines: err.lines }
          throw err
        })
    } catch (err) {
      if (done > 0) shown.finish(`stopped after ${done} of ${total} rows`)
      if (err instanceof CopyError)
        throw new CopyError(`${err.message}; the copy was rolled back: ${shownPostgresUrl(to)} holds no data`)
      throw err
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    if (!outcome.agreed) {
      shown.finish(`copied ${done} rows, which do not agree with the source`)
      for (const line of outcome.lines) out.error(line)
      out.error(`scim-server: the copy was rolled back: ${shownPostgresUrl(to)} holds no data`)
      return 1
    }
    shown.finish(`copied ${done} rows in ${seconds} s`)
    for (const line of outcome.lines) out.log(line)
    out.log(
      `migrated ${resolve(from)} to ${shownPostgresUrl(to)}: ${done} rows, every count and journal chain verified`
    )
    return 0
  } catch (err) {
    if (err instanceof MigrateError || err instanceof CopyError) throw err
    throw new MigrateError(`migrating to ${shownPostgresUrl(to)} failed: ${(err as Error).message}`)
  } finally {
    if (db.inTransaction) db.run('ROLLBACK')
    db.close()
    lock.release()
    await sql.close()
  }
}

interface Outcome {
  agreed: boolean
  /** The comparison of every tenant's tables and journal. */
  lines: string[]
}

/** The transaction's work: refuse a target with data, copy every table, compare before the commit. */
async function copyInto(
  tx: SQL,
  db: Database,
  to: string,
  expected: Counts,
  sourceVerdict: Verdict,
  copied: (rows: number) => void
): Promise<Outcome> {
  await tx.unsafe(`LOCK TABLE ${STATE_TABLES.join(', ')} IN EXCLUSIVE MODE`)
  const problem = await contentsProblem(tx)
  if (problem)
    throw new MigrateError(
      `${shownPostgresUrl(to)} already holds ${problem}: migrate-db copies into a database without data and never merges or overwrites; give --to a new database (createdb NAME)`
    )
  for (const t of COPIED_TABLES) await copyTable(db, tx, t, copied)
  for (const statement of AFTER_COPY) await tx.unsafe(statement)
  const compared = comparisonLines(expected, await targetCounts(tx))
  const targetVerdict = await verifyPgJournal(tx)
  const lines = [...compared.lines, ...journalLines(sourceVerdict, targetVerdict)]
  // Nothing commits unless every count and every chain agrees.
  if (!compared.ok || !verdictsAgree(sourceVerdict, targetVerdict)) throw new Disagreement(lines)
  return { agreed: true, lines }
}

/** The counts or chains differ; carries the comparison out of the transaction it rolls back. */
class Disagreement extends Error {
  constructor(readonly lines: string[]) {
    super('the target does not agree with the source')
  }
}

function journalLines(source: Verdict, target: Verdict): string[] {
  if (!target.ok) {
    const at = target.seq === null ? '' : ` at entry ${target.seq}`
    return [`journal of tenant ${target.tenant} on PostgreSQL is broken${at}: ${target.problem}`]
  }
  const before = new Map(source.ok ? source.tenants.map((t) => [t.tenant, t]) : [])
  return target.tenants.map((t) => {
    const same = before.get(t.tenant)?.head === t.head
    return `journal of tenant ${t.tenant}: ${t.count} entries intact on PostgreSQL${same ? ', the same head as SQLite' : ', a head other than SQLite’s'}${t.head ? ` (${t.head.slice(0, 16)}…)` : ''}`
  })
}
