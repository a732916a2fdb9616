// `scim-server export` and `import`: every user and group as SCIM JSON lines, and back.
import type { Database } from 'bun:sqlite'
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { ScimError } from '../scim/errors'
import { createPgScimServer, type PgScimServer, type PgServerOptions } from '../server-pg'
import type { ServiceDeps } from '../service/context'
import type { TenantSource } from '../tenants/types'
import { DEFAULT_TENANT, isTenantName, tenantPrefix } from '../tenants/name'
import { EXPORT_START, type ExportPosition, exportPage } from '../service/export'
import { run } from '../service/effect'
import {
  importLine,
  openMemberCycles,
  type ClaimedIds,
  lineKeys,
  mayResolveLater,
  restoreKeptMeta,
  type KeptResources,
  type RenamedIds,
  type LineFailure,
  type LineOutcome,
} from '../service/import'
import type { RequestInfo } from '../service/result'
import { CommandError } from './backup'
import { readLines } from './lines'
import { outputWriter } from './output-file'
import { pgCommandDatabase } from './pg-database'
import { progress } from './progress'

/** What export and import need of a server, whichever store is behind it: the tenants' services. */
export interface TransferServer {
  tenants: TenantSource
  /**
   * Runs `read` in one read transaction, so what it reads is one moment's database: an export
   * read page by page beside a running server otherwise listed a group's new member but not the
   * member, and importing the file dropped the group. SQLite only (PostgreSQL reads page by page).
   */
  snapshot?<T>(read: () => Promise<T>): Promise<T>
}

/** TransferServer.snapshot on one SQLite connection: a deferred transaction holds one read snapshot (WAL). */
export function sqliteSnapshot(sqlite: Database): NonNullable<TransferServer['snapshot']> {
  return async (read) => {
    sqlite.run('BEGIN')
    try {
      return await read()
    } finally {
      sqlite.run('COMMIT')
    }
  }
}

/** Lines imported at once: enough to fill each group commit, few enough to keep memory small. */
const IN_FLIGHT = 64
const MAX_LINE_BYTES = 16 * 1_048_576

/**
 * Takes `--tenant NAME` (or `--tenant=NAME`) out of export's or import's words, leaving the rest
 * for the common parser: the tenant whose resources are moved, the default one without it.
 */
export function takeTenantFlag(argv: readonly string[]): { tenant: string; rest: string[] } {
  const rest: string[] = []
  let tenant = DEFAULT_TENANT
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!
    if (word === '--tenant') tenant = argv[++i] ?? ''
    else if (word.startsWith('--tenant=')) tenant = word.slice('--tenant='.length)
    else {
      rest.push(word)
      continue
    }
    if (!isTenantName(tenant))
      throw new CommandError(`--tenant needs a tenant name ([a-z0-9][a-z0-9-]{0,62}), got '${tenant}'`)
  }
  return { tenant, rest }
}

/** The tenant's services, and the base its resources' meta.location is written with. */
function tenantOf(server: TransferServer, tenant: string): { deps: ServiceDeps; req: RequestInfo } {
  const services = server.tenants.get(tenant)
  if (!services) throw new CommandError(`no tenant is called ${tenant} (scim-server tenant list shows them)`)
  return { deps: services.deps, req: { base: services.deps.settings.baseUrl ?? tenantPrefix(tenant) } }
}

/** Writes every resource of `tenant` to `out` (a file) or standard output; returns the summary line. */
export async function exportCommand(
  server: TransferServer,
  out: string | undefined,
  tenant = DEFAULT_TENANT
): Promise<string> {
  const started = performance.now()
  const { deps, req } = tenantOf(server, tenant)
  const whole = () => writeExport(deps, req, out)
  const written = await (server.snapshot ? server.snapshot(whole) : whole())
  const summary = `exported ${written.count} resources${out ? ` to ${resolve(out)}` : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s`
  written.shown.finish(summary)
  return summary
}

/** Every resource of the tenant as lines to `out` (a file) or standard output, with a progress line. */
async function writeExport(deps: ServiceDeps, req: RequestInfo, out: string | undefined) {
  let total = 0
  for (const type of deps.registry.resourceTypes)
    total += (await run(deps.store.query(type, { startIndex: 1, count: 0 }))).total
  const shown = progress('exporting', (n) => n.toLocaleString('en'))
  const sink = out ? outputWriter(out) : undefined
  let written = 0
  for (let at: ExportPosition | undefined = EXPORT_START; at; ) {
    const page: { lines: string[]; next?: ExportPosition } = await run(exportPage(deps, req, at))
    for (const line of page.lines) {
      if (sink) sink.write(`${line}\n`)
      else process.stdout.write(`${line}\n`)
    }
    written += page.lines.length
    shown.update(written, total)
    await sink?.flush()
    at = page.next
  }
  await sink?.end()
  return { count: written, shown }
}

interface ImportReport {
  counts: Record<LineOutcome | 'failed', number>
  failures: LineFailure[]
}

