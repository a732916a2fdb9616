// `scim-server tenant add|list|show|set|remove`: tenants as rows of the database, beside a running server.
import { parseFlags, strayFlag } from './parse-flags'
import { databasePath } from './db-path'
import { PUSH_STARTS, pushUrlProblem, type PushStart } from '../events/push-urls'
import { PACK_NAMES } from '../scim/schema/pack'
import { type Effect, run } from '../service/effect'
import { isPostgresUrl } from '../store-pg/url'
import { storageAsDatabaseError, DatabaseError } from '../store/db'
import { configOf, SETTING_BOUNDS, type TenantConfig, type TenantSchema, type TenantSettings } from '../tenants/config'
import { noSuchTenant, TenantError } from '../tenants/create'
import { DEFAULT_TENANT, isTenantName, tenantPrefix } from '../tenants/name'
import type { TenantCounts } from '../tenants/rows'
import { allowFromOf, UsageError } from './args'
import { readSchemaFile } from './schema-files'
import { type NewTenant, pgTenantTable, sqliteTenantTable, type TenantTable } from './tenant-table'

export const TENANT_USAGE = `Usage:
  scim-server tenant add NAME [--schema-pack P]... [--schema FILE]... [--group-schema FILE]... [settings]
                                  create tenant NAME (served at /tenants/NAME/scim/v2) and print its
                                  first Secret Token; creates --db when it does not exist
  scim-server tenant list         every tenant, the default one included: packs, users, groups, tokens
  scim-server tenant show NAME    one tenant: URL path, packs, schemas, settings, counts
  scim-server tenant set NAME [--schema-pack P]... [--clear-packs] [--schema FILE]... [--group-schema FILE]...
                          [--clear-schemas] [settings] [--unset SETTING]...
                                  change packs (given ones replace the list), schema documents (given
                                  ones replace those of their resource type) and settings
  scim-server tenant remove NAME --yes
                                  delete the tenant with its users, groups, memberships and tokens
Settings: --max-results N, --default-count N, --rate-limit N (requests a second per token; 0: none);
each one not set takes the server's flag. --strict-patch refuses the PATCH deviations Entra and Okta
send (capitalised op names, "$ref": null, an echoed id) with 400, for clients that speak RFC 7644.
--push-url URL (repeatable; replaces the list) pushes the tenant's change events (RFC 8935) there;
a receiver it adds gets the events from then on, or with --push-from oldest also every earlier one
the journal keeps. --allow-from CIDR (repeatable; replaces the list; an address or a block such as
192.0.2.0/24) honours the tenant's tokens only from there: from elsewhere they get 403. Every command takes --db PATH (env SCIM_DB, default ./scim.db), or a
postgres://… URL naming the PostgreSQL database of a server's replicas (add creates the tables there
when no server has yet); a running server on the same database sees the change within a second.`

