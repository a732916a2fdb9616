// Command line and environment → a settled Config (flag, then environment twin, then default).
import { parseArgs } from 'node:util'
import { LIMIT_SETTINGS, type LimitName, type Limits } from '../scim/limits'

export interface Config {
  command: 'serve' | 'token' | 'help' | 'version'
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
  /** `token --reset`: forget stored tokens before issuing a new one. */
  reset: boolean
}

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
  reset: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const

const L = LIMIT_SETTINGS

export const USAGE = `scim-server: a SCIM 2.0 server for Microsoft Entra ID provisioning, with embedded storage

Usage:
  scim-server [serve] [flags]     run the server (default)
  scim-server token [--reset]     issue a new secret token for --db (--reset revokes the others)
  scim-server --help | --version

Flags (each has an environment twin):
  --port N             SCIM_PORT          listen port (default 8080)
  --host ADDR          SCIM_HOST          listen address (default 0.0.0.0: all interfaces, Entra must reach it)
  --db PATH            SCIM_DB            SQLite database file (default ./scim.db; :memory: for a throwaway one)
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

Limits (a request over one gets a SCIM Error that names it; the last two are budgets):
  --max-request-bytes N  SCIM_MAX_REQUEST_BYTES  largest request body (default ${L.maxRequestBytes.default}; 413)
  --max-depth N          SCIM_MAX_DEPTH          deepest nesting in a request body (default ${L.maxDepth.default}; 400 invalidSyntax)
  --max-document-bytes N SCIM_MAX_DOCUMENT_BYTES largest stored resource after a write (default ${L.maxDocumentBytes.default}; 413)
  --max-response-bytes N SCIM_MAX_RESPONSE_BYTES byte budget of a list page; a fuller page ends early
                                                 and the client pages on (default ${L.maxResponseBytes.default})
  --cache-bytes N        SCIM_CACHE_BYTES        byte budget of the lookup cache (default ${L.cacheBytes.default})
`

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : (typeof OPTIONS)[K] extends { type: 'boolean' } ? boolean : string }

function fromEnv(values: Values, env: Record<string, string | undefined>): Values {
  const out: Record<string, unknown> = { ...values }
  for (const [name, spec] of Object.entries(OPTIONS)) {
    if (out[name] !== undefined || !('env' in spec)) continue
    const raw = env[spec.env]
    if (raw === undefined || raw === '') continue
    out[name] = 'multiple' in spec ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw
  }
  return out as Values
}

function integer(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${raw}'`)
  return n
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
    parsed = parseArgs({ args: [...argv], options: OPTIONS as never, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (see --help)`)
  }
  const values = fromEnv(parsed.values as Values, env)
  const [command = 'serve', ...extra] = parsed.positionals
  if (command !== 'serve' && command !== 'token') throw new UsageError(`unknown command '${command}' (see --help)`)
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}' (see --help)`)
  const durability = values.durability ?? 'full'
  if (durability !== 'full' && durability !== 'normal') throw new UsageError(`--durability must be full or normal, got '${durability}'`)
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
    throw new UsageError('--tls-cert and --tls-key go together: give both PEM files')
  }
  const config: Config = {
    command: values.help ? 'help' : values.version ? 'version' : command,
    port: integer(values.port, 'port', 8080, 0, 65535),
    host: values.host ?? '0.0.0.0',
    db: values.db ?? './scim.db',
    tokens: values.token ?? [],
    tlsCert: values['tls-cert'],
    tlsKey: values['tls-key'],
    baseUrl: values['base-url'],
    schemaPacks: values['schema-pack'] ?? [],
    userSchemas: values.schema ?? [],
    groupSchemas: values['group-schema'] ?? [],
    maxResults: integer(values['max-results'], 'max-results', 1000, 1, 100_000),
    durability,
    limits: limitsOf(values),
    reset: values.reset ?? false,
  }
  if (config.command === 'serve' && config.port === 443 && !config.tlsCert) {
    throw new UsageError(
      'port 443 is for HTTPS, and Entra ID only provisions over HTTPS: give --tls-cert cert.pem --tls-key key.pem (a certificate from a public CA for this host name)'
    )
  }
  return config
}