/**
 * Imports `file` line by line, up to IN_FLIGHT lines at once (their writes share group commits).
 * A line whose reference names a resource created by a later line is tried again after the
 * pass, until a pass cures none; what still fails is reported with its line number.
 */
export async function importCommand(
  server: TransferServer,
  file: string,
  report: (failure: LineFailure) => void,
  tenant = DEFAULT_TENANT
): Promise<{ summary: string; failed: number }> {
  if (!existsSync(file)) throw new CommandError(`no file at ${resolve(file)}`)
  const { deps, req } = tenantOf(server, tenant)
  const started = performance.now()
  const size = statSync(file).size
  const shown = progress(`importing ${file}`, (n) => `${(n / 1_048_576).toFixed(1)} MB`)
  const result: ImportReport = { counts: { created: 0, updated: 0, unchanged: 0, failed: 0 }, failures: [] }
  const kept: KeptResources = new Map()
  const renamed: RenamedIds = new Map()
  const claimed: ClaimedIds = new Map()
  let retry: { line: number; text: string }[] = []
  const running = new Set<Promise<void>>()
  // The last started line holding each key (service/import.ts lineKeys): a line that may name
  // the same resource as one in flight waits for it, so the file's order decides, as it would
  // one line at a time (a user's second line replaces what its first created, never a 409).
  const holding = new Map<string, Promise<void>>()
  const start = (line: number, text: string, last: boolean) => {
    const keys = lineKeys(text)
    const before = keys.map((key) => holding.get(key)).filter((job) => job !== undefined)
    const job: Promise<void> = Promise.allSettled(before)
      .then(() => run(importLine(deps, text, req, kept, renamed, claimed)))
      .then(
        (outcome) => void result.counts[outcome]++,
        (err: unknown) => {
          if (!(err instanceof ScimError)) throw err
          if (!last && mayResolveLater(err)) retry.push({ line, text })
          else result.failures.push({ line, error: err })
        }
      )
      .finally(() => {
        running.delete(job)
        for (const key of keys) if (holding.get(key) === job) holding.delete(key)
      })
    running.add(job)
    for (const key of keys) holding.set(key, job)
  }
  const room = async () => {
    if (running.size >= IN_FLIGHT) await Promise.race(running)
  }
  try {
    for await (const { line, text, bytesRead, tooLong } of readLines(file, MAX_LINE_BYTES)) {
      if (tooLong) {
        // As a request body past the bound: refused, and the lines after it still go.
        result.failures.push({
          line,
          error: ScimError.payloadTooLarge(`the line is longer than ${MAX_LINE_BYTES} bytes`),
        })
        continue
      }
      if (text === undefined) {
        // As a request body that is not UTF-8 (RFC 8259 §8.1): refused, never stored altered.
        result.failures.push({ line, error: ScimError.invalidSyntax('the line is not valid UTF-8') })
        continue
      }
      if (text.trim() === '') continue
      start(line, text, false)
      await room()
      shown.update(bytesRead, size)
    }
  } catch (err) {
    // A read that fails part way lets the lines already started finish before the server closes.
    await Promise.allSettled(running)
    throw err
  }
  await Promise.all(running)
  // Lines that referred to resources made by later lines run again, pass after pass, while a
  // pass cures some; the last pass reports what still fails (a cycle of managers, a missing id).
  // A pass that cures nothing may be groups waiting on each other: opened, they get one more.
  for (let before = Infinity; retry.length > 0; ) {
    const stuck = retry.length >= before
    const opened = stuck
      ? await run(
          openMemberCycles(
            deps,
            retry.map((r) => r.text),
            req,
            kept,
            renamed,
            claimed
          )
        )
      : 0
    const last = stuck && opened === 0
    before = opened > 0 ? Infinity : retry.length
    const pass = retry.sort((a, b) => a.line - b.line)
    retry = []
    for (const { line, text } of pass) {
      start(line, text, last)
      await room()
    }
    await Promise.all(running)
  }
  await run(restoreKeptMeta(deps, kept))
  result.failures.sort((a, b) => a.line - b.line)
  for (const failure of result.failures) report(failure)
  const { created, updated, unchanged } = result.counts
  const failed = result.failures.length
  const summary = `imported ${resolve(file)}: ${created} created, ${updated} updated, ${unchanged} unchanged, ${failed} failed, in ${((performance.now() - started) / 1000).toFixed(1)} s`
  shown.finish(summary)
  return { summary, failed }
}

/**
 * The server export and import use on a postgres:// --db: the same services as `serve --db
 * postgres://…`, on a database a server has started on already (neither command starts one:
 * a DatabaseError says so). Close it when done.
 */
export async function pgTransferServer(options: PgServerOptions): Promise<PgScimServer> {
  const { sql, ready } = pgCommandDatabase(options.db)
  try {
    await ready
  } finally {
    await sql.close()
  }
  return await createPgScimServer(options)
}
