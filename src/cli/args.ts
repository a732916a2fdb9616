// Command line and environment → a settled Config (flag, then environment twin, then default).
import { parseFlags, repeatedFlag } from './parse-flags'
import { databasePath } from './db-path'
import { rangeProblem } from '../auth/address-ranges'
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../log/types'
import { LIMIT_SETTINGS, type LimitName, type Limits } from '../scim/limits'
import { parseRetention } from '../journal/retention'
import { baseUrlProblem, durabilityProblem, isDurability, tokenProblem } from '../option-rules'

export interface Config {
  command: 'serve' | 'selftest' | 'backup' | 'restore' | 'export' | 'import' | 'help' | 'version'
  /** The FILE of backup, restore and import. */
  file?: string
  /** Where export writes (default: standard output). */
  out?: string
  port: number
  host: string
  db: string
  tokens: string[]
  tlsCert?: string
  tlsKey?: string
  baseUrl?: string
  schemaPacks: string[]
  userSchemas: string[]
  groupSchemas: string[]
  maxResults: number
  durability: 'full' | 'normal'
  /** Input limits (src/scim/limits.ts), each from its flag, its environment twin or its default. */
  limits: Limits
  /** `json` or `text`; undefined: json unless standard output is a terminal (main.ts decides). */
  logFormat?: LogFormat
  /** `--log-level`, or debug with `--debug` / SCIM_DEBUG (internal errors then carry their stack). */
  logLevel: LogLevel
  /** `--metrics-listen`: a second listener serving only GET /metrics, without a token. */
  metricsListen?: { host: string; port: number }
  /** Requests per second per token (0: no limit). */
  rateLimit: number
  /** `--allow-from`: addresses and CIDR blocks every tenant's tokens are honoured from (empty: any). */
  allowFrom: string[]
  /** `--journal-retention`: days the journal keeps entries (undefined: all, forever). */
  journalRetentionDays?: number
  /** `selftest --url`: the Tenant URL to check. */
  url?: string
  /** `selftest --insecure`: skip TLS certificate verification (a self-signed test deployment). */
  insecure: boolean
}

const COMMANDS = new Set(['serve', 'selftest', 'backup', 'restore', 'export', 'import'])
const FILE_COMMANDS = new Set(['backup', 'restore', 'import'])

/** A mistake in flags or environment: reported as one line, never a stack trace. */
export class UsageError extends Error {}

