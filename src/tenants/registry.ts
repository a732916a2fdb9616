// TenantRegistry: each tenant's services (store, schemas, settings, filters), built on first use, following the tenants table.
import { type AddressRanges, addressRanges } from '../auth/address-ranges'
import { newResourceId } from '../scim/resource-id'
import { ScimError } from '../scim/errors'
import type { Limits } from '../scim/limits'
import type { EventService } from '../events/types'
import type { ResourceStore, ServiceDeps } from '../service/context'
import { FilterPool } from '../service/filter-cache'
import { configOf, registryOf, servedSchemas, type TenantConfig, type TenantRow, type TenantSchema } from './config'
import { API_PREFIX, DEFAULT_TENANT, tenantPrefix } from './name'
import type { TenantServices, TenantSource } from './types'

/** How often the tenants table is read again: another process's `tenant add/set/remove` shows within a second. */
const REFRESH_MS = 250

/** What the server's flags give every tenant unless its row says otherwise, and the default tenant's schemas. */
export interface TenantDefaults {
  /** The default tenant's absolute API base (--base-url); named tenants' bases are derived from it. */
  baseUrl?: string
  maxResults: number
  defaultCount: number
  cursorTimeout: number
  rateLimit: number
  /** `serve --allow-from`: where every tenant's tokens are honoured from unless its row says otherwise. */
  allowFrom?: readonly string[]
  limits: Limits
  /** Change events of every tenant (one service reads the database's journal for all). */
  events?: EventService
  /** Schema packs and documents of the default tenant, from `serve`'s flags, before its row's own. */
  packs: readonly string[]
  schemas: readonly TenantSchema[]
}

/** Where the tenants' rows and stores come from: SQLite (tenants/sqlite-stores.ts) or PostgreSQL (store-pg/tenant-stores.ts). */
export interface TenantStores {
  /** The tenants table as it stands (SQLite reads it at once; PostgreSQL answers its last background read). */
  readRows(): readonly TenantRow[]
  /**
   * A new store for one tenant: every query scoped to it, the connection and caches shared by all
   * tenants. `generation` (undefined: the default tenant without its row) scopes what the store
   * caches, so a tenant added again under the name never meets the removed one's entries.
   */
  storeFor(name: string, generation: string | undefined): ResourceStore
}

export interface TenantRegistryOptions {
  stores: TenantStores
  defaults: TenantDefaults
  refreshMs?: number
  now?: () => number
}

/**
 * The tenant's --allow-from ranges; undefined: any address. A stored list that does not parse
 * (written by hand, or by a newer build) lets no address in rather than every one.
 */
function allowedFrom(ranges: readonly string[] | undefined, source: string): AddressRanges | undefined {
  if (ranges === undefined) return undefined
  try {
    return { ...addressRanges(ranges), source }
  } catch {
    return { ranges, source, allows: () => false }
  }
}

/** `--base-url https://h/scim/v2` → `https://h/tenants/NAME/scim/v2`; undefined: from each request's origin. */
export function tenantBaseUrl(baseUrl: string | undefined, name: string): string | undefined {
  if (!baseUrl) return undefined
  const root = baseUrl.endsWith(API_PREFIX) ? baseUrl.slice(0, -API_PREFIX.length) : baseUrl
  return root + tenantPrefix(name)
}

/**
 * Maps a tenant name to its services. Each tenant gets its own store (every query scoped to it),
 * registry, settings and a view of the one filter cache; all share what `stores` shares (SQLite: the connection,
 * its write queue and one lookup cache). The rows are read again at most every `refreshMs`; a tenant whose row changed is
 * rebuilt on its next request, one that was removed is gone.
 */
export class TenantRegistry implements TenantSource {
  private rows = new Map<string, string>()
  private readonly built = new Map<string, { row: string; services: TenantServices }>()
  private readAt = -Infinity
  private lastRead: readonly TenantRow[] | undefined
  private readonly refreshMs: number
  private readonly now: () => number
  /** The default tenant's store, built at start: /readyz, metrics and shutdown use it. */
  readonly defaultStore: ResourceStore
  /** Every tenant's parsed filters, under one byte budget (each tenant keys its own). */
  readonly filters: FilterPool