const OPTIONS = {
  db: { type: 'string' },
  'schema-pack': { type: 'string', multiple: true },
  schema: { type: 'string', multiple: true },
  'group-schema': { type: 'string', multiple: true },
  'clear-packs': { type: 'boolean' },
  'clear-schemas': { type: 'boolean' },
  'max-results': { type: 'string' },
  'default-count': { type: 'string' },
  'rate-limit': { type: 'string' },
  'strict-patch': { type: 'boolean' },
  unset: { type: 'string', multiple: true },
  'push-url': { type: 'string', multiple: true },
  'push-from': { type: 'string' },
  'allow-from': { type: 'string', multiple: true },
  yes: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

type Values = {
  db?: string
  'schema-pack'?: string[]
  schema?: string[]
  'group-schema'?: string[]
  'clear-packs'?: boolean
  'clear-schemas'?: boolean
  'max-results'?: string
  'default-count'?: string
  'rate-limit'?: string
  'strict-patch'?: boolean
  'push-url'?: string[]
  'push-from'?: string
  'allow-from'?: string[]
  unset?: string[]
  yes?: boolean
  help?: boolean
}

/** What a tenant's packs, schemas and settings are changed with: add and set take them. */
const CHANGE_FLAGS = Object.keys(OPTIONS).filter((f) => !['db', 'yes', 'help'].includes(f))
/** Clearing only has a meaning for a tenant that is there already. */
const CLEARING = ['clear-packs', 'clear-schemas', 'unset']

/** The flags each subcommand takes: another is a mistake said so (`tenant list --rate-limit 5` ignored it). */
const TAKES: Readonly<Record<string, readonly string[]>> = {
  add: ['db', ...CHANGE_FLAGS.filter((f) => !CLEARING.includes(f))],
  set: ['db', ...CHANGE_FLAGS],
  list: ['db'],
  show: ['db'],
  remove: ['db', 'yes'],
}

/** Numeric setting flags and the settings they set. */
const SETTING_FLAGS: Readonly<Record<string, keyof typeof SETTING_BOUNDS>> = {
  'max-results': 'maxResults',
  'default-count': 'defaultCount',
  'rate-limit': 'rateLimit',
}
/** What --unset takes: every setting flag. */
const UNSET: Readonly<Record<string, keyof TenantSettings>> = {
  ...SETTING_FLAGS,
  'strict-patch': 'strictPatch',
  'push-url': 'pushUrls',
  'allow-from': 'allowFrom',
}

/** What a command prints; a thrown UsageError becomes one line and exit 2, a TenantError exit 1. */
interface Outcome {
  lines: string[]
}

/** The tenant family's entry from main.ts: the words after `tenant`, and the environment. */
export async function tenantCommand(argv: readonly string[], env: Record<string, string | undefined>): Promise<void> {
  try {
    for (const line of (await runTenantCommand(argv, env)).lines) console.log(line)
  } catch (thrown) {
    const err = storageAsDatabaseError(thrown)
    if (!(err instanceof UsageError || err instanceof DatabaseError || err instanceof TenantError)) throw err
    console.error(`scim-server: ${err.message}`)
    process.exitCode = err instanceof UsageError ? 2 : 1
  }
}

export { TenantError }

export async function runTenantCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>
): Promise<Outcome> {
  let parsed
  try {
    parsed = parseFlags({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (see tenant --help)`)
  }
  const values = parsed.values as Values
  const [sub, name, ...extra] = parsed.positionals
  if (values.help || sub === undefined) return { lines: [TENANT_USAGE] }
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}' (see tenant --help)`)
  const needsName = sub !== 'list'
  if (!['add', 'list', 'show', 'set', 'remove'].includes(sub))
    throw new UsageError(`unknown tenant command '${sub}' (see tenant --help)`)
  const stray = strayFlag(values, TAKES[sub]!)
  if (stray !== undefined) throw new UsageError(`tenant ${sub} does not take --${stray} (see tenant --help)`)
  if (needsName && name === undefined) throw new UsageError(`tenant ${sub} needs a NAME`)
  if (!needsName && name !== undefined) throw new UsageError(`unexpected argument '${name}' (see tenant --help)`)
  if (name !== undefined && !isTenantName(name))
    throw new UsageError(`tenant name '${name}' is not [a-z0-9][a-z0-9-]{0,62} (lower-case letters, digits, -)`)
  const path = databasePath(values.db, env.SCIM_DB, (m) => new UsageError(m))
  if (path === ':memory:') throw new UsageError('tenant needs a database file (--db PATH)')
  // Read and checked before the database is touched: a wrong file changes nothing.
  const change = await changeOf(values)
  // Only add may start a database: a SQLite file it creates, a PostgreSQL database it migrates.
  const table = isPostgresUrl(path) ? pgTenantTable(path, sub === 'add') : sqliteTenantTable(path, sub === 'add')
  return await run(command(table, sub, name, change, values.yes === true))
}

/** One command over either store's table; the table is closed whatever happens. */
function* command(
  table: TenantTable,
  sub: string,
  name: string | undefined,
  change: Change,
  yes: boolean
): Effect<Outcome> {
  try {
    switch (sub) {
      case 'add':
        return yield* add(table, name!, change)
      case 'list':
        return yield* list(table)
      case 'show':
        return yield* show(table, name!)
      case 'set':
        return yield* set(table, name!, change)
      default:
        return yield* remove(table, name!, yes)
    }
  } finally {
    yield* table.close()
  }
}

interface Change {
  packs?: string[]
  clearPacks: boolean
  schemas?: TenantSchema[]
  clearSchemas: boolean
  targets: Set<'User' | 'Group'>
  settings: TenantSettings
  unset: (keyof TenantSettings)[]
  pushFrom: PushStart
}

function integer(raw: string, flag: string, key: keyof typeof SETTING_BOUNDS): number {
  const { min, max } = SETTING_BOUNDS[key]
  const n = Number(raw)
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got '${raw}'`)
  return n
}

async function changeOf(values: Values): Promise<Change> {
  const packs = values['schema-pack']?.map((p) => p.trim().toLowerCase())
  for (const p of packs ?? [])
    if (!(PACK_NAMES as readonly string[]).includes(p))
      throw new UsageError(`unknown schema pack '${p}'; known packs: ${PACK_NAMES.join(', ')}`)
  const targets = new Set<'User' | 'Group'>()
  const schemas: TenantSchema[] = []
  for (const [flag, target] of [
    ['schema', 'User'],
    ['group-schema', 'Group'],
  ] as const) {
    for (const file of values[flag] ?? []) {
      schemas.push({ target, schema: await readSchemaFile(file) })
      targets.add(target)
    }
  }
  const settings: TenantSettings = {}
  for (const [flag, key] of Object.entries(SETTING_FLAGS)) {
    const raw = values[flag as keyof Values] as string | undefined
    if (raw !== undefined) settings[key] = integer(raw, flag, key)
  }
  if (values['strict-patch']) settings.strictPatch = true
  const pushUrls = values['push-url']
  if (pushUrls) {
    for (const url of pushUrls) {
      const problem = pushUrlProblem(url)
      if (problem) throw new UsageError(`--push-url: ${problem}`)
    }
    settings.pushUrls = [...new Set(pushUrls)]
  }
  if (values['allow-from']) settings.allowFrom = allowFromOf(values['allow-from'])
  const pushFrom = values['push-from'] ?? 'head'
  if (!(PUSH_STARTS as readonly string[]).includes(pushFrom))
    throw new UsageError(`--push-from takes ${PUSH_STARTS.join(' or ')}, got '${pushFrom}'`)
  if (values['push-from'] !== undefined && !pushUrls)
    throw new UsageError('--push-from goes with --push-url: it says where the receivers being added start')
  const unset = (values.unset ?? []).map((flag) => {
    const key = UNSET[flag.replace(/^--/, '')]
    if (!key) throw new UsageError(`--unset takes ${Object.keys(UNSET).join(', ')}, got '${flag}'`)
    return key
  })
  return {
    packs: [...new Set(packs)].length > 0 ? [...new Set(packs)] : undefined,
    clearPacks: values['clear-packs'] === true,
    schemas: schemas.length > 0 ? schemas : undefined,
    clearSchemas: values['clear-schemas'] === true,
    targets,
    settings,
    unset,
    pushFrom: pushFrom as PushStart,
  }
}

function* add(table: TenantTable, name: string, change: Change): Effect<Outcome> {
  const token = yield* table.add(
    { name, packs: change.packs ?? [], schemas: change.schemas ?? [], settings: change.settings },
    change.pushFrom
  )
  return {
    lines: [
      `Tenant:       ${name}`,
      `Tenant URL:   ${tenantPrefix(name)} (after the server's origin, e.g. https://host${tenantPrefix(name)})`,
      `Secret Token: ${token}`,
      '              (shown once: only its hash is stored)',
    ],
  }
}

function describePacks(packs: readonly string[]): string {
  return packs.length > 0 ? packs.join(',') : '-'
}

function* list(table: TenantTable): Effect<Outcome> {
  const rows: string[][] = []
  for (const row of yield* table.rows()) {
    const config = configOf(row)
    const counts = yield* table.count(row.name)
    rows.push([
      row.name,
      describePacks(config.packs),
      String(counts.users),
      String(counts.groups),
      String(counts.tokens),
    ])
  }
  const lines = [['NAME', 'PACKS', 'USERS', 'GROUPS', 'TOKENS'], ...rows]
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((r) => r[i]!.length)))
  return {
    lines: lines.map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd()
    ),
  }
}