const OPTIONS = {
  port: { type: 'string', env: 'SCIM_PORT' },
  host: { type: 'string', env: 'SCIM_HOST' },
  db: { type: 'string', env: 'SCIM_DB' },
  token: { type: 'string', multiple: true, env: 'SCIM_TOKEN' },
  'tls-cert': { type: 'string', env: 'SCIM_TLS_CERT' },
  'tls-key': { type: 'string', env: 'SCIM_TLS_KEY' },
  'base-url': { type: 'string', env: 'SCIM_BASE_URL' },
  'schema-pack': { type: 'string', multiple: true, env: 'SCIM_SCHEMA_PACKS' },
  schema: { type: 'string', multiple: true, env: 'SCIM_SCHEMAS' },
  'group-schema': { type: 'string', multiple: true, env: 'SCIM_GROUP_SCHEMAS' },
  'max-results': { type: 'string', env: 'SCIM_MAX_RESULTS' },
  durability: { type: 'string', env: 'SCIM_DURABILITY' },
  'max-request-bytes': { type: 'string', env: 'SCIM_MAX_REQUEST_BYTES' },
  'max-depth': { type: 'string', env: 'SCIM_MAX_DEPTH' },
  'max-document-bytes': { type: 'string', env: 'SCIM_MAX_DOCUMENT_BYTES' },
  'max-response-bytes': { type: 'string', env: 'SCIM_MAX_RESPONSE_BYTES' },
  'cache-bytes': { type: 'string', env: 'SCIM_CACHE_BYTES' },
  'db-mmap-bytes': { type: 'string', env: 'SCIM_DB_MMAP_BYTES' },
  'max-bulk-operations': { type: 'string', env: 'SCIM_MAX_BULK_OPERATIONS' },
  'filter-cache-bytes': { type: 'string', env: 'SCIM_FILTER_CACHE_BYTES' },
  'max-patch-operations': { type: 'string', env: 'SCIM_MAX_PATCH_OPERATIONS' },
  'max-patch-elements': { type: 'string', env: 'SCIM_MAX_PATCH_ELEMENTS' },
  out: { type: 'string' },
  format: { type: 'string' },
  debug: { type: 'boolean', env: 'SCIM_DEBUG' },
  'log-format': { type: 'string', env: 'SCIM_LOG_FORMAT' },
  'log-level': { type: 'string', env: 'SCIM_LOG_LEVEL' },
  'metrics-listen': { type: 'string', env: 'SCIM_METRICS_LISTEN' },
  'rate-limit': { type: 'string', env: 'SCIM_RATE_LIMIT' },
  'allow-from': { type: 'string', multiple: true, env: 'SCIM_ALLOW_FROM' },
  'journal-retention': { type: 'string', env: 'SCIM_JOURNAL_RETENTION' },
  url: { type: 'string' },
  insecure: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const

const L = LIMIT_SETTINGS

export const USAGE = `scim-server: a SCIM 2.0 server for Microsoft Entra ID provisioning, with embedded storage

Usage:
  scim-server [serve] [flags]     run the server (default)
  scim-server token [list|revoke] issue, list or revoke secret tokens of --db (see token --help)
  scim-server backup FILE         consistent copy of --db into FILE while a server keeps serving
  scim-server restore FILE        put FILE in place of --db (the server must be stopped; the old file is kept aside)
  scim-server export [--out FILE] every user and group as SCIM JSON lines (--format jsonl), to stdout by default
  scim-server import FILE         JSON lines back through validation; matched by userName, displayName or
                                  externalId, so running it again changes nothing
                                  (export and import take --tenant NAME; the default tenant without it)
  scim-server journal verify|export|restore
                                  check, export (jsonl, cef) or undo from the provisioning journal
                                  (see \`scim-server journal --help\`)
  scim-server tenant add|list|show|set|remove ...
                                  tenants served at /tenants/NAME/scim/v2 (see scim-server tenant --help)
  scim-server migrate-db --from FILE --to postgres://...
                                  copy a SQLite database into an empty PostgreSQL one and verify it
  scim-server health [--port N]   ask the server on this machine whether it is ready (/readyz): exit 0
                                  when it is, 1 when not; for a container's HEALTHCHECK (see health --help)
  scim-server selftest --url URL --token T [--insecure]
                                  replay Entra's and Okta's requests against a running deployment
                                  (through its proxy), print pass/fail per check, clean up after
                                  itself; exit 0 only when all pass. --insecure skips TLS
                                  certificate verification, for a self-signed test deployment
  scim-server --help | --version

Flags (each has an environment twin):
  --port N             SCIM_PORT          listen port (default 8080)
  --host ADDR          SCIM_HOST          listen address (default 0.0.0.0: all interfaces, Entra must reach it)
  --db PATH            SCIM_DB            SQLite database file (default ./scim.db; :memory: for a throwaway one),
                                          or postgres://user:pass@host:port/db for replicas over PostgreSQL
  --token T            SCIM_TOKEN         accepted bearer token; repeat the flag, or comma-separate in the
                                          variable. Without one, a token is generated on first start,
                                          printed once, and only its hash is stored in the database
  --tls-cert FILE      SCIM_TLS_CERT      PEM certificate (chain) for HTTPS; Entra requires HTTPS
  --tls-key FILE       SCIM_TLS_KEY       PEM private key for --tls-cert
  --base-url URL       SCIM_BASE_URL      public URL of the API (…/scim/v2) for meta.location behind a proxy
  --schema-pack NAME   SCIM_SCHEMA_PACKS  enable a vendor schema pack: alertmedia, alvao, mediusflow, h5mag,
                                          atmos (repeatable / comma-separated)
  --schema FILE        SCIM_SCHEMAS       add an RFC 7643 schema document as a User extension (repeatable)
  --group-schema FILE  SCIM_GROUP_SCHEMAS add a schema document as a Group extension (repeatable)
  --max-results N      SCIM_MAX_RESULTS   largest page a list query returns (default 1000)
  --durability MODE    SCIM_DURABILITY    full (default: every acknowledged write survives power loss)
                                          or normal (survives a crash of the process, not of the machine)
  --log-format F       SCIM_LOG_FORMAT    json or text: one line per request (default: json, text when
                                          standard output is a terminal)
  --log-level L        SCIM_LOG_LEVEL     debug, info (default), warn or error; at debug, internal
                                          errors carry their stack
  --debug              SCIM_DEBUG         the same as --log-level debug
  --metrics-listen A   SCIM_METRICS_LISTEN [HOST:]PORT of a second listener serving only GET /metrics,
                                          without a token (HOST defaults to 127.0.0.1, loopback only);
                                          on the main port /metrics needs a metrics token
  --rate-limit N       SCIM_RATE_LIMIT    requests per second per token, bursts of 2N; over it 429 with
                                          Retry-After (default 0: no limit)
  --allow-from CIDR    SCIM_ALLOW_FROM    honour tokens only from these addresses or blocks (repeatable /
                                          comma-separated; e.g. 192.0.2.0/24, 2001:db8::/32); a token
                                          from elsewhere gets 403. Default: any address. A tenant may set
                                          its own (tenant set NAME --allow-from)
  --journal-retention Nd SCIM_JOURNAL_RETENTION prune journal entries older than N days, keeping a
                                          checkpoint hash so \`journal verify\` still proves the rest
                                          (default: keep all). See \`scim-server journal --help\`

Limits (a request over one gets a SCIM Error that names it; the last two are budgets):
  --max-request-bytes N  SCIM_MAX_REQUEST_BYTES  largest request body (default ${L.maxRequestBytes.default}; 413)
  --max-depth N          SCIM_MAX_DEPTH          deepest nesting in a request body (default ${L.maxDepth.default}; 400 invalidSyntax)
  --max-document-bytes N SCIM_MAX_DOCUMENT_BYTES largest stored resource after a write (default ${L.maxDocumentBytes.default}; 413)
  --max-response-bytes N SCIM_MAX_RESPONSE_BYTES byte budget of a list page; a fuller page ends early
                                                 and the client pages on (default ${L.maxResponseBytes.default})
  --cache-bytes N        SCIM_CACHE_BYTES        byte budget of the lookup cache (default ${L.cacheBytes.default})
  --filter-cache-bytes N SCIM_FILTER_CACHE_BYTES byte budget of the parsed-filter cache, all tenants together
                                                 (default ${L.filterCacheBytes.default})
  --max-bulk-operations N SCIM_MAX_BULK_OPERATIONS operations one POST /Bulk may hold (default ${L.maxBulkOperations.default}; 413)
  --max-patch-operations N SCIM_MAX_PATCH_OPERATIONS operations one PATCH may hold (default ${L.maxPatchOperations.default}; 400 invalidValue)
  --max-patch-elements N SCIM_MAX_PATCH_ELEMENTS elements of multi-valued attributes and members one request's PATCH
                                                 operations may visit in all (default ${L.maxPatchElements.default}; 400 invalidValue)
  --db-mmap-bytes N      SCIM_DB_MMAP_BYTES      read up to N bytes of the database file through a memory map
                                                 (default ${L.dbMmapBytes.default}: none); faster on large databases,
                                                 and the mapped pages count into the resident size
`

type Values = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true }
    ? string[]
    : (typeof OPTIONS)[K] extends { type: 'boolean' }
      ? boolean
      : string
}