  constructor(private readonly options: TenantRegistryOptions) {
    this.refreshMs = options.refreshMs ?? REFRESH_MS
    this.now = options.now ?? (() => performance.now())
    this.filters = new FilterPool(options.defaults.limits.filterCacheBytes)
    this.defaultStore = this.require(DEFAULT_TENANT).deps.store
  }

  /** The default tenant's services: it always exists, with or without its row. */
  get default(): TenantServices {
    return this.require(DEFAULT_TENANT)
  }

  require(name: string): TenantServices {
    const services = this.get(name)
    if (!services) throw new Error(`no tenant ${name}`)
    return services
  }

  get(name: string, generation?: string): TenantServices | undefined {
    const services = this.current(name)
    if (generation === undefined || services?.generation === undefined || services.generation === generation)
      return services
    // The token was read after the rows were: read them again before refusing it.
    this.refresh(true)
    const again = this.current(name)
    return again?.generation === generation ? again : undefined
  }

  private current(name: string): TenantServices | undefined {
    this.refresh()
    const row = this.rows.get(name) ?? (name === DEFAULT_TENANT ? '' : undefined)
    if (row === undefined) return undefined
    const known = this.built.get(name)
    if (known && known.row === row) return known.services
    const services = this.build(name, row)
    this.built.set(name, { row, services })
    return services
  }

  /** Reads the tenants table again now (after this process changed it) instead of within refreshMs. */
  refresh(force = false): void {
    const now = this.now()
    if (!force && now - this.readAt < this.refreshMs) return
    this.readAt = now
    const read = this.options.stores.readRows()
    // A source that answers from a snapshot hands back the same array until it changes.
    if (read === this.lastRead) return
    this.lastRead = read
    const rows = new Map<string, string>()
    for (const row of read) rows.set(row.name, JSON.stringify(row))
    this.rows = rows
    for (const name of this.built.keys()) if (name !== DEFAULT_TENANT && !rows.has(name)) this.built.delete(name)
  }

  private build(name: string, rowText: string): TenantServices {
    const { defaults } = this.options
    const config: TenantConfig = rowText
      ? configOf(JSON.parse(rowText) as TenantRow)
      : { name, packs: [], schemas: [], settings: {}, created: '', generation: '' }
    const isDefault = name === DEFAULT_TENANT
    const { packs, schemas } = servedSchemas({ ...config, name }, defaults)
    let registry: ServiceDeps['registry']
    try {
      registry = registryOf(packs, schemas)
    } catch (err) {
      // Stored by a newer build, say: the tenant cannot be served, the others still are.
      throw new ScimError(503, `tenant ${name} cannot be served: its schemas do not load (${(err as Error).message})`)
    }
    const generation = rowText ? config.generation : undefined
    const store = this.options.stores.storeFor(name, generation)
    const deps: ServiceDeps = {
      store,
      registry,
      settings: {
        baseUrl: isDefault ? defaults.baseUrl : tenantBaseUrl(defaults.baseUrl, name),
        maxResults: config.settings.maxResults ?? defaults.maxResults,
        defaultCount: config.settings.defaultCount ?? defaults.defaultCount,
        cursorTimeout: defaults.cursorTimeout,
        limits: defaults.limits,
        strictPatch: config.settings.strictPatch,
      },
      now: () => new Date(),
      newId: newResourceId,
      events: defaults.events,
    }
    return {
      name,
      generation,
      deps,
      filters: this.filters.scope(name),
      rateLimit: config.settings.rateLimit ?? defaults.rateLimit,
      allowFrom:
        config.settings.allowFrom !== undefined
          ? allowedFrom(config.settings.allowFrom, `tenant ${name}'s --allow-from: scim-server tenant set ${name}`)
          : allowedFrom(defaults.allowFrom, "the server's --allow-from or SCIM_ALLOW_FROM"),
    }
  }
}
