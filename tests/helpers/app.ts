// In-process test server: a fresh database per call (SQLite in memory, or PostgreSQL under SCIM_TEST_STORE=pg), driven through app.handle().
import { hashToken } from '../../src/auth/tokens'
import type { JournalEntry } from '../../src/journal/types'
import { createScimServer, type ScimServer, type ServerOptions } from '../../src/server'
import type { PgScimServer } from '../../src/server-pg'
import { pgJournalAfter } from '../../src/store-pg/journal-read'
import { startPgApp } from './pg-app'
import { ON_PG } from './test-store'

export const TEST_TOKEN = 'test-token'
export const ENTRA_CONTENT_TYPE = 'application/scim+json; charset=utf-8'

export interface TestApp {
  /**
   * The server. On PostgreSQL it starts in the background: available once `ready` (or any
   * request) has resolved; `sqlite` and `journal` are SQLite's and throw there.
   */
  server: ScimServer
  /** The PostgreSQL server under `server` (undefined on SQLite). */
  pg?: PgScimServer
  /** Resolves once the server is up and every `setup` has run (at once on SQLite). */
  ready: Promise<void>
  /** Runs `fn` once the server is up, before any later request (at once on SQLite). */
  setup(fn: AppSetup): void
  /** `app.handle(request)`, after `ready`. */
  handle(request: Request): Promise<Response>
  /** `path` includes /scim/v2; adds the valid token and Entra's content type unless overridden. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>
  /** The tenant's journal entries after `afterSeq`, read from whichever store serves. */
  journal(tenant: string, afterSeq: number, limit: number): Promise<JournalEntry[]>
}

/** Work on the server once it is up, before later requests: how tests add tokens and tenants, or replace a dependency. */
export type AppSetup = (app: TestApp) => void | Promise<void>

export function makeTestApp(options: Partial<ServerOptions> = {}, setup?: AppSetup): TestApp {
  const opts = { db: ':memory:', tokenHashes: [hashToken(TEST_TOKEN)], ...options }
  let server: ScimServer | undefined
  const app: TestApp = {
    get server(): ScimServer {
      if (!server) throw new Error('the PostgreSQL test server is still starting: await t.ready first')
      return server
    },
    pg: undefined,
    ready: Promise.resolve(),
    setup(fn) {
      if (!ON_PG) {
        const done = fn(app)
        if (done) app.ready = app.ready.then(() => done)
        return
      }
      app.ready = app.ready.then(() => fn(app))
      // A test that never awaits the app must not see an unhandled rejection before it does.
      app.ready.catch(() => {})
    },
    async handle(request) {
      await app.ready
      return app.server.app.handle(request)
    },
    request(method, path, body, headers = {}) {
      const init: RequestInit = {
        method,
        headers: {
          authorization: `Bearer ${TEST_TOKEN}`,
          ...(body !== undefined ? { 'content-type': ENTRA_CONTENT_TYPE } : {}),
          ...headers,
        },
      }
      if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body)
      return app.handle(new Request(`http://localhost${path}`, init))
    },
    async journal(tenant, afterSeq, limit) {
      await app.ready
      return app.pg
        ? pgJournalAfter(app.pg.sql, tenant, afterSeq, limit)
        : app.server.journal.after(tenant, afterSeq, limit)
    },
  }
  if (!ON_PG) server = createScimServer(opts)
  else
    app.ready = startPgApp(opts).then((pg) => {
      app.pg = pg
      server = pgFacade(pg)
    })
  if (setup) app.setup(setup)
  return app
}

/** The PostgreSQL server in ScimServer's shape; what only SQLite has throws, naming the test mark. */
function pgFacade(pg: PgScimServer): ScimServer {
  const sqliteOnly = (what: string) => () => {
    throw new Error(
      `${what} is SQLite's: mark the test sqliteOnly (tests/helpers/test-store.ts) or read it another way`
    )
  }
  return {
    app: pg.app,
    store: pg.store,
    deps: pg.deps,
    tenants: pg.tenants,
    tenantsChanged: () => void pg.tenantsChanged(),
    metrics: pg.metrics,
    endWaits: pg.endWaits,
    get sqlite(): never {
      return sqliteOnly('server.sqlite')() as never
    },
    get journal(): never {
      return sqliteOnly('server.journal (use t.journal())')() as never
    },
  }
}