type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; env?: string }

function fromEnv(
  values: Values,
  env: Record<string, string | undefined>,
  options: Record<string, OptionSpec> = OPTIONS
): Values {
  const out: Record<string, unknown> = { ...values }
  for (const [name, spec] of Object.entries(options)) {
    if (out[name] !== undefined || !('env' in spec)) continue
    const raw = env[spec.env!]
    if (raw === undefined || raw === '') continue
    if (spec.type === 'boolean') out[name] = !/^(0|false|no|off)$/i.test(raw.trim())
    else
      out[name] =
        'multiple' in spec
          ? raw
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : raw
  }
  return out as Values
}

function integer(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${raw}'`)
  return n
}

/** `selftest` needs the Tenant URL (http or https) and one token to send. */
function checkSelftest(config: Config): void {
  if (config.url === undefined)
    throw new UsageError(
      'selftest needs --url, the Tenant URL as given to Entra (e.g. https://scim.example.com/scim/v2)'
    )
  let scheme: string
  try {
    scheme = new URL(config.url).protocol
  } catch {
    throw new UsageError(`--url must be an absolute http:// or https:// URL, got '${config.url}'`)
  }
  if (scheme !== 'http:' && scheme !== 'https:')
    throw new UsageError(`--url must be an http:// or https:// URL, got '${config.url}'`)
  if (config.tokens.length !== 1)
    throw new UsageError('selftest needs exactly one --token, the Secret Token as given to Entra')
}

