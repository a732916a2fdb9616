// An in-process app with the admin console on a controllable clock, and a browser-like client for it.
import { fixedTokens } from '../../src/auth/token-registry'
import { hashToken } from '../../src/auth/tokens'
import { type AdminStore, createAdminStore } from '../../src/console/admin-store'
import { rememberClientAddress } from '../../src/console/client-address'
import { hashPassword } from '../../src/console/passwords'
import type { SignInPolicy } from '../../src/console/sign-in-routes'
import { createApp } from '../../src/http/app'
import { BUILTIN_RESOURCE_TYPES } from '../../src/scim/schema/builtin'
import { createScimServer, type ScimServer } from '../../src/server'
import { TEST_TOKEN } from './app'

export const ORIGIN = 'http://localhost:8080'
export const ADMIN = 'ada'
export const PASSWORD = 'correct horse battery'

export interface ConsoleTestApp {
  server: ScimServer
  admins: AdminStore
  handle(request: Request): Promise<Response>
  /** Milliseconds since the epoch as the console sees them; tests move it. */
  clock: { now: number }
  /** A SCIM API call with the test token. */
  scim(method: string, path: string, body?: unknown): Promise<Response>
}

/**
 * `served`: the app createScimServer builds, as the binary serves it (stored tokens of every
 * tenant, the server's own tenantsChanged, the real clock); otherwise one on `clock` whose SCIM
 * API takes only the test token.
 */
export async function makeConsoleApp(
  options: { policy?: SignInPolicy; ttlMs?: number; served?: boolean } = {}
): Promise<ConsoleTestApp> {
  const server = createScimServer({ db: ':memory:', tokenHashes: [hashToken(TEST_TOKEN)] })
  const admins = createAdminStore(server.sqlite)
  admins.save(ADMIN, await hashPassword(PASSWORD), new Date().toISOString())
  const clock = { now: Date.now() }
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
          db: server.sqlite,
          now: () => clock.now,
          sessionTtlMs: options.ttlMs,
          signInPolicy: options.policy,
        },
      })
  const handle = (request: Request) => app.handle(request)
  return {
    server,
    admins,
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
    private readonly app: ConsoleTestApp,
    private readonly origin = ORIGIN
  ) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.keep(await this.app.handle(new Request(this.origin + path, { headers: this.headers(headers) })))
  }

  async post(path: string, body: string, headers: Record<string, string> = {}, init: { address?: string } = {}) {
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
