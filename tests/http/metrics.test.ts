// GET /metrics: Prometheus text from prom-client: requests by route pattern, latency, writes, cache, database, process.
import { describe, expect, test } from 'bun:test'
import { makeScopedApp } from '../helpers/scoped-app'
import { URN_USER, readJson } from '../helpers/scim'
import { addTenant } from '../helpers/tenants'
import { sqliteOnly } from '../helpers/test-store'

/** The value of the sample `name{labels}` (labels as printed), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe('http /metrics', () => {
  test('requests are counted by route pattern (never the raw path), method and status, with a latency histogram', async () => {
    const t = makeScopedApp()
    const id = (await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'm' }))).id
    await t.request('GET', `/scim/v2/Users/${id}`)
    await t.request('GET', '/scim/v2/Users/no-such-id')
    await t.request('GET', '/scim/v2/Users', undefined, { authorization: 'Bearer nope' })
    const res = await t.as('metrics', 'GET', '/metrics')
    expect(res.headers.get('content-type')).toStartWith('text/plain; version=0.0.4')
    const text = await res.text()
    expect(
      sample(text, 'scim_http_requests_total{tenant="default",route="/scim/v2/Users",method="POST",status="201"}')
    ).toBe(1)
    expect(
      sample(text, 'scim_http_requests_total{tenant="default",route="/scim/v2/Users/:id",method="GET",status="200"}')
    ).toBe(1)
    expect(
      sample(text, 'scim_http_requests_total{tenant="default",route="/scim/v2/Users/:id",method="GET",status="404"}')
    ).toBe(1)
    expect(
      sample(text, 'scim_http_requests_total{tenant="default",route="/scim/v2/Users",method="GET",status="401"}')
    ).toBe(1)
    expect(
      sample(text, 'scim_http_request_duration_seconds_count{tenant="default",route="/scim/v2/Users/:id",method="GET"}')
    ).toBe(2)
    expect(text).not.toContain(id)
  })

  sqliteOnly('on PostgreSQL the journal gauge is read every 5 s, not at scrape time')(
    'journal entries by tenant and undelivered change events are read at scrape time',
    async () => {
      const t = makeScopedApp()
      const before = await (await t.as('metrics', 'GET', '/metrics')).text()
      expect(sample(before, 'scim_journal_entries{tenant="default"}')).toBeUndefined()
      expect(sample(before, 'scim_events_undelivered')).toBe(0)
      const id = (await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'j' }))).id
      await t.request('DELETE', `/scim/v2/Users/${id}`)
      const after = await (await t.as('metrics', 'GET', '/metrics')).text()
      expect(sample(after, 'scim_journal_entries{tenant="default"}')).toBe(2)
    }
  )

  test('the parsed-filter cache: hits, misses and its estimated bytes, all tenants together', async () => {
    const t = makeScopedApp()
    const f = encodeURIComponent('userName sw "a" and active eq true')
    for (let i = 0; i < 3; i++) expect((await t.request('GET', `/scim/v2/Users?filter=${f}`)).status).toBe(200)
    const text = await (await t.as('metrics', 'GET', '/metrics')).text()
    expect(sample(text, 'scim_filter_cache_misses_total')).toBe(1)
    expect(sample(text, 'scim_filter_cache_hits_total')).toBe(2)
    expect(sample(text, 'scim_filter_cache_bytes')).toBeGreaterThan(0)
  })

  test('made-up tenant names add no series: only tenants the server has are label values', async () => {
    const t = makeScopedApp()
    const acme = addTenant(t, 'acme')
    expect((await acme.request('GET', '/scim/v2/Users')).status).toBe(200)
    const series = async () =>
      (await (await t.as('metrics', 'GET', '/metrics')).text()).split('\n').filter((l) => l.startsWith('scim_http_'))
    for (let i = 0; i < 200; i++)
      await t.request('GET', `/tenants/made-up-${i}/scim/v2/Users`, undefined, { authorization: 'Bearer nope' })
    await t.request('GET', '/tenants/made-up-0/scim/v2/Users')
    await t.request('GET', `/tenants/${'x'.repeat(70)}/scim/v2/Users`)
    await series() // the scrape itself is a request with series of its own
    const before = (await series()).length
    for (let i = 200; i < 400; i++)
      await t.request('GET', `/tenants/made-up-${i}/scim/v2/Users`, undefined, { authorization: 'Bearer nope' })
    const after = await series()
    expect(after.some((l) => l.includes('made-up'))).toBe(false)
    expect(
      after.filter((l) => l.startsWith('scim_http_requests_total') && l.includes('tenant="_unknown"')).length
    ).toBeGreaterThan(0)
    expect(after.some((l) => l.includes('tenant="acme"'))).toBe(true)
    expect(after.length).toBe(before)
  })

  test('method labels are fixed words: an unusual method is counted as "other"', async () => {
    const t = makeScopedApp()
    for (const method of ['PROPFIND', 'MKCOL', 'LOCK']) await t.request(method, '/scim/v2/Users')
    const text = await (await t.as('metrics', 'GET', '/metrics')).text()
    expect(text).not.toContain('PROPFIND')
    expect(text).toContain('method="other"')
  })

  sqliteOnly("the lookup cache is the SQLite store's: on PostgreSQL every lookup reads the database")(
    'lookup-cache hits and misses, behind a metrics token',
    async () => {
      const t = makeScopedApp()
      await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'm' })
      // A lookup is cached on its second miss, so four of them are two misses and two hits.
      for (let i = 0; i < 4; i++) await t.request('GET', '/scim/v2/Users?filter=userName+eq+%22m%22')
      const text = await (await t.as('metrics', 'GET', '/metrics')).text()
      expect(text).toContain('# TYPE scim_lookup_cache_hits_total counter')
      expect(sample(text, 'scim_lookup_cache_hits_total')).toBe(2)
      expect(sample(text, 'scim_lookup_cache_misses_total')).toBe(2)
      expect((await t.request('GET', '/metrics', undefined, { authorization: 'Bearer nope' })).status).toBe(401)
      // A provisioning token does not read the figures of every tenant: 403, as in http/scopes.test.ts.
      expect((await t.request('GET', '/metrics')).status).toBe(403)
    }
  )

  sqliteOnly("the group-commit write queue is the SQLite store's")(
    'write batches: size and commit latency histograms from the write queue, and the running totals',
    async () => {
      const t = makeScopedApp()
      // Three writes in one tick share one group-commit batch.
      await Promise.all(
        ['a', 'b', 'c'].map((u) => t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: u }))
      )
      await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'd' })
      const text = await (await t.as('metrics', 'GET', '/metrics')).text()
      expect(sample(text, 'scim_write_batch_size_count')).toBe(2)
      expect(sample(text, 'scim_write_batch_size_sum')).toBe(4)
      expect(sample(text, 'scim_write_batch_size_bucket{le="1"}')).toBe(1)
      expect(sample(text, 'scim_write_commit_duration_seconds_count')).toBe(2)
      expect(sample(text, 'scim_write_batches_total')).toBe(2)
      expect(sample(text, 'scim_write_jobs_total')).toBe(4)
    }
  )

  sqliteOnly("compares with SQLite's page count PRAGMAs")(
    'the database size is read at scrape time; process metrics are there',
    async () => {
      const t = makeScopedApp()
      const page = t.server.sqlite.query(
        'SELECT page_count * page_size AS b FROM pragma_page_count(), pragma_page_size()'
      )
      const before = sample(await (await t.as('metrics', 'GET', '/metrics')).text(), 'scim_database_bytes')
      expect(before).toBe((page.get() as { b: number }).b)
      for (let i = 0; i < 20; i++)
        await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: `u${i}`, title: 'x'.repeat(2000) })
      const text = await (await t.as('metrics', 'GET', '/metrics')).text()
      expect(sample(text, 'scim_database_bytes')).toBe((page.get() as { b: number }).b)
      expect(sample(text, 'scim_database_bytes')!).toBeGreaterThan(before!)
      expect(text).toContain('# TYPE process_cpu_user_seconds_total counter')
      expect(text).toContain('nodejs_heap_size_used_bytes')
    }
  )

  test('two embedded servers keep their own metrics', async () => {
    const a = makeScopedApp()
    const b = makeScopedApp()
    await a.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'only-a' })
    const text = await (await b.as('metrics', 'GET', '/metrics')).text()
    expect(sample(text, 'scim_write_batch_size_count')).toBe(0)
    expect(
      sample(text, 'scim_http_requests_total{tenant="default",route="/scim/v2/Users",method="POST",status="201"}')
    ).toBeUndefined()
  })
})
