// An in-process app with the admin console on a controllable clock, over SQLite or PostgreSQL, and a browser-like client for it.
import type { Database } from 'bun:sqlite'
import { SQL } from 'bun'
import type { IssuedToken, IssueOptions } from '../../src/auth/token-admin'
import { fixedTokens } from '../../src/auth/token-registry'
import { hashToken } from '../../src/auth/tokens'
import { type AdminStore, createAdminStore } from '../../src/console/admin-store'
import { rememberClientAddress } from '../../src/http/client-address'
import { type ConsoleData, sqliteConsoleData } from '../../src/console/console-store'
import { hashPassword } from '../../src/console/passwords'
import type { SignInPolicy } from '../../src/console/sign-in-routes'
import { createApp } from '../../src/http/app'
import { BUILTIN_RESOURCE_TYPES } from '../../src/scim/schema/builtin'
import { createScimServer } from '../../src/server'
import { createPgScimServer, type PgScimServer } from '../../src/server-pg'
import { pgAdminStore } from '../../src/store-pg/console-admins'
import { pgConsoleData } from '../../src/store-pg/console-data'
import type { TenantRow } from '../../src/tenants/config'
import { TEST_TOKEN } from './app'
import { applyPgMigrations } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { testPostgres, withDatabase } from './postgres'

export const ORIGIN = 'http://localhost:8080'
export const ADMIN = 'ada'
export const PASSWORD = 'correct horse battery'

/** A database the console runs over in these tests; `url` is the PostgreSQL server's (undefined: none to be had, skip). */
export interface ConsoleStore {
  name: 'sqlite' | 'postgres'
  url?: string
  skip: boolean
}

/**
 * The stores a console suite runs over: SQLite always, PostgreSQL when a test server can be had.
 * Each suite loops over them (`for (const store of await consoleStores()) describe.skipIf(store.skip)(…)`).
 */
export async function consoleStores(): Promise<ConsoleStore[]> {
  const url = await testPostgres()
  return [
    { name: 'sqlite', skip: false },
    { name: 'postgres', url, skip: url === undefined },
  ]
}

export const SQLITE: ConsoleStore = { name: 'sqlite', skip: false }

export interface ConsoleTestApp {
  store: ConsoleStore['name']
  /** The SQLite database, on SQLite (for what only SQLite has, such as its query plans). */
  sqlite?: Database
  /** The PostgreSQL client, on PostgreSQL. */
  pg?: SQL
  admins: AdminStore
  /** The console's journal, tokens and tenants, as the app reads them. */
  data: ConsoleData
  handle(request: Request): Promise<Response>
  /** Milliseconds since the epoch as the console sees them; tests move it. */
  clock: { now: number }
  /** A SCIM API call with the test token. */
  scim(method: string, path: string, body?: unknown): Promise<Response>
  /** Rows of a statement written for both databases, with `$1`, `$2`… for its values. */
  rows<T = Record<string, unknown>>(text: string, ...values: (string | number | null)[]): Promise<T[]>
  /** How many rows of `table` match `where` (all without it). */
  count(table: string, where?: string, ...values: (string | number)[]): Promise<number>
  /** Issues a stored token as `scim-server token` would. */
  issueToken(options: IssueOptions): Promise<IssuedToken>
  /** Adds tenant `name` as `tenant add` does (its row and a provisioning token); returns the token. */
  addTenant(name: string): Promise<string>
  /** The server reads its tenants and tokens again (as after `tenant add` or `token`). */
  tenantsChanged(): Promise<void>
  /** What a stopping server calls before it drains requests. */
  endWaits(): void
  /** The text GET /metrics answers (which a provisioning token may not read). */
  metrics(): Promise<string>
  /** Serves over HTTPS a certificate ending at `notAfter`, as main.ts tells the server's metrics. */
  servesCertificate(notAfter: Date): void
}

const opened: (() => Promise<void>)[] = []

let hashed: Promise<string> | undefined
/** PASSWORD's argon2id hash, made once: a salted hash verifies in every database it is stored in, and each costs ~0.2 s. */
const passwordHash = () => (hashed ??= hashPassword(PASSWORD))

/** Closes every app made since the last call (a PostgreSQL one drops its database): each suite's afterEach. */
export async function closeConsoleApps(): Promise<void> {
  for (const close of opened.splice(0)) await close()
}

