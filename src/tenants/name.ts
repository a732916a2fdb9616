// Tenant names: what may follow /tenants/ in a Tenant URL, and the name of the one at /scim/v2.

/** The tenant served at /scim/v2, which every database has (migration 0003 inserts it). */
export const DEFAULT_TENANT = 'default'

/** A DNS label's alphabet in lower case, so a name fits a URL path, a host name and a file name unescaped. */
export const TENANT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/

export function isTenantName(name: string): boolean {
  return TENANT_NAME.test(name)
}

/** Where the SCIM API of the default tenant lives; the Tenant URL an admin pastes into Entra ends with it. */
export const API_PREFIX = '/scim/v2'

/** What every named tenant's paths start with, exactly so spelled. */
export const TENANTS_PREFIX = '/tenants/'

/** How the router sees a named tenant's API: its routes are mounted under this, the name a parameter. */
export const TENANT_API_ROUTE = `${TENANTS_PREFIX}:tenant${API_PREFIX}`

/** The path of a tenant's SCIM API: /scim/v2 for the default one, /tenants/NAME/scim/v2 for the others. */
export function tenantPrefix(name: string): string {
  return name === DEFAULT_TENANT ? API_PREFIX : `${TENANTS_PREFIX}${name}${API_PREFIX}`
}
