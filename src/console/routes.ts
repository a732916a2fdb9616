// The admin console's controller at /admin: sign-in, pages, journal, tokens and the embedded assets.
import type { Database } from 'bun:sqlite'
import { Elysia } from 'elysia'
import { journalOf } from '../journal/journal'
import type { ServiceDeps } from '../service/context'
import { readTenants } from '../tenants/rows'
import type { AdminStore } from './admin-store'
import { CONSOLE_CSS, CONSOLE_ICON, CONSOLE_JS } from './assets'
import { journalData } from './journal-data'
import { journalRoutes } from './journal-routes'
import { pageRoutes } from './page-routes'
import { CONSOLE_PREFIX } from './paths'
import { assetResponse } from './respond'
import { ConsoleSessions } from './sessions'
import { type SignInPolicy, signInRoutes } from './sign-in-routes'
import { tenantRoutes } from './tenant-routes'
import { tokenRoutes } from './token-routes'

export interface ConsoleOptions {
  admins: AdminStore
  /** The server's database: its journal (history, journal page, live updates) and its tokens table. */
  db: Database
  /** A tenant's services, from the tenants registry; undefined for a tenant that does not exist. */
  depsFor: (tenant: string) => ServiceDeps | undefined
  apiBase: (tenant: string, request: Request) => string
  /** After the console added a tenant or issued or revoked a token: served (or refused) from the next request. */
  tenantsChanged?: () => void
  /** Aborted when the server stops, which ends open live streams. */
  closing?: AbortSignal
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
  const tenantNames = () => readTenants(options.db).map((row) => row.name)
  const gate = { sessions, depsFor: options.depsFor, apiBase: options.apiBase, tenantNames }
  const tenantsChanged = options.tenantsChanged ?? (() => {})
  const journal = journalData(options.db)
  return new Elysia({ prefix: CONSOLE_PREFIX })
    .get('/console.css', () => assetResponse(CONSOLE_CSS, 'text/css'))
    .get('/console.js', () => assetResponse(CONSOLE_JS, 'text/javascript'))
    .get('/icon.svg', () => assetResponse(CONSOLE_ICON, 'image/svg+xml'))
    .use(signInRoutes({ admins: options.admins, sessions, secure, now, policy: options.signInPolicy }))
    .use(pageRoutes({ ...gate, journal, now }))
    .use(
      journalRoutes({
        ...gate,
        db: options.db,
        journal,
        reader: journalOf(options.db).reader,
        closing: options.closing,
      })
    )
    .use(tokenRoutes({ ...gate, db: options.db, now, tokensChanged: tenantsChanged }))
    .use(tenantRoutes({ ...gate, db: options.db, tenantsChanged }))
}