/**
 * `served`: the app the server builds, as the binary serves it (stored tokens of every tenant,
 * the server's own tenantsChanged, the real clock); otherwise one on `clock` whose SCIM API takes
 * only the test token. `store` picks the database (SQLite by default); on PostgreSQL each app
 * gets a database of its own, so entry numbers start at 1 as on a new SQLite file.
 */
export async function makeConsoleApp(
  options: { policy?: SignInPolicy; ttlMs?: number; served?: boolean; store?: ConsoleStore } = {}
): Promise<ConsoleTestApp> {
  const store = options.store ?? SQLITE
  const clock = { now: Date.now() }
  const fixture = store.name === 'postgres' ? await pgFixture(store.url!) : sqliteFixture()
  const { server } = fixture
  const admins = fixture.admins
  await admins.save(ADMIN, await passwordHash(), new Date().toISOString())
  const app = options.served
    ? server.app
    : createApp({
        tenants: server.tenants,
        resourceTypes: BUILTIN_RESOURCE_TYPES,
        store: server.store,
        limits: server.deps.settings.limits,
        tokens: fixedTokens([hashToken(TEST_TOKEN)]),
        metrics: server.metrics,
        console: {
          admins,
          data: fixture.data,
          tenantsChanged: () => server.tenantsChanged(),
          now: () => clock.now,
          sessionTtlMs: options.ttlMs,
          signInPolicy: options.policy,
        },
      })
  const handle = (request: Request) => app.handle(request)
  return {
    store: store.name,
    sqlite: fixture.sqlite,
    pg: fixture.pg,
    admins,
    data: fixture.data,
    handle,
    clock,
    scim: (method, path, body) =>
      handle(
        new Request(`${ORIGIN}/scim/v2${path}`, {
          method,
          headers: {
            authorization: `Bearer ${TEST_TOKEN}`,
            ...(body === undefined ? {} : { 'content-type': 'application/scim+json; charset=utf-8' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        })
      ),
    rows: fixture.rows,
    async count(table, where, ...values) {
      const text = `SELECT CAST(count(*) AS integer) AS n FROM ${table}${where ? ` WHERE ${where}` : ''}`
      return Number((await fixture.rows<{ n: number }>(text, ...values))[0]!.n)
    },
    // At the console's clock: an expiry given from it is in the future however long the test ran.
    issueToken: (issue) => fixture.data.tokens.issue(issue, new Date(clock.now)),
    async addTenant(name) {
      await fixture.data.tenants.add({ name, packs: [], schemas: [], settings: {} })
      const { token } = await fixture.data.tokens.issue({ tenant: name }, new Date())
      await server.tenantsChanged()
      return token
    },
    tenantsChanged: async () => void (await server.tenantsChanged()),
    endWaits: () => server.endWaits(),
    metrics: () => server.metrics.text(),
    servesCertificate: (notAfter) => server.metrics.watchCertificate(() => notAfter),
  }
}

type Rows = <T>(text: string, ...values: (string | number | null)[]) => Promise<T[]>

function sqliteFixture() {
  const server = createScimServer({ db: ':memory:', tokenHashes: [hashToken(TEST_TOKEN)] })
  const db: Database = server.sqlite
  // The same statement text on both databases: `$n` is SQLite's `?n`.
  const rows: Rows = async <T>(text: string, ...values: (string | number | null)[]) =>
    db.query<T, (string | number | null)[]>(text.replace(/\$(\d+)/g, '?$1')).all(...values)
  // Left open, as before: the server's write queue may still hold a timer on it.
  return { server, sqlite: db, pg: undefined, admins: createAdminStore(db), data: sqliteConsoleData(db), rows }
}

let template: Promise<string> | undefined
let made = 0

/**
 * A migrated database the apps' databases are copied from (CREATE DATABASE … TEMPLATE): a copy
 * takes a fraction of the migrations' time, and every console suite makes dozens of apps. It
 * lives as long as the test server (scripts/pg.sh removes the server with the run).
 */
function migratedTemplate(serverUrl: string): Promise<string> {
  template ??= (async () => {
    const name = `scim_console_template_${process.pid}`
    const admin = new SQL(serverUrl, { max: 1 })
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    await admin.unsafe(`CREATE DATABASE "${name}"`)
    const sql = new SQL(withDatabase(serverUrl, name), { max: 1 })
    await applyPgMigrations(sql, MIGRATIONS)
    // A template may have no other connection while it is copied.
    await sql.close()
    await admin.close()
    return name
  })()
  return template
}

async function pgFixture(url: string) {
  const name = `scim_console_${process.pid}_${++made}`
  const admin = new SQL(url, { max: 1 })
  await admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE "${await migratedTemplate(url)}"`)
  const server: PgScimServer = await createPgScimServer({
    db: withDatabase(url, name),
    tokenHashes: [hashToken(TEST_TOKEN)],
  })
  opened.push(async () => {
    await server.close()
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    await admin.close()
  })
  const sql: SQL = server.sql
  const rows: Rows = async <T>(text: string, ...values: (string | number | null)[]) => [
    ...((await sql.unsafe(text, values)) as T[]),
  ]
  const tenantRows = () =>
    rows<TenantRow>('SELECT name, packs, schemas, settings, created FROM tenants ORDER BY name COLLATE "C"')
  return {
    server,
    sqlite: undefined,
    pg: sql,
    admins: pgAdminStore(sql),
    data: pgConsoleData(sql, { tenantRows }),
    rows,
  }
}

/** The `name=value` of a Set-Cookie header for `name`, or undefined. */
export function cookieFrom(res: Response, name: string): { value: string; attributes: string } | undefined {
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...rest] = line.split(';')
    const eq = pair!.indexOf('=')
    if (pair!.slice(0, eq) === name) return { value: pair!.slice(eq + 1), attributes: rest.join(';') }
  }
  return undefined
}

/** The hidden `csrf` field of a page's (first) form. */
export function csrfOf(page: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(page)
  if (!m) throw new Error('no csrf field on the page')
  return m[1]!
}

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString()
}

/** A browser: keeps the console's cookies and sends them back. */
export class Browser {
  readonly cookies = new Map<string, string>()
  constructor(
    private readonly app: Pick<ConsoleTestApp, 'handle'>,
    private readonly origin = ORIGIN
  ) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.keep(await this.app.handle(new Request(this.origin + path, { headers: this.headers(headers) })))
  }

  async post(
    path: string,
    body: string | ReadableStream<Uint8Array>,
    headers: Record<string, string> = {},
    init: { address?: string } = {}
  ) {
    const request = new Request(this.origin + path, {
      method: 'POST',
      body,
      headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded', ...headers }),
    })
    rememberClientAddress(request, init.address)
    return this.keep(await this.app.handle(request))
  }

  /** Loads the sign-in page and posts the form from it. */
  async signIn(name = ADMIN, password = PASSWORD, address?: string): Promise<Response> {
    const page = await (await this.get('/admin/sign-in')).text()
    return this.post('/admin/sign-in', form({ csrf: csrfOf(page), name, password }), {}, { address })
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    return { ...(cookie ? { cookie } : {}), ...extra }
  }

  private keep(res: Response): Response {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq)
      if (/max-age=0/i.test(attrs.join(';'))) this.cookies.delete(name)
      else this.cookies.set(name, pair!.slice(eq + 1))
    }
    return res
  }
}

/** Signs in to a listening server's console over HTTP as a browser would: its session cookie pair (if any) and the status. */
export async function signInOverHttp(
  base: string,
  name: string,
  password: string
): Promise<{ cookie?: string; status: number }> {
  const page = await fetch(`${base}/admin/sign-in`)
  const pre = page.headers.getSetCookie()[0]!.split(';')[0]!
  const res = await fetch(`${base}/admin/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ csrf: csrfOf(await page.text()), name, password }),
  })
  const session = res.headers.getSetCookie().find((c) => c.startsWith('scim_console='))
  return { cookie: session?.split(';')[0], status: res.status }
}

/** A console app over `store` with a browser signed in as ADMIN; with `csrfFrom`, the session's CSRF token read off that page. */
export async function signedIn(
  store: ConsoleStore,
  options: { served?: boolean; csrfFrom?: string } = {}
): Promise<{ app: ConsoleTestApp; browser: Browser; csrf: string }> {
  const app = await makeConsoleApp({ store, served: options.served })
  const browser = new Browser(app)
  const answer = await browser.signIn()
  if (answer.status !== 303) throw new Error(`sign-in answered ${answer.status}, not 303`)
  const csrf = options.csrfFrom === undefined ? '' : csrfOf(await (await browser.get(options.csrfFrom)).text())
  return { app, browser, csrf }
}
