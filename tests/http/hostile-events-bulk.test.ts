// Hostile and mistaken event polls and Bulk requests: never a 5xx, a SCIM Error for each 4xx and each failed operation.
import { afterAll, describe, expect, test } from 'bun:test'
import { makeTestApp } from '../helpers/app'
import { URN_GROUP, URN_USER, patchBody } from '../helpers/scim'
import { type SweepCase, sweep } from '../helpers/sweep'

const URN_BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'

const EVENTS = '/scim/v2/Events'

describe('POST /Events (RFC 8936 §2.4) with odd bodies', () => {
  const t = makeTestApp({ events: { longPollMs: 20, reloadEveryMs: 0 } })
  afterAll(async () => {
    await t.server.deps.events?.close()
    t.server.store.close()
  })
  const raw = ['', 'null', '[]', '"x"', '1', 'true', '{', '{"a":', '{"maxEvents":1e400}', '\u0000', '{"a":1}{"b":2}']
  const values: unknown[] = [
    null,
    true,
    false,
    0,
    -1,
    1.5,
    2 ** 53,
    -(2 ** 53),
    1e308,
    '1',
    '',
    [],
    {},
    [1],
    ['x'],
    { a: 1 },
  ]
  const fields = ['maxEvents', 'returnImmediately', 'ack', 'setErrs']
  const jti = (n: number) => `${n}.${'0'.repeat(32)}`
  const bodies: unknown[] = [
    ...raw,
    ...fields.flatMap((f) => values.map((v) => ({ returnImmediately: true, [f]: v }))),
    { returnImmediately: true, ack: ['a', 'a', 'a'] },
    { returnImmediately: true, ack: [jti(1), jti(1)], setErrs: { [jti(1)]: { err: 'x' } } },
    { returnImmediately: true, ack: [`9999999999999999.${'0'.repeat(32)}`, '99999999999999999.0'] },
    { returnImmediately: true, ack: ['1.', '01.0', '-1.0', '1e3.0', 'x'.repeat(100_000)] },
    { returnImmediately: true, ack: Array.from({ length: 10_001 }, (_, i) => jti(i + 1)) },
    { returnImmediately: true, setErrs: { [jti(1)]: { err: 'x', description: 5 } } },
    { returnImmediately: true, setErrs: { [jti(1)]: { err: 1 } } },
    { returnImmediately: true, setErrs: { [jti(1)]: 'x' } },
    JSON.parse('{"returnImmediately":true,"setErrs":{"__proto__":{"err":"x"}}}'),
    JSON.parse('{"returnImmediately":true,"__proto__":{"maxEvents":-1}}'),
    { returnImmediately: true, setErrs: { constructor: { err: 'x' }, toString: { err: 'y' } } },
    { returnImmediately: true, unknown: { deep: [1, 2, 3] }, sets: {}, moreAvailable: true },
    { returnImmediately: false, maxEvents: 0 },
    { maxEvents: 3, returnImmediately: true, ack: [], setErrs: {} },
  ]
  test('each is answered below 500, a 4xx as a SCIM Error', async () => {
    await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'ev@example.com' })
    const cases: SweepCase[] = bodies.map((b) => ['POST', EVENTS, b])
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/json']) {
      cases.push(['POST', EVENTS, '{"returnImmediately":true}', { 'content-type': type }])
      cases.push(['POST', EVENTS, 'a=1&b=2', { 'content-type': type }])
    }
    cases.push(['GET', EVENTS, undefined], ['PUT', EVENTS, {}], ['DELETE', EVENTS, undefined])
    cases.push(['POST', `${EVENTS}?returnImmediately=1`, { returnImmediately: true }])
    cases.push(
      ['POST', `${EVENTS}/`, { returnImmediately: true }],
      ['POST', `${EVENTS}/x`, { returnImmediately: true }]
    )
    expect(await sweep(t, cases)).toEqual([])
  })
})