function oneOf<T extends string>(raw: string | undefined, name: string, allowed: readonly T[]): T | undefined {
  if (raw === undefined) return undefined
  if (!(allowed as readonly string[]).includes(raw))
    throw new UsageError(`--${name} must be ${allowed.join(', ')}, got '${raw}'`)
  return raw as T
}

/** `PORT`, `HOST:PORT` or `[IPv6]:PORT`; a bare port binds loopback, since the listener has no token check. */
function listenAddress(raw: string | undefined): Config['metricsListen'] {
  if (raw === undefined) return undefined
  const m = /^(?:(\[[0-9A-Fa-f:.]+\]|[^:\s]+):)?(\d+)$/.exec(raw.trim())
  if (!m) throw new UsageError(`--metrics-listen must be PORT or HOST:PORT, got '${raw}'`)
  const host = m[1] === undefined ? '127.0.0.1' : m[1].replace(/^\[(.*)\]$/, '$1')
  return { host, port: integer(m[2], 'metrics-listen', 0, 0, 65535) }
}

/** `--allow-from` values (repeated or comma-separated) as one list without repeats; serve's and `tenant set`'s. */
export function allowFromOf(raw: readonly string[] | undefined): string[] {
  const ranges = (raw ?? [])
    .flatMap((r) => r.split(','))
    .map((r) => r.trim())
    .filter(Boolean)
  for (const range of ranges) {
    const problem = rangeProblem(range)
    if (problem) throw new UsageError(`--allow-from: ${problem}`)
  }
  // An empty list would let no address in: the tenant locked out by a stray comma.
  if (raw !== undefined && ranges.length === 0)
    throw new UsageError(
      '--allow-from needs an address or CIDR block (to let any address in, leave it out or --unset it)'
    )
  return [...new Set(ranges)]
}

function baseUrlOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined
  const problem = baseUrlProblem(raw)
  if (problem) throw new UsageError(`--base-url ${problem}`)
  return raw
}

function retentionOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const days = parseRetention(raw)
  if (days === undefined)
    throw new UsageError(`--journal-retention must be a number of days such as 400d, got '${raw}'`)
  return days
}

/** The limit flags as parseArgs options, with their environment variables: `journal restore` takes them too. */
export const LIMIT_OPTIONS: Record<string, OptionSpec> = Object.fromEntries(
  Object.values(LIMIT_SETTINGS).map((s) => [s.flag, OPTIONS[s.flag as keyof typeof OPTIONS]])
)

/** The limits parsed `flags` (keyed by flag name) or their environment variables give, checked as serve checks them. */
export function limitsFrom(flags: Record<string, unknown>, env: Record<string, string | undefined>): Limits {
  return limitsOf(fromEnv(flags as Values, env, LIMIT_OPTIONS))
}