function* find(table: TenantTable, name: string): Effect<TenantConfig> {
  const config = yield* table.find(name)
  if (!config) throw noSuchTenant(name)
  return config
}

function* show(table: TenantTable, name: string): Effect<Outcome> {
  const config = yield* find(table, name)
  const counts = yield* table.count(name)
  const settings = Object.entries(config.settings).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(' ') : v}`)
  return {
    lines: [
      `Tenant:       ${name}`,
      `Tenant URL:   ${tenantPrefix(name)}`,
      `Created:      ${config.created}`,
      `Packs:        ${describePacks(config.packs)}${name === DEFAULT_TENANT ? ' (and those of serve --schema-pack)' : ''}`,
      `Schemas:      ${config.schemas.length > 0 ? config.schemas.map((s) => `${s.schema.id} (${s.target})`).join(', ') : '-'}`,
      `Settings:     ${settings.length > 0 ? settings.join(', ') : "- (the server's flags)"}`,
      `Users:        ${counts.users}`,
      `Groups:       ${counts.groups} (${counts.memberships} memberships)`,
      `Tokens:       ${counts.tokens}`,
    ],
  }
}

/** The tenant `before` with `change` applied: given packs replace the list, given documents those of their resource type. */
function changed(before: TenantConfig, change: Change): NewTenant {
  const packs = change.clearPacks ? [] : (change.packs ?? before.packs)
  let schemas = change.clearSchemas ? [] : before.schemas
  if (change.schemas) schemas = [...schemas.filter((s) => !change.targets.has(s.target)), ...change.schemas]
  const settings: TenantSettings = { ...before.settings, ...change.settings }
  for (const key of change.unset) delete settings[key]
  return { name: before.name, packs, schemas, settings }
}

function* set(table: TenantTable, name: string, change: Change): Effect<Outcome> {
  yield* table.change(name, (before) => changed(before, change), change.pushFrom)
  const shown = yield* show(table, name)
  return { lines: [`tenant ${name} changed; a running server serves it so within a second`, ...shown.lines] }
}

function what(counts: TenantCounts): string {
  return `${counts.users} users, ${counts.groups} groups, ${counts.memberships} memberships, ${counts.tokens} tokens and ${counts.journalEntries} journal entries`
}

function* remove(table: TenantTable, name: string, yes: boolean): Effect<Outcome> {
  if (name === DEFAULT_TENANT) throw new TenantError('the default tenant cannot be removed: /scim/v2 always serves it')
  yield* find(table, name)
  if (!yes)
    throw new TenantError(
      `tenant remove ${name} deletes it with its ${what(yield* table.count(name))}; add --yes to do so (\`scim-server journal export --tenant ${name}\` keeps a copy of the journal)`
    )
  return { lines: [`tenant ${name} removed, with its ${what(yield* table.remove(name))}`] }
}
