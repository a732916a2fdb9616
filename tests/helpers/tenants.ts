// Named tenants in an in-process test server: add one (row and token), and ask as its token.
import { issueToken } from '../../src/cli/token-store'
import { insertTenant } from '../../src/tenants/rows'
import type { TenantSettings } from '../../src/tenants/config'
import { ENTRA_CONTENT_TYPE, type TestApp } from './app'

export interface TestTenant {
  name: string
  token: string
  /** `path` starts with /scim/v2; it is sent under /tenants/NAME with this tenant's token unless overridden. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>
}

/** A request as `token` to exactly `path` (a tenant prefix included or not). */
export function requestAs(app: TestApp, token: string, method: string, path: string, body?: unknown) {
  return app.request(method, path, body, { authorization: `Bearer ${token}` })
}

export function addTenant(
  app: TestApp,
  name: string,
  { packs = [], settings = {} }: { packs?: string[]; settings?: TenantSettings } = {}
): TestTenant {
  insertTenant(app.server.sqlite, { name, packs, schemas: [], settings })
  const token = issueToken(app.server.sqlite, false, name)
  app.server.tenantsChanged()
  return {
    name,
    token,
    request: (method, path, body, headers = {}) =>
      app.request(method, `/tenants/${name}${path}`, body, {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': ENTRA_CONTENT_TYPE } : {}),
        ...headers,
      }),
  }
}
