// What a tenants row holds, read back from its JSON columns, and the services it describes.
import { buildRegistry } from '../scim/schema/builtin'
import { loadPack } from '../scim/schema/pack'
import type { Registry } from '../scim/schema/registry'
import type { SchemaDocument } from '../scim/schema/types'
import { DEFAULT_TENANT } from './name'

/** An admin schema document (`--schema`, `--group-schema`) and the resource type it extends. */
export interface TenantSchema {
  target: 'User' | 'Group'
  schema: SchemaDocument
}

/** Settings a tenant may set; each one absent takes the server's flag. */
export interface TenantSettings {
  /** Largest page a list returns. */
  maxResults?: number
  /** Page size when a list asks for none. */
  defaultCount?: number
  /** Requests per second per token (0: none); overrides --rate-limit for this tenant's tokens. */
  rateLimit?: number
  /** Refuse IdP PATCH deviations (src/scim/compat) instead of accepting them; off by default, as Entra needs them. */
  strictPatch?: boolean
  /** RFC 8935 receivers the tenant's change events are pushed to (src/events/push-manager.ts reads them). */
  pushUrls?: string[]
  /** Addresses and CIDR blocks the tenant's tokens are honoured from (src/auth/address-ranges.ts); absent: any. */
  allowFrom?: string[]
}

type NumericSetting = Exclude<keyof TenantSettings, 'strictPatch' | 'pushUrls' | 'allowFrom'>

export interface TenantConfig {
  name: string
  packs: string[]
  schemas: TenantSchema[]
  settings: TenantSettings
  created: string
  /** Which life of the name this is: random, new whenever the tenant is added (store/tables.ts tenants). */
  generation: string
}

/** What an admin gives for a tenant: everything but what the store writes when it adds the row. */
export type NewTenant = Omit<TenantConfig, 'created' | 'generation'>

/** A tenant's generation when it is added: random, so no later tenant of the name meets it. */
export function newGeneration(): string {
  return crypto.randomUUID()
}

/** The settings `tenant set` accepts, with their bounds (the same as the serve flags'). */
export const SETTING_BOUNDS: Readonly<Record<NumericSetting, { min: number; max: number }>> = {
  maxResults: { min: 1, max: 100_000 },
  defaultCount: { min: 0, max: 100_000 },
  rateLimit: { min: 0, max: 1_000_000 },
}

export interface TenantRow {
  name: string
  packs: string
  schemas: string
  settings: string
  created: string
  generation: string
}

/** A row as stored; a column that is not the JSON it should be reads as empty rather than failing every request. */
export function configOf(row: TenantRow): TenantConfig {
  const parse = <T>(text: string, fallback: T, ok: (v: unknown) => boolean): T => {
    try {
      const value = JSON.parse(text) as unknown
      return ok(value) ? (value as T) : fallback
    } catch {
      return fallback
    }
  }
  const settings = parse<Record<string, unknown>>(row.settings, {}, (v) => typeof v === 'object' && v !== null)
  const known: TenantSettings = {}
  for (const key of Object.keys(SETTING_BOUNDS) as NumericSetting[]) {
    const value = settings[key]
    if (typeof value === 'number' && Number.isInteger(value)) known[key] = value
  }
  if (settings.strictPatch === true) known.strictPatch = true
  const push = settings.pushUrls
  if (Array.isArray(push) && push.every((u) => typeof u === 'string')) known.pushUrls = push as string[]
  // Kept whatever it holds, to fail closed: a list the registry cannot read serves nobody (registry.ts).
  const allow = settings.allowFrom
  if (allow !== undefined) known.allowFrom = Array.isArray(allow) ? allow.map(String) : [String(allow)]
  return {
    name: row.name,
    packs: parse<string[]>(row.packs, [], Array.isArray),
    schemas: parse<TenantSchema[]>(row.schemas, [], Array.isArray),
    settings: known,
    created: row.created,
    generation: row.generation,
  }
}

/** serve's --schema-pack, --schema and --group-schema: the default tenant's before its row's own. */
export interface ServeSchemas {
  packs: readonly string[]
  schemas: readonly TenantSchema[]
}

/**
 * The packs and documents tenant `config` is served with: a named tenant's are its row's alone,
 * the default tenant's are serve's flags and then its row's (a row document replacing the flag's of its id). The server and `journal restore`
 * both read them here, so a restore validates as the server does (uniqueness included).
 */
export function servedSchemas(
  config: Pick<TenantConfig, 'name' | 'packs' | 'schemas'>,
  serve: ServeSchemas
): { packs: string[]; schemas: TenantSchema[] } {
  if (config.name !== DEFAULT_TENANT) return { packs: config.packs, schemas: config.schemas }
  // The row's document of an id replaces the flag's, as its settings replace the flags': two of
  // one id do not load, and `tenant set default --schema F` cannot know serve was given F too.
  const own = new Set(config.schemas.map((s) => s.schema.id))
  return {
    packs: [...new Set([...serve.packs, ...config.packs])],
    schemas: [...serve.schemas.filter((s) => !own.has(s.schema.id)), ...config.schemas],
  }
}

/**
 * The tenant's registry: built-ins, its packs, its schema documents, the same way `serve` builds
 * one from its flags, so a pack or document `serve` would refuse throws here too.
 */
export function registryOf(packs: readonly string[], schemas: readonly TenantSchema[]): Registry {
  return buildRegistry({
    packs: packs.map(loadPack),
    extensions: schemas.map(({ target, schema }) => ({ schema, resourceType: target })),
  })
}
