// The admin console's controller at /admin: sign-in, pages, journal, tokens and the embedded assets.
import type { Database } from 'bun:sqlite'
import { Elysia } from 'elysia'
import type { ServiceDeps } from '../service/context'
import type { AdminStore } from './admin-store'
import { CONSOLE_CSS, CONSOLE_ICON, CONSOLE_JS } from './assets'
import { type ConsoleData, sqliteConsoleData } from './console-store'
import { journalRoutes } from './journal-routes'
import type { LiveStreams } from './live-streams'
import { pageRoutes } from './page-routes'
import { CONSOLE_PREFIX } from './paths'
import { assetResponse } from './respond'
import { ConsoleSessions } from './sessions'
import { type SignInPolicy, signInRoutes } from './sign-in-routes'
import { tenantRoutes } from './tenant-routes'
import { tokenRoutes } from './token-routes'

export interface ConsoleOptions {
  admins: AdminStore
  /** The server's SQLite database: its journal (history, journal page, live updates), tokens and tenants tables. */
  db?: Database
  /** Those on another database (PostgreSQL: store-pg/console-data.ts), instead of `db`. */
  data?: ConsoleData
  /** A tenant's services, from the tenants registry; undefined for a tenant that does not exist. */
  depsFor: (tenant: string) => ServiceDeps | undefined
  apiBase: (tenant: string, request: Request) => string
  /** After the console added a tenant or issued or revoked a token: served (or refused) from the next request. */
  tenantsChanged?: () => void | Promise<void>
  /** Aborted when the server stops, which ends open live streams. */
  closing?: AbortSignal
  /** Where open live streams are counted (for /metrics). */
  liveStreams?: LiveStreams
  /** The end of the certificate new HTTPS connections get (the dashboard shows it); undefined without HTTPS. */
  certificateEnd?: () => Date | undefined
  now?: () => number
  sessionTtlMs?: number
  signInPolicy?: SignInPolicy
}

/**
 * Every route here is open to the SCIM token check (the app passes them as open paths) and
 * guarded instead by the console's own session check (sessions.ts): a bearer token opens no
 * console page, and a console cookie opens no SCIM endpoint. All paths are static (a resource is
 * `/admin/user?id=…`, another tenant's `/admin/user?tenant=NAME&id=…`), so the app's set of open
 * paths names each of them exactly.
 */
export function consoleRoutes(options: ConsoleOptions) {
  const now = options.now ?? Date.now
  const sessions = new ConsoleSessions(options.admins, now, options.sessionTtlMs)
  const secure = (request: Request) => options.apiBase('default', request).startsWith('https:')
  const data = options.data ?? (options.db && sqliteConsoleData(options.db))
  if (!data) throw new Error('the console needs its database: db or data')
  const tenantNames = async () => (await data.tenants.rows()).map((row) => row.name)
  const gate = { sessions, depsFor: options.depsFor, apiBase: options.apiBase, tenantNames }
  const tenantsChanged = options.tenantsChanged ?? (() => {})
  const journal = data.journal
  return new Elysia({ prefix: CONSOLE_PREFIX })
    .get('/console.css', () => assetResponse(CONSOLE_CSS, 'text/css'))
    .get('/console.js', () => assetResponse(CONSOLE_JS, 'text/javascript'))
    .get('/icon.svg', () => assetResponse(CONSOLE_ICON, 'image/svg+xml'))
    .use(signInRoutes({ admins: options.admins, sessions, secure, now, policy: options.signInPolicy }))
    .use(pageRoutes({ ...gate, journal, now, certificateEnd: options.certificateEnd }))
    .use(journalRoutes({ ...gate, journal, closing: options.closing, streams: options.liveStreams }))
    .use(tokenRoutes({ ...gate, tokens: data.tokens, now, tokensChanged: tenantsChanged }))
    .use(tenantRoutes({ ...gate, tenants: data.tenants, tenantsChanged }))
}
