// A test app whose tokens are stored as `scim-server token` stores them: one of each scope.
import { issueTokenRecord } from '../../src/auth/token-admin'
import type { TokenScope } from '../../src/auth/token-registry'
import type { ServerOptions } from '../../src/server'
import { makeTestApp, type TestApp } from './app'

export interface ScopedApp extends TestApp {
  tokens: Record<TokenScope, string>
  /** Like `request` (which sends the provisioning token), with the token of `scope`. */
  as(
    scope: TokenScope,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>
  ): Promise<Response>
}

export function makeScopedApp(options: Partial<ServerOptions> = {}): ScopedApp {
  // No given tokens: the server reads the tokens table, as a served database file does.
  const t = makeTestApp({ ...options, tokenHashes: undefined })
  const db = t.server.sqlite
  const tokens = {
    provision: issueTokenRecord(db, { tenant: 'default', label: 'provisioner' }).token,
    read: issueTokenRecord(db, { tenant: 'default', label: 'reader', scope: 'read' }).token,
    metrics: issueTokenRecord(db, { tenant: 'default', label: 'prometheus', scope: 'metrics' }).token,
  }
  // Issued in this process: served at once, as `serve` does with the token it prints.
  t.server.tenantsChanged()
  const as: ScopedApp['as'] = (scope, method, path, body, headers = {}) =>
    t.request(method, path, body, { authorization: `Bearer ${tokens[scope]}`, ...headers })
  return {
    ...t,
    tokens,
    as,
    request: (method, path, body, headers) => as('provision', method, path, body, headers),
  }
}
