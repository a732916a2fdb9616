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

/**
 * Routes close over this instead of one tenant's services. A tenant removed after its token
 * passed auth (within the second the token list takes to follow) is a 404, as any unknown resource.
 */
export function servedBy(tenants: TenantSource): ServedBy {
  return (request) => {
    const name = contextOf(request)?.tenant ?? DEFAULT_TENANT
    const services = tenants.get(name)
    if (!services) throw ScimError.notFound(`no tenant is called ${name}`)
    return { ...services, base: baseOf(request, services.deps.settings.baseUrl, tenantPrefix(name)) }
  }
}
