// Named tenants in an in-process test server: add one (row and token), and ask as its token.
import { validTokenRecord } from '../../src/auth/token-admin'
import { generateToken, hashToken } from '../../src/auth/tokens'
import { issueToken } from '../../src/cli/token-store'
import type { TenantSettings } from '../../src/tenants/config'
import { insertTenant } from '../../src/tenants/rows'
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
  // Known before the rows are written (on PostgreSQL they are, once the server is up).
  let token = generateToken()
  app.setup(async (a) => {
    if (!a.pg) {
      insertTenant(a.server.sqlite, { name, packs, schemas: [], settings })
      token = issueToken(a.server.sqlite, false, name)
      a.server.tenantsChanged()
      return
    }
    // The rows `tenant add` and `token` write on PostgreSQL, with a token known before they are.
    const now = new Date()
    const record = validTokenRecord({ tenant: name }, now)
    await a.pg.sql`INSERT INTO tenants (name, packs, schemas, settings, created)
      VALUES (${name}, ${JSON.stringify(packs)}, '[]', ${JSON.stringify(settings)}, ${now.toISOString()})`
    await a.pg.sql`INSERT INTO tokens (id, tenant, label, scope, hash, created, expires)
      VALUES (${record.id}, ${name}, ${record.label}, ${record.scope}, ${hashToken(token).toString('hex')},
        ${now.toISOString()}, ${record.expires})`
    await a.pg.tenantsChanged()
  })
  return {
    name,
    get token() {
      return token
    },
    request: (method, path, body, headers = {}) =>
      app.request(method, `/tenants/${name}${path}`, body, {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': ENTRA_CONTENT_TYPE } : {}),
        ...headers,
      }),
  }
}