describe('POST /Bulk with odd operations', () => {
  const t = makeTestApp()
  const user = (userName: string) => ({ schemas: [URN_USER], userName })
  const envelope = (Operations: unknown, extra: object = {}) => ({ schemas: [URN_BULK], Operations, ...extra })
  test('each is answered below 500, a 4xx as a SCIM Error, each failed operation with a SCIM Error response', async () => {
    const existing = await (await t.request('POST', '/scim/v2/Users', user('existing@example.com'))).json()
    const id = (existing as { id: string }).id
    const version = (existing as { meta: { version: string } }).meta.version
    const post = (bulkId: string, data: unknown = user(`${bulkId}@example.com`)) => ({
      method: 'POST',
      path: '/Users',
      bulkId,
      data,
    })
    const bodies: unknown[] = [
      null,
      [],
      'x',
      { schemas: URN_BULK, Operations: [post('a')] },
      { schemas: [URN_BULK], Operations: {} },
      envelope([post('a')], { failOnErrors: 0 }),
      envelope([post('a')], { failOnErrors: -1 }),
      envelope([post('a')], { failOnErrors: 1.5 }),
      envelope([post('a')], { failOnErrors: 1e308 }),
      envelope([post('a')], { failOnErrors: '1' }),
      envelope([post('a')], { failOnErrors: null }),
      envelope([post('a')], { failOnErrors: 2 ** 53 + 2 }),
      envelope([null]),
      envelope([1]),
      envelope([[]]),
      envelope([{ method: 'post', path: '/Users', bulkId: 'lower', data: user('lower@example.com') }]),
      envelope([{ method: 'Post', path: '/Users', bulkId: 'mixed', data: user('mixed@example.com') }]),
      envelope([{ method: 'GET', path: `/Users/${id}` }]),
      envelope([{ method: 'HEAD', path: `/Users/${id}` }]),
      envelope([{ method: 7, path: '/Users' }]),
      envelope([{ method: 'POST', path: '/Users', data: user('nobulkid@example.com') }]),
      envelope([{ method: 'POST', path: '/Users', bulkId: 5, data: user('numeric@example.com') }]),
      envelope([{ method: 'POST', path: '/Users', bulkId: '', data: user('empty@example.com') }]),
      envelope([
        post('q', undefined),
        { method: 'POST', path: '/Users?x=1', bulkId: 'q2', data: user('q@example.com') },
      ]),
      envelope([{ method: 'POST', path: '/Users#frag', bulkId: 'f', data: user('f@example.com') }]),
      envelope([{ method: 'PUT', path: `/Users/${id}?attributes=userName`, data: user('existing@example.com') }]),
      envelope([{ method: 'DELETE', path: `/Users/${id}#x` }]),
      envelope([{ method: 'PATCH', path: `/Users/${id}/`, data: patchBody({ op: 'add', path: 'title', value: 'x' }) }]),
      envelope([{ method: 'PATCH', path: '/Users/', data: patchBody({ op: 'add', path: 'title', value: 'x' }) }]),
      envelope([{ method: 'PATCH', path: '//Users', data: patchBody() }]),
      envelope([{ method: 'PATCH', path: '/Users/../Groups/x', data: patchBody() }]),
      envelope([{ method: 'PATCH', path: '/Users/%2e%2e', data: patchBody() }]),
      envelope([{ method: 'POST', path: 'Users', bulkId: 'nslash', data: user('ns@example.com') }]),
      envelope([{ method: 'POST', path: '/ServiceProviderConfig', bulkId: 'spc', data: {} }]),
      envelope([{ method: 'POST', path: '/Bulk', bulkId: 'nested', data: envelope([post('inner')]) }]),
      envelope([{ method: 'POST', path: '/Users', bulkId: 'd1', data: null }]),
      envelope([{ method: 'POST', path: '/Users', bulkId: 'd2', data: 'x' }]),
      envelope([{ method: 'POST', path: '/Users', bulkId: 'd3', data: [user('arr@example.com')] }]),
      envelope([{ method: 'POST', path: '/Users', bulkId: 'd4' }]),
      envelope([{ method: 'PUT', path: `/Users/${id}`, data: null }]),
      envelope([{ method: 'PUT', path: `/Users/${id}` }]),
      envelope([{ method: 'PATCH', path: `/Users/${id}`, data: 'x' }]),
      envelope([{ method: 'PATCH', path: `/Users/${id}`, data: null }]),
      envelope([{ method: 'DELETE', path: '/Users/nope', data: user('x') }]),
      envelope([{ method: 'DELETE', path: `/Users/${id}`, data: { junk: true }, version: 'W/"nope"' }]),
      ...['*', '', 'garbage', 'W/', '"', '\u0000', 'W/"x", W/"y"', version, `${version},*`, 'x'.repeat(10_000)].map(
        (v) =>
          envelope([
            {
              method: 'PATCH',
              path: `/Users/${id}`,
              version: v,
              data: patchBody({ op: 'add', path: 'title', value: 'v' }),
            },
          ])
      ),
      envelope([{ method: 'PATCH', path: `/Users/${id}`, version: 5, data: patchBody() }]),
      // bulkId references
      envelope([post('self', { ...user('self@example.com'), title: 'bulkId:self' })]),
      envelope([
        { method: 'PATCH', path: '/Users/bulkId:nobody', data: patchBody({ op: 'add', path: 'title', value: 'x' }) },
      ]),
      envelope([{ method: 'PATCH', path: '/Users/bulkId:', data: patchBody() }]),
      envelope([{ method: 'PATCH', path: '/Users/bulkId:a/extra', data: patchBody() }]),
      envelope([
        post('bad', { schemas: [URN_USER] }),
        { method: 'PATCH', path: '/Users/bulkId:bad', data: patchBody({ op: 'add', path: 'title', value: 'x' }) },
        { method: 'DELETE', path: '/Users/bulkId:bad' },
      ]),
      envelope([post('dup'), post('dup'), { method: 'DELETE', path: '/Users/bulkId:dup' }]),
      envelope([post('deep', { ...user('deep@example.com'), 'urn:x:ext': { a: { b: [{ c: 'bulkId:missing' }] } } })]),
      envelope([
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'mg',
          data: { schemas: [URN_GROUP], displayName: 'mg', members: [{ value: 'bulkId:mu' }, { value: 'bulkId:mu' }] },
        },
        post('mu'),
      ]),
      envelope([
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'ng',
          data: { schemas: [URN_GROUP], displayName: 'ng', members: [{ value: { nested: 'bulkId:nu' } }] },
        },
        post('nu'),
      ]),
      envelope([post('pr'), { method: 'PUT', path: '/Users/bulkId:pr', bulkId: 'pr', data: user('pr2@example.com') }]),
      envelope([
        { method: 'PUT', path: `/Users/${id}`, bulkId: 'put', data: user('existing@example.com') },
        post('put2', { ...user('p2@example.com'), title: 'bulkId:put' }),
      ]),
      envelope([post('__proto__'), { method: 'DELETE', path: '/Users/bulkId:__proto__' }]),
      envelope([post('constructor'), { method: 'DELETE', path: '/Users/bulkId:constructor' }]),
      envelope(Array.from({ length: 1001 }, (_, i) => post(`many${i}`))),
      envelope([post('ok1'), post('fail1', {}), post('fail2', {}), post('ok2')], { failOnErrors: 1 }),
    ]
    const cases: SweepCase[] = bodies.map((b) => ['POST', '/scim/v2/Bulk', b])
    expect(await sweep(t, cases)).toEqual([])
    // Nothing half-written: every stored user still reads back as a list.
    const list = await t.request('GET', '/scim/v2/Users?count=1000')
    expect(list.status).toBe(200)
  })
})
