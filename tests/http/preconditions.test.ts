// Conditional requests as RFC 7232 §6 evaluates them on every method (RFC 7644 §3.14).
import { describe, expect, test } from 'bun:test'
import { makeTestApp, type TestApp } from '../helpers/app'
import { URN_USER, expectScimError, patchBody, readJson } from '../helpers/scim'

async function created(t: TestApp): Promise<{ path: string; etag: string }> {
  const res = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'cond', title: 'T' })
  return { path: `/scim/v2/Users/${(await readJson(res)).id}`, etag: res.headers.get('etag')! }
}

/** The resource created() made is still as it made it. */
async function expectUnchanged(t: TestApp, path: string, etag: string): Promise<void> {
  const after = await t.request('GET', path)
  expect(after.headers.get('etag')).toBe(etag)
  expect((await readJson(after)).title).toBe('T')
}

/** Each write method with a body that changes the title created() set. */
const writes: [string, string, unknown][] = [
  ['PUT', 'PUT', { schemas: [URN_USER], userName: 'cond', title: 'changed' }],
  ['PATCH', 'PATCH', patchBody({ op: 'replace', path: 'title', value: 'changed' })],
  ['DELETE', 'DELETE', undefined],
]

describe('http If-None-Match on PUT, PATCH and DELETE (RFC 7232 §3.2)', () => {
  test.each(writes)(
    '%s with If-None-Match: * on an existing resource is 412 and changes nothing',
    async (_n, method, body) => {
      const t = makeTestApp()
      const { path, etag } = await created(t)
      await expectScimError(await t.request(method, path, body, { 'if-none-match': '*' }), 412)
      await expectUnchanged(t, path, etag)
    }
  )

  test.each(writes)('%s with If-None-Match naming the current version is 412', async (_n, method, body) => {
    const t = makeTestApp()
    const { path, etag } = await created(t)
    await expectScimError(await t.request(method, path, body, { 'if-none-match': `W/"0", ${etag}` }), 412)
  })

  test.each(writes)('%s with If-None-Match naming another version goes ahead', async (_n, method, body) => {
    const t = makeTestApp()
    const { path } = await created(t)
    expect((await t.request(method, path, body, { 'if-none-match': 'W/"999"' })).status).toBeLessThan(300)
  })
})

describe('http If-Match naming no version (RFC 7232 §3.1: "*" / 1#entity-tag)', () => {
  test.each(writes)(
    '%s with an empty or blank If-Match is 412 and changes nothing, as with ","',
    async (_n, method, body) => {
      const t = makeTestApp()
      const { path, etag } = await created(t)
      for (const header of ['', '  ', ','])
        await expectScimError(await t.request(method, path, body, { 'if-match': header }), 412)
      await expectUnchanged(t, path, etag)
    }
  )
})

describe('http If-Match on GET (RFC 7232 §3.1)', () => {
  test('a stale If-Match is 412; the current one, or *, is 200', async () => {
    const t = makeTestApp()
    const { path, etag } = await created(t)
    await expectScimError(await t.request('GET', path, undefined, { 'if-match': 'W/"999"' }), 412)
    expect((await t.request('GET', path, undefined, { 'if-match': etag })).status).toBe(200)
    expect((await t.request('GET', path, undefined, { 'if-match': '*' })).status).toBe(200)
  })

  test('If-Match is evaluated before If-None-Match: a stale If-Match is 412, not 304', async () => {
    const t = makeTestApp()
    const { path, etag } = await created(t)
    await expectScimError(
      await t.request('GET', path, undefined, { 'if-match': 'W/"999"', 'if-none-match': etag }),
      412
    )
    expect((await t.request('GET', path, undefined, { 'if-match': etag, 'if-none-match': etag })).status).toBe(304)
  })
})
