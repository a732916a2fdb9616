// A test app whose tokens are stored as `scim-server token` stores them: one of each scope.
import { issueTokenRecord } from '../../src/auth/token-admin'
import type { TokenScope } from '../../src/auth/token-registry'
import type { ServerOptions } from '../../src/server'
import { pgIssueToken } from '../../src/store-pg/tokens'
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

const LABELS: Record<TokenScope, string> = { provision: 'provisioner', read: 'reader', metrics: 'prometheus' }

export function makeScopedApp(options: Partial<ServerOptions> = {}): ScopedApp {
  const tokens = {} as Record<TokenScope, string>
  // No given tokens: the server reads the tokens table, as a served database does.
  const t = makeTestApp({ ...options, tokenHashes: undefined }, async (app) => {
    for (const scope of Object.keys(LABELS) as TokenScope[]) {
      const options = { tenant: 'default', label: LABELS[scope], scope }
      if (!app.pg) {
        tokens[scope] = issueTokenRecord(app.server.sqlite, options).token
        continue
      }
      tokens[scope] = (await pgIssueToken(app.pg.sql, options)).token
    }
    // Issued in this process: served at once, as `serve` does with the token it prints.
    if (app.pg) await app.pg.tenantsChanged()
    else app.server.tenantsChanged()
  })
  // On PostgreSQL the tokens exist once the server is up: read them after that.
  const as: ScopedApp['as'] = async (scope, method, path, body, headers = {}) => {
    await t.ready
    return t.request(method, path, body, { authorization: `Bearer ${tokens[scope]}`, ...headers })
  }
  // Not a spread: on PostgreSQL `server` is a getter that throws until the server is up.
  return {
    get server() {
      return t.server
    },
    get pg() {
      return t.pg
    },
    get ready() {
      return t.ready
    },
    setup: t.setup,
    handle: t.handle,
    journal: t.journal,
    tokens,
    as,
    request: (method, path, body, headers) => as('provision', method, path, body, headers),
  }
}
