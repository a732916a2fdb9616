// `scim-server journal verify|export|restore`: check the chain, hand it to a SIEM, undo a mistake.
import { parseFlags } from './parse-flags'
import { openCommandDatabase } from './command-db'
import { databasePath } from './db-path'
import { openReadOnlyDatabase } from '../store/db-readonly'
import { parseDateTime } from '../scim/datetime'
import { isBrokenPipe } from './broken-pipe'
import { newResourceId } from '../scim/resource-id'
import type { FileSink } from 'bun'
import { drizzle } from 'drizzle-orm/bun-sql'
import { API_PREFIX } from '../http/app'
import { cefLine } from '../journal/cef'
import { entriesSince } from '../journal/query'
import type { JournalEntry } from '../journal/types'
import { type Verdict, verdictLines, verifyJournal } from '../journal/verify'
import { type Limits, limitsWith } from '../scim/limits'
import type { Registry } from '../scim/schema/registry'
import type { ResourceStore, ServiceDeps } from '../service/context'
import { restoreSince } from '../service/restore'
import { run } from '../service/effect'
import { DatabaseError } from '../store/db'
import { pgEntriesSince } from '../store-pg/journal-read'
import { pgReadTenant } from '../store-pg/tenants'
import { verifyPgJournal } from '../store-pg/journal-verify'
import { createPgResourceStore } from '../store-pg/resource-store'
import { isPostgresUrl } from '../store-pg/url'
import { createResourceStore } from '../store/resource-store'
import { registryOf, servedSchemas, type TenantConfig, type TenantSchema } from '../tenants/config'
import { DEFAULT_TENANT } from '../tenants/name'
import { readTenant } from '../tenants/rows'
import { VERSION } from '../version'
import { openPgCommandDatabase } from './pg-database'
import { LIMIT_OPTIONS, limitsFrom, UsageError } from './args'
import { printable } from './printable'
import { readSchemaFile } from './schema-files'
import { CommandError } from './backup'
import { outputWriter } from './output-file'

export const JOURNAL_USAGE = `Usage:
  scim-server journal verify [--tenant NAME]
      check every entry's hash and link; exit 0 printing the count when intact, 1 naming the first bad entry
  scim-server journal export [--tenant NAME] [--since T] [--format jsonl|cef] [--out FILE]
      the entries (from time T on) as JSON lines (default) or CEF lines for a SIEM, to stdout by default
  scim-server journal restore --tenant NAME --since T [--dry-run] [--schema-pack NAME] [--schema FILE] [--group-schema FILE]
      put back what was deleted or changed from T on (users with their group memberships), through the
      normal write path; --dry-run prints what it would do. A named tenant's schemas are read from the
      database; for the default tenant give the server's schema flags. Documents are held to serve's
      limits: give the server's --max-document-bytes, --max-depth, … (or SCIM_MAX_…) if it raised them.
Every subcommand takes --db PATH (or SCIM_DB; default ./scim.db), the database the server uses, or the
postgres://… URL of its replicas' database.`

/** A journal command that cannot run as asked: one line, exit 2. */
class JournalUsageError extends Error {}

const OPTIONS = {
  db: { type: 'string' },
  tenant: { type: 'string' },
  since: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'schema-pack': { type: 'string', multiple: true },
  schema: { type: 'string', multiple: true },
  'group-schema': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
  ...(LIMIT_OPTIONS as Record<string, { type: 'string' }>),
} as const

interface JournalArgs {
  sub: 'verify' | 'export' | 'restore' | 'help'
  db: string
  tenant?: string
  since?: string
  format: 'jsonl' | 'cef'
  out?: string
  dryRun: boolean
  packs: string[]
  userSchemas: string[]
  groupSchemas: string[]
  /** What restore holds documents to: serve's limit flags (or their variables), as the server was run with. */
  limits: Limits
}

