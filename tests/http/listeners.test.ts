// The Bun.serve listeners' own answers: the metrics port reads its path without `new URL`, and a handler that throws gets a SCIM 500.
import { afterEach, describe, expect, test } from 'bun:test'
import { listenerError, metricsListenerFetch } from '../../src/http/listeners'
import { makeTestApp } from '../helpers/app'
import { captureLog } from '../helpers/log-capture'
import { rawRequest } from '../helpers/raw-http'

const servers: ReturnType<typeof Bun.serve>[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true)
})

function listen(options: Pick<Parameters<typeof Bun.serve>[0], 'fetch' | 'error'>): number {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', ...options } as Parameters<typeof Bun.serve>[0])
  servers.push(server)
  return server.port!
}

describe('listeners', () => {
  // With an unusable Host Bun's request.url is the bare target (`/metrics`), which `new URL` refuses.
  test.each(['a b', 'a/b', 'x'])(
    'the metrics listener serves GET /metrics with Host %p, 404 elsewhere',
    async (host) => {
      const t = makeTestApp()
      await t.ready
      const port = listen({ fetch: metricsListenerFetch(t.server.metrics), error: listenerError() })
      const scrape = await rawRequest(port, { method: 'GET', target: '/metrics', host })
      expect(scrape.status).toBe(200)
      expect(scrape.body).toContain('scim_http_requests_total')
      expect((await rawRequest(port, { method: 'GET', target: '/metrics?x=1', host })).status).toBe(200)
      const other = await rawRequest(port, { method: 'GET', target: '/scim/v2/Users', host })
      expect(other.status).toBe(404)
      expect(other.body).not.toContain('<')
    }
  )

  test('a handler that throws is a plain SCIM 500 without a stack, logged once', async () => {
    const log = captureLog('info')
    const port = listen({
      fetch: () => {
        throw new Error('secret detail at /srv/app.ts:12')
      },
      error: listenerError(log.logger),
    })
    const res = await rawRequest(port, { method: 'GET', target: '/x', host: 'a b' })
    expect(res.status).toBe(500)
    expect(res.headers['content-type']).toStartWith('application/scim+json')
    const body = JSON.parse(res.body)
    expect(body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '500',
      detail: 'internal server error',
    })
    expect(log.records().map((r) => r.msg)).toEqual(['internal error in a listener: secret detail at /srv/app.ts:12'])
  })
})
