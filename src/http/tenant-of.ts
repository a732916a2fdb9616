// The tenant a request addresses (the front door put its name into the context), with its services and API base.
import { ScimError } from '../scim/errors'
import { DEFAULT_TENANT, tenantPrefix } from '../tenants/name'
import type { TenantServices, TenantSource } from '../tenants/types'
import { contextOf } from './request-context'
import { baseOf } from './request-info'

export interface Served extends TenantServices {
  /** The tenant's API base for meta.location and Location: its --base-url, else this request's origin. */
  base: string
}

export type ServedBy = (request: Request) => Served

/** The services of the tenant `request` addresses, looked up once and kept in its context. */
export function servicesOf(tenants: TenantSource, request: Request): TenantServices | undefined {
  const ctx = contextOf(request)
  if (!ctx) return tenants.get(DEFAULT_TENANT)
  // The life of the tenant the token belongs to: one added again under the name is not it.
  ctx.services ??= tenants.get(ctx.tenant, ctx.token?.generation)
  return ctx.services
}

/**
 * Routes close over this instead of one tenant's services. A tenant removed after its token
 * passed auth (within the second the token list takes to follow) is a 404, as any unknown resource.
 */
export function servedBy(tenants: TenantSource): ServedBy {
  // One Served per tenant and base, made once: a spread and a concatenation on every request
  // were ~0.4 µs of a cached read. Bases come from the Host header, which any client chooses,
  // so each tenant keeps a few and starts over past that.
  const made = new WeakMap<TenantServices, Map<string, Served>>()
  return (request) => {
    const name = contextOf(request)?.tenant ?? DEFAULT_TENANT
    const services = servicesOf(tenants, request)
    if (!services) throw ScimError.notFound(`no tenant is called ${name}`)
    const base = baseOf(request, services.deps.settings.baseUrl, tenantPrefix(name))
    let bases = made.get(services)
    if (!bases) made.set(services, (bases = new Map()))
    let served = bases.get(base)
    if (!served) {
      if (bases.size >= MAX_BASES) bases.clear()
      served = { ...services, base }
      bases.set(base, served)
    }
    return served
  }
}

const MAX_BASES = 16
