// --rate-limit: a token bucket per valid token (burst 2N); over it 429 with Retry-After and a SCIM Error, counted in /metrics.
import { describe, expect, test } from 'bun:test'
import { TokenBuckets } from '../../src/http/plugins/rate-limit'
import { makeTestApp } from '../helpers/app'
import { expectScimError } from '../helpers/scim'

describe('rate limit: the token bucket', () => {
  test('a burst of 2N, then N a second; the wait is whole seconds until a token is back, at least 1', () => {
    let now = 0
    const buckets = new TokenBuckets(2, () => now)
    for (let i = 0; i < 4; i++) expect(buckets.take('a')).toBe(0)
    expect(buckets.take('a')).toBe(1)
    now = 0.5 // one token back
    expect(buckets.take('a')).toBe(0)
    expect(buckets.take('a')).toBe(1)
    now = 100 // refilled to the burst, not beyond
    for (let i = 0; i < 4; i++) expect(buckets.take('a')).toBe(0)
    expect(buckets.take('a')).toBe(1)
    // Another key has its own bucket.
    expect(buckets.take('b')).toBe(0)
    // Spent deep: the wait counts every missing token.
    const three = new TokenBuckets(3, () => now)
    for (let i = 0; i < 6; i++) three.take('c')
    now += 0.1
    expect(three.take('c')).toBe(1)
  })

  test('the map of buckets is capped', () => {
    const buckets = new TokenBuckets(1, () => 0, 3)
    for (const key of ['a', 'b', 'c', 'd', 'e']) buckets.take(key)
    expect(buckets.size).toBe(3)
  })
})

describe('rate limit: http', () => {
  test('over the limit: 429, Retry-After, a SCIM Error body, counted in /metrics; 0 (the default) never limits', async () => {
    const t = makeTestApp({ rateLimit: 1 })
    expect((await t.request('GET', '/scim/v2/Users')).status).toBe(200)
    expect((await t.request('GET', '/scim/v2/Users')).status).toBe(200)
    const refused = await t.request('GET', '/scim/v2/Users')
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(refused.headers.get('x-request-id')).toBeTruthy()
    const body = await expectScimError(refused, 429)
    expect(body.status).toBe('429')
    const unlimited = makeTestApp()
    for (let i = 0; i < 50; i++) expect((await unlimited.request('GET', '/scim/v2/Users')).status).toBe(200)
    // /metrics on the API port is limited like the rest, so the count is read from the registry.
    const text = await t.server.metrics.text()
    expect(text).toMatch(/^scim_rate_limited_total 1$/m)
    expect(text).toMatch(
      /^scim_http_requests_total\{tenant="default",route="\/scim\/v2\/Users",method="GET",status="429"\} 1$/m
    )
  })

  test('invalid tokens and open paths get no bucket; a respelled endpoint costs one request, not two', async () => {
    const t = makeTestApp({ rateLimit: 1 })
    for (let i = 0; i < 10; i++)
      expect((await t.request('GET', '/scim/v2/Users', undefined, { authorization: `Bearer wrong-${i}` })).status).toBe(
        401
      )
    for (let i = 0; i < 10; i++) expect((await t.request('GET', '/healthz')).status).toBe(200)
    // The valid token still has its whole burst of 2.
    expect((await t.request('GET', '/scim/v2/users')).status).toBe(200)
    expect((await t.request('GET', '/scim/v2/users')).status).toBe(200)
    expect((await t.request('GET', '/scim/v2/users')).status).toBe(429)
  })
})