/**
 * An ISO time for `--since`, normalised to the form entries store (UTC, milliseconds), so text
 * order is time order. Read as every dateTime here is (parseDateTime: a real calendar date, no
 * zone meaning UTC), or a date alone as its midnight UTC. Date.parse took 2026-02-30 as March 2nd,
 * so a mistyped `journal restore --since` would have restored from another day.
 */
function sinceOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined
  // RFC 3339 §5.6 lets a time given by hand write `t` and `z`; xsd:dateTime, which parseDateTime reads, does not.
  const typed = raw.replace(/^(\d{4}-\d{2}-\d{2})t/, '$1T').replace(/z$/, 'Z')
  const t = parseDateTime(/^\d{4}-\d{2}-\d{2}$/.test(typed) ? `${typed}T00:00:00Z` : typed)
  if (t === undefined)
    throw new JournalUsageError(
      `--since must be a real ISO 8601 time such as 2026-05-01T09:00:00Z (or a date, 2026-05-01), got '${raw}'`
    )
  return new Date(t).toISOString()
}

export function parseJournalArgs(argv: readonly string[], env: Record<string, string | undefined>): JournalArgs {
  let parsed
  try {
    parsed = parseFlags({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true })
  } catch (err) {
    throw new JournalUsageError(`${(err as Error).message.split('\n')[0]} (see journal --help)`)
  }
  const { values, positionals } = parsed
  const [sub, ...extra] = positionals
  if (values.help || sub === undefined || sub === 'help') return { ...defaults(env), sub: 'help' }
  if (sub !== 'verify' && sub !== 'export' && sub !== 'restore')
    throw new JournalUsageError(`unknown journal command '${sub}': verify, export or restore (see journal --help)`)
  if (extra.length > 0) throw new JournalUsageError(`unexpected argument '${extra[0]}' (see journal --help)`)
  const format = values.format ?? 'jsonl'
  if (format !== 'jsonl' && format !== 'cef')
    throw new JournalUsageError(`--format must be jsonl or cef, got '${format}'`)
  const args: JournalArgs = {
    ...defaults(env),
    sub,
    db: databasePath(values.db, env.SCIM_DB, (m) => new JournalUsageError(m)),
    tenant: values.tenant,
    since: sinceOf(values.since),
    format,
    out: values.out,
    dryRun: values['dry-run'] ?? false,
    packs: values['schema-pack'] ?? [],
    userSchemas: values.schema ?? [],
    groupSchemas: values['group-schema'] ?? [],
  }
  const limitFlags = Object.keys(LIMIT_OPTIONS).filter(
    (flag) => (values as Record<string, unknown>)[flag] !== undefined
  )
  if (sub !== 'restore' && limitFlags.length > 0)
    throw new JournalUsageError(`only journal restore takes --${limitFlags[0]} (see journal --help)`)
  try {
    args.limits = limitsFrom(values, sub === 'restore' ? env : {})
  } catch (err) {
    if (err instanceof UsageError) throw new JournalUsageError(err.message)
    throw err
  }
  if (sub === 'restore' && (args.tenant === undefined || args.since === undefined))
    throw new JournalUsageError('journal restore needs --tenant NAME and --since T')
  if (args.db === ':memory:') throw new JournalUsageError('journal needs a database file (--db PATH) or URL')
  return args
}

function defaults(env: Record<string, string | undefined>): JournalArgs {
  return {
    sub: 'help',
    db: databasePath(undefined, env.SCIM_DB, (m) => new JournalUsageError(m)),
    format: 'jsonl',
    dryRun: false,
    packs: [],
    userSchemas: [],
    groupSchemas: [],
    limits: limitsWith(),
  }
}

