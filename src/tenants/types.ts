// What the HTTP layer asks of the tenants: one tenant's services, found by name per request.
import type { AddressRanges } from '../auth/address-ranges'
import type { ServiceDeps } from '../service/context'
import type { FilterCache } from '../service/filter-cache'

/** Everything that serves one tenant: its store, registry and settings, and its parsed filters. */
export interface TenantServices {
  readonly name: string
  /** Which life of the name these serve (tenants.generation); undefined for the default tenant without its row. */
  readonly generation: string | undefined
  readonly deps: ServiceDeps
  readonly filters: FilterCache
  /** Requests per second per token of this tenant; 0: no limit. */
  readonly rateLimit: number
  /** Where the tenant's tokens are honoured from (--allow-from); undefined: any address. */
  readonly allowFrom?: AddressRanges
}

export interface TenantSource {
  /**
   * The tenant's services, or undefined when no such tenant exists (now). With `generation` (the
   * one the request's token was read with), undefined too when the tenant of that name now is
   * another life of it: removed and added again since.
   */
  get(name: string, generation?: string): TenantServices | undefined
}
