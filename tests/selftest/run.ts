// Runs the selftest in-process against a test app, optionally through a wrapper that breaks the
// server in one way, and reads back what the server still holds afterwards.
import { makeTestApp, TEST_TOKEN, type TestApp } from '../helpers/app'
import { runSelftest, type Fetcher, type Result } from '../../src/selftest'
import type { ServerOptions } from '../../src/server'

export const TENANT_URL = 'http://localhost/scim/v2'

export interface Run {
  app: TestApp
  results: Result[]
  /** Verdicts by check name. */
  byName: Map<string, Result>
  /** Names of the checks that did not pass (fail or skip), in order. */
  notPassed: string[]
  /** totalResults of GET /Users and GET /Groups after the run. */
  left(): Promise<{ users: number; groups: number }>
}

/** Wraps the app's fetch; `next` is the unbroken server. */
export type Breakage = (url: string, init: RequestInit, next: Fetcher) => Promise<Response>

export async function runAgainst(
  breakage?: Breakage,
  options: Partial<ServerOptions> = {},
  url = TENANT_URL,
  certificateEnd: Date | undefined = undefined
): Promise<Run> {
  const app = makeTestApp(options)
  const next: Fetcher = (u, init) => app.server.app.handle(new Request(u, init))
  const fetch: Fetcher = breakage ? (u, init) => breakage(u, init, next) : next
  // In process there is no handshake: the certificate's end is what the test says.
  const results = await runSelftest({ url, token: TEST_TOKEN, fetch, certificateEnd: async () => certificateEnd })
  const count = async (path: string) =>
    ((await (await app.request('GET', path)).json()) as { totalResults: number }).totalResults
  return {
    app,
    results,
    byName: new Map(results.map((r) => [r.name, r])),
    notPassed: results.filter((r) => r.status === 'fail' || r.status === 'skip').map((r) => r.name),
    left: async () => ({ users: await count('/scim/v2/Users'), groups: await count('/scim/v2/Groups') }),
  }
}

/** A copy of `res` with other headers or status, same body. */
export async function reshape(
  res: Response,
  change: { status?: number; headers?: Record<string, string> }
): Promise<Response> {
  const headers = new Headers(res.headers)
  for (const [k, v] of Object.entries(change.headers ?? {})) headers.set(k, v)
  return new Response(res.status === 204 ? null : await res.text(), { status: change.status ?? res.status, headers })
}