/** Runs a journal command; returns the exit code. */
export async function journalCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>
): Promise<number> {
  let args: JournalArgs
  try {
    args = parseJournalArgs(argv, env)
  } catch (err) {
    if (!(err instanceof JournalUsageError)) throw err
    console.error(`scim-server: ${err.message}`)
    return 2
  }
  if (args.sub === 'help') {
    console.log(JOURNAL_USAGE)
    return 0
  }
  let journal: JournalDatabase
  try {
    journal = isPostgresUrl(args.db)
      ? await pgJournalDatabase(args.db)
      : sqliteJournalDatabase(args.db, args.sub !== 'restore')
  } catch (err) {
    console.error(`scim-server: ${err instanceof DatabaseError ? err.message : (err as Error).message}`)
    return 1
  }
  try {
    // A tenant's journal goes with it (tenant remove): a name no tenant has is a typo, never an
    // empty journal to call intact or to export.
    if (args.tenant !== undefined && args.tenant !== DEFAULT_TENANT && !(await journal.tenant(args.tenant))) {
      console.error(`scim-server: no tenant is called ${args.tenant} (scim-server tenant list shows them)`)
      return 1
    }
    switch (args.sub) {
      case 'verify':
        return await verify(journal, args)
      case 'export':
        return await exportEntries(journal, args)
      case 'restore':
        return await restore(journal, args)
    }
  } catch (err) {
    // A --schema file that cannot be read or is no schema document: one line, as for tenant set.
    if (!(err instanceof JournalUsageError)) throw err
    console.error(`scim-server: ${err.message}`)
    return 2
  } finally {
    await journal.close()
  }
}

/** What the subcommands need of the database, on SQLite or PostgreSQL. */
interface JournalDatabase {
  verify(tenant: string | undefined): Verdict | Promise<Verdict>
  entriesSince(
    tenant: string | undefined,
    since: string | undefined
  ): Iterable<JournalEntry> | AsyncIterable<JournalEntry>
  /** A tenant's store, for restore's writes through the normal write path. */
  storeFor(tenant: string, limits: Limits): ResourceStore
  /** The tenant's row (its packs and schema documents), undefined when there is none. */
  tenant(name: string): TenantConfig | undefined | Promise<TenantConfig | undefined>
  close(): void | Promise<void>
}

/** `readOnly` for verify and export: they write nothing, not even to a backup they are given. */
function sqliteJournalDatabase(path: string, readOnly: boolean): JournalDatabase {
  const opened = readOnly ? openReadOnlyDatabase(path) : openCommandDatabase(path)
  return {
    verify: (tenant) => verifyJournal(opened.sqlite, tenant),
    entriesSince: (tenant, since) => entriesSince(opened.sqlite, tenant, since),
    storeFor: (tenant, limits) => createResourceStore(opened.orm, opened.sqlite, { tenant, limits }),
    tenant: (name) => readTenant(opened.sqlite, name),
    close: () => opened.sqlite.close(),
  }
}

async function pgJournalDatabase(url: string): Promise<JournalDatabase> {
  const sql = await openPgCommandDatabase(url)
  const orm = drizzle({ client: sql })
  return {
    verify: (tenant) => verifyPgJournal(sql, tenant),
    entriesSince: (tenant, since) => pgEntriesSince(sql, tenant, since),
    storeFor: (tenant, limits) => createPgResourceStore(orm, { tenant, limits }),
    tenant: (name) => pgReadTenant(sql, name),
    close: () => sql.close(),
  }
}

async function verify(journal: JournalDatabase, args: JournalArgs): Promise<number> {
  const started = performance.now()
  const { ok, lines } = verdictLines(await journal.verify(args.tenant), (performance.now() - started) / 1000)
  for (const line of lines) (ok ? console.log : console.error)(line)
  return ok ? 0 : 1
}

