// Against the binary: request lines on stdout (json and text), start-up lines unchanged, metrics on their own listener, 429s.
import { describe, expect, test } from 'bun:test'
import { freePort, spawnBinary, type Child } from '../helpers/process'
import { rawRequest } from '../helpers/raw-http'

const TOKEN = 'e2e-visibility-token-4f1d'
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'

interface Served {
  child: Child
  base: string
  stop(): Promise<void>
}

async function serve(extra: string[]): Promise<Served> {
  const port = await freePort()
  const child = await spawnBinary([
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--db',
    ':memory:',
    '--token',
    TOKEN,
    ...extra,
  ])
  await child.waitFor('Database:')
  return {
    child,
    base: `http://127.0.0.1:${port}`,
    async stop() {
      child.proc.kill('SIGTERM')
      await child.proc.exited
    },
  }
}

const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json; charset=utf-8' }

/** The lines after the start-up block that parse as JSON objects. */
function jsonLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
}

describe('e2e visibility', () => {
  test('json request lines on stdout after the plain start-up lines; the token is in none of them', async () => {
    const s = await serve(['--log-format', 'json'])
    try {
      const created = await fetch(`${s.base}/scim/v2/Users`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ schemas: [USER], userName: 'e2e@x' }),
      })
      const id = ((await created.json()) as { id: string }).id
      await fetch(`${s.base}/scim/v2/Users?filter=userName+eq+%22e2e%40x%22`, {
        headers: { ...auth, 'x-request-id': 'from-proxy-1' },
      })
      await fetch(`${s.base}/scim/v2/Users`, { headers: { authorization: 'Bearer wrong-one' } })
      await s.child.waitFor('"status":401')
      const output = s.child.output()
      expect(output).toMatch(
        /^scim-server \S+ listening on http:\/\/127\.0\.0\.1:\d+\nTenant URL: {3}http:\/\/127\.0\.0\.1:\d+\/scim\/v2\nSecret Token: as given with --token \/ SCIM_TOKEN\n/
      )
      const lines = jsonLines(output)
      expect(lines.map((l) => [l.method, l.status])).toEqual([
        ['POST', 201],
        ['GET', 200],
        ['GET', 401],
      ])
      expect(lines[0]).toMatchObject({
        level: 'info',
        msg: 'request',
        tenant: 'default',
        route: '/scim/v2/Users',
        resource: id,
        reqId: created.headers.get('x-request-id'),
      })
      expect(lines[1]).toMatchObject({ reqId: 'from-proxy-1', query: 'filter' })
      expect(output).not.toContain(TOKEN)
      expect(output).not.toContain('wrong-one')
      expect(output).not.toContain('e2e@x')
    } finally {
      await s.stop()
    }
  })

  test('text format: one readable line per request', async () => {
    const s = await serve(['--log-format', 'text', '--log-level', 'info'])
    try {
      await fetch(`${s.base}/scim/v2/Users`, { headers: auth })
      await s.child.waitFor('status=200')
      expect(s.child.output()).toMatch(
        /\n\S+Z INFO {2}request reqId=\S+ tenant=default token=[0-9a-f]{8} method=GET path=\/scim\/v2\/Users route=\/scim\/v2\/Users status=200 ms=[\d.]+\n/
      )
    } finally {
      await s.stop()
    }
  })

  test('--metrics-listen serves /metrics without a token, only that; the API port wants a metrics token', async () => {
    const metricsPort = await freePort()
    const s = await serve(['--metrics-listen', String(metricsPort), '--log-level', 'error'])
    try {
      await s.child.waitFor('(no token)')
      expect(s.child.output()).toContain(`Metrics:      http://127.0.0.1:${metricsPort}/metrics (no token)`)
      await fetch(`${s.base}/scim/v2/Users`, { headers: auth })
      const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
      expect(scrape.status).toBe(200)
      const text = await scrape.text()
      expect(text).toMatch(
        /^scim_http_requests_total\{tenant="default",route="\/scim\/v2\/Users",method="GET",status="200"\} 1$/m
      )
      expect(text).toMatch(/^scim_database_bytes \d+$/m)
      expect(text).toContain('process_resident_memory_bytes')
      expect((await fetch(`http://127.0.0.1:${metricsPort}/scim/v2/Users`)).status).toBe(404)
      // A Host Bun cannot use leaves request.url the bare target: served all the same, never a 500 page.
      const badHost = await rawRequest(metricsPort, { method: 'GET', target: '/metrics', host: 'a b' })
      expect(badHost.status).toBe(200)
      expect(badHost.body).toContain('process_resident_memory_bytes')
      expect((await rawRequest(metricsPort, { method: 'GET', target: '/x', host: 'a b' })).status).toBe(404)
      expect((await fetch(`${s.base}/metrics`)).status).toBe(401)
      // A provisioning token does not read /metrics: that takes a metrics token (e2e/tokens.test.ts).
      expect((await fetch(`${s.base}/metrics`, { headers: auth })).status).toBe(403)
      // --log-level error: no request lines.
      expect(jsonLines(s.child.output())).toEqual([])
    } finally {
      await s.stop()
    }
  })

  test('--rate-limit: the third request of a burst of 2 is a 429 SCIM Error with Retry-After', async () => {
    const s = await serve(['--rate-limit', '1', '--log-level', 'error'])
    try {
      const statuses = []
      let refused: Response | undefined
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${s.base}/scim/v2/Users`, { headers: auth })
        statuses.push(res.status)
        if (res.status === 429) refused = res
        else await res.arrayBuffer()
      }
      // A second may pass between requests on a slow machine, refilling one token: at least one 429 in four.
      if (!refused) {
        refused = await fetch(`${s.base}/scim/v2/Users`, { headers: auth })
        statuses.push(refused.status)
      }
      expect(statuses.slice(0, 2)).toEqual([200, 200])
      expect(refused.status).toBe(429)
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      expect(((await refused.json()) as { status: string }).status).toBe('429')
    } finally {
      await s.stop()
    }
  })
})