function limitsOf(values: Values): Limits {
  const out = {} as Limits
  for (const [name, s] of Object.entries(LIMIT_SETTINGS) as [LimitName, (typeof LIMIT_SETTINGS)[LimitName]][]) {
    out[name] = integer(values[s.flag as keyof Values] as string | undefined, s.flag, s.default, s.min, s.max)
  }
  return out
}

export function parseCommandLine(argv: readonly string[], env: Record<string, string | undefined>): Config {
  let parsed
  try {
    // serve keeps the last of a repeated flag (a wrapper's defaults overridden); the data commands refuse it.
    parsed = parseFlags(
      { args: [...argv], options: OPTIONS as never, allowPositionals: true, strict: true },
      { lastWins: true }
    )
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (see --help)`)
  }
  const values = fromEnv(parsed.values as Values, env)
  const [command = 'serve', ...extra] = parsed.positionals
  if (!COMMANDS.has(command)) throw new UsageError(`unknown command '${command}' (see --help)`)
  const repeated = command === 'serve' ? undefined : repeatedFlag(parsed, OPTIONS)
  if (repeated !== undefined) throw new UsageError(`--${repeated} is given twice; give it once (see --help)`)
  const takesFile = FILE_COMMANDS.has(command)
  if (takesFile && extra.length === 0) throw new UsageError(`${command} needs a FILE (see --help)`)
  if (extra.length > (takesFile ? 1 : 0))
    throw new UsageError(`unexpected argument '${extra[takesFile ? 1 : 0]}' (see --help)`)
  if (values.format !== undefined && values.format !== 'jsonl')
    throw new UsageError(`--format must be jsonl, got '${values.format}'`)
  const durability = values.durability ?? 'full'
  if (!isDurability(durability)) throw new UsageError(`--durability ${durabilityProblem(durability)}`)
  const tokens = values.token ?? []
  const token = tokens.map(tokenProblem).find((problem) => problem !== undefined)
  if (token) throw new UsageError(`--token ${token}`)
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
    throw new UsageError('--tls-cert and --tls-key go together: give both PEM files')
  }
  const config: Config = {
    command: values.help ? 'help' : values.version ? 'version' : (command as Config['command']),
    file: takesFile ? extra[0] : undefined,
    out: values.out,
    port: integer(values.port, 'port', 8080, 0, 65535),
    host: values.host ?? '0.0.0.0',
    db: databasePath(values.db, undefined, (m) => new UsageError(m)),
    tokens,
    tlsCert: values['tls-cert'],
    tlsKey: values['tls-key'],
    baseUrl: baseUrlOf(values['base-url']),
    schemaPacks: values['schema-pack'] ?? [],
    userSchemas: values.schema ?? [],
    groupSchemas: values['group-schema'] ?? [],
    maxResults: integer(values['max-results'], 'max-results', 1000, 1, 100_000),
    durability,
    limits: limitsOf(values),
    logFormat: oneOf(values['log-format'], 'log-format', LOG_FORMATS),
    logLevel: oneOf(values['log-level'], 'log-level', LOG_LEVELS) ?? (values.debug ? 'debug' : 'info'),
    metricsListen: listenAddress(values['metrics-listen']),
    rateLimit: integer(values['rate-limit'], 'rate-limit', 0, 0, 1_000_000),
    allowFrom: allowFromOf(values['allow-from']),
    journalRetentionDays: retentionOf(values['journal-retention']),
    url: values.url,
    insecure: values.insecure ?? false,
  }
  if (config.command === 'selftest') checkSelftest(config)
  if (config.command === 'serve' && config.port === 443 && !config.tlsCert) {
    throw new UsageError(
      'port 443 is for HTTPS, and Entra ID only provisions over HTTPS: give --tls-cert cert.pem --tls-key key.pem (a certificate from a public CA for this host name)'
    )
  }
  return config
}