async function exportEntries(journal: JournalDatabase, args: JournalArgs): Promise<number> {
  let sink: FileSink
  try {
    sink = args.out ? outputWriter(args.out) : Bun.stdout.writer()
  } catch (err) {
    if (!(err instanceof CommandError)) throw err
    console.error(`scim-server: ${err.message}`)
    return 1
  }
  let n = 0
  try {
    for await (const e of journal.entriesSince(args.tenant, args.since)) {
      // A write that had to flush hands back its promise: awaited, a failed flush (EPIPE) is caught
      // below instead of rejecting unhandled, and a slow reader holds the export back.
      const flushed: unknown = sink.write(`${args.format === 'cef' ? cefLine(e, VERSION) : JSON.stringify(e)}\n`)
      if (flushed instanceof Promise) await flushed
      n++
    }
    await sink.end()
  } catch (err) {
    // `journal export | head -1`: the reader has what it wanted.
    if (!args.out && isBrokenPipe(err)) return 0
    throw err
  }
  if (args.out) console.error(`exported ${n} entries to ${args.out}`)
  return 0
}

/**
 * The registry the server serves `tenant` with (tenants/config.ts servedSchemas): a named tenant's
 * stored packs and documents, the default tenant's after serve's flags as given here. Restores
 * are then validated as the server validates writes, its uniqueness rules included. A string
 * says why there is none.
 */
async function restoreRegistry(journal: JournalDatabase, args: JournalArgs): Promise<Registry | string> {
  const tenant = args.tenant!
  const config = await journal.tenant(tenant)
  if (tenant !== DEFAULT_TENANT && args.packs.length + args.userSchemas.length + args.groupSchemas.length > 0)
    return `tenant ${tenant} keeps its schema packs and documents in the database: --schema-pack, --schema and --group-schema are serve's, for the default tenant`
  const read = (path: string) =>
    readSchemaFile(path).catch((err: unknown) => {
      throw err instanceof UsageError ? new JournalUsageError(err.message) : err
    })
  const schemas: TenantSchema[] = [
    ...(await Promise.all(args.userSchemas.map(read))).map((schema) => ({ schema, target: 'User' as const })),
    ...(await Promise.all(args.groupSchemas.map(read))).map((schema) => ({ schema, target: 'Group' as const })),
  ]
  const served = servedSchemas(config ?? { name: tenant, packs: [], schemas: [] }, { packs: args.packs, schemas })
  try {
    return registryOf(served.packs, served.schemas)
  } catch (err) {
    return `the tenant's schemas do not load: ${(err as Error).message}`
  }
}

async function restore(journal: JournalDatabase, args: JournalArgs): Promise<number> {
  const tenant = args.tenant!
  const registry = await restoreRegistry(journal, args)
  if (typeof registry === 'string') {
    console.error(`scim-server: ${registry}`)
    return 1
  }
  const { limits } = args
  const store = journal.storeFor(tenant, limits)
  const deps: ServiceDeps = {
    store,
    registry,
    settings: { maxResults: 1000, defaultCount: 100, cursorTimeout: 3600, limits },
    now: () => new Date(),
    newId: newResourceId,
  }
  // Entries of the restore itself come after T too: read them all before writing any.
  const entries: JournalEntry[] = []
  for await (const entry of journal.entriesSince(tenant, args.since)) entries.push(entry)
  const steps = await run(restoreSince(deps, entries, { base: API_PREFIX }, args.dryRun))
  const verb = args.dryRun ? 'would ' : ''
  let failed = 0
  for (const s of steps) {
    const line = printable(`${verb}${s.action} ${s.type} ${s.id}${s.detail ? ` (${s.detail})` : ''}`)
    if (s.error) {
      failed++
      console.error(
        `${line}: failed, ${s.error.status} ${s.error.scimType ?? ''} ${printable(s.error.detail)}`.replace(
          / {2,}/g,
          ' '
        )
      )
    } else console.log(line)
  }
  const count = (a: string) => steps.filter((s) => s.action === a && !s.error).length
  console.log(
    `${args.dryRun ? 'dry run: ' : ''}${count('recreate')} recreated, ${count('revert')} reverted, ${count('members')} memberships restored from ${entries.length} entries since ${args.since}${failed ? `, ${failed} failed` : ''}`
  )
  return failed > 0 ? 1 : 0
}
