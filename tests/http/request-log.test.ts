// The request log: one line per request with its id, tenant, token label, route, status and resource, never a secret.
import { describe, expect, test } from 'bun:test'
import { hashToken } from '../../src/auth/tokens'
import { queryNames } from '../../src/http/plugins/request-log'
import { formatTextLine } from '../../src/log/text-format'
import { makeTestApp, TEST_TOKEN } from '../helpers/app'
import { captureLog } from '../helpers/log-capture'
import { URN_USER, patchBody, readJson } from '../helpers/scim'

const LABEL = hashToken(TEST_TOKEN).toString('hex', 0, 8 / 2)

function loggedApp(level: 'info' | 'debug' = 'info') {
  const log = captureLog(level)
  return Object.assign(makeTestApp({ logger: log.logger }), {
    log,
    requests: () => log.records().filter((r) => r.msg === 'request'),
  })
}

describe('http request log', () => {
  test('one line per request: id (also in x-request-id), tenant, token label, method, path, route, status, duration, resource', async () => {
    const t = loggedApp()
    const created = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'alice' })
    const id = (await readJson(created)).id
    const got = await t.request('GET', `/scim/v2/Users/${id}`)
    const lines = t.requests()
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatchObject({
      level: 'info',
      reqId: created.headers.get('x-request-id'),
      tenant: 'default',
      token: LABEL,
      method: 'POST',
      path: '/scim/v2/Users',
      route: '/scim/v2/Users',
      status: 201,
      resource: id,
    })
    expect(lines[1]).toMatchObject({
      reqId: got.headers.get('x-request-id'),
      method: 'GET',
      route: '/scim/v2/Users/:id',
      status: 200,
      resource: id,
    })
    expect(typeof lines[1]!.ms).toBe('number')
    expect(Date.parse(String(lines[1]!.time))).not.toBeNaN()
    expect(lines[0]!.reqId).not.toBe(lines[1]!.reqId)
  })

  test("every answer carries its own line's id in x-request-id: services, 304, errors, discovery, a respelled endpoint", async () => {
    const t = loggedApp()
    const created = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'rid' })
    const { id } = await readJson(created)
    const etag = created.headers.get('etag')!
    const answers = [
      created,
      await t.request('GET', `/scim/v2/Users/${id}`),
      await t.request('GET', `/scim/v2/Users/${id}`, undefined, { 'if-none-match': etag }),
      await t.request('GET', '/scim/v2/Users?filter=userName+eq+%22rid%22'),
      await t.request('GET', '/scim/v2/Users/missing'),
      await t.request('GET', '/scim/v2/users'),
      await t.request('GET', '/scim/v2/ServiceProviderConfig'),
      await t.request('DELETE', `/scim/v2/Users/${id}`),
      await t.request('GET', `/scim/v2/Users/${id}`, undefined, { authorization: 'Bearer wrong' }),
    ]
    expect(answers.map((r) => r.status)).toEqual([201, 200, 304, 200, 404, 200, 200, 204, 401])
    const ids = answers.map((r) => r.headers.get('x-request-id'))
    expect(ids).toEqual(t.requests().map((r) => r.reqId as string))
    expect(new Set(ids).size).toBe(answers.length)
  })

  test('a short, safe incoming x-request-id is kept; anything else is replaced by one of ours', async () => {
    const t = loggedApp()
    const kept = await t.request('GET', '/scim/v2/Users', undefined, { 'x-request-id': '3f2b9c1e-proxy.7' })
    expect(kept.headers.get('x-request-id')).toBe('3f2b9c1e-proxy.7')
    for (const bad of ['a'.repeat(65), 'two words', 'x"y', 'line\tbreak', '']) {
      const res = await t.request('GET', '/scim/v2/Users', undefined, { 'x-request-id': bad })
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/)
    }
    expect(t.requests().map((r) => r.reqId)[0]).toBe('3f2b9c1e-proxy.7')
  })

  test('query values are never logged, only the parameter names', async () => {
    const t = loggedApp()
    await t.request(
      'GET',
      '/scim/v2/Users?filter=userName+eq+%22secret%40example.com%22&count=5&count=6&attributes=userName'
    )
    const [line] = t.requests()
    expect(line).toMatchObject({ path: '/scim/v2/Users', query: 'filter,count,attributes' })
    expect(t.log.lines.join('')).not.toContain('secret')
    expect(queryNames('')).toBeUndefined()
    expect(queryNames('?a%20b=1&&c&%zz=2')).toBe('a b,c,%zz')
    // Each name once, in order; names only, decoded, at most 64 characters.
    expect(queryNames('?filter=userName+eq+%22a%22')).toBe('filter')
    expect(queryNames('?filter=a&filter=b')).toBe('filter')
    expect(queryNames('?a=1&b=2&a=3&c=a=b')).toBe('a,b,c')
    expect(queryNames('?a+b=1&a%20b=2')).toBe('a b')
    expect(queryNames('?=x&')).toBe('')
    expect(queryNames('?&')).toBe('')
    expect(queryNames(`?${'n'.repeat(70)}=1&${'n'.repeat(64)}x=2`)).toBe('n'.repeat(64))
  })

  test('the bearer token and the Authorization header appear in no line, whatever the outcome', async () => {
    const t = loggedApp('debug')
    const id = (await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'bob' }))).id
    await t.request('PATCH', `/scim/v2/Users/${id}`, patchBody({ op: 'Replace', path: 'active', value: 'False' }))
    await t.request('GET', '/scim/v2/Users', undefined, { authorization: 'Bearer wrong-token-value' })
    await t.request('GET', '/scim/v2/Nope')
    await t.request('POST', '/scim/v2/Users', '{broken', { 'content-type': 'application/scim+json' })
    t.server.deps.store.query = () => {
      throw new Error(`failure mentioning nothing secret`)
    }
    await t.request('GET', '/scim/v2/Users')
    const all = t.log.lines.join('')
    expect(t.requests()).toHaveLength(6)
    for (const secret of [TEST_TOKEN, 'wrong-token-value', 'Bearer', 'authorization'])
      expect(all.toLowerCase()).not.toContain(secret.toLowerCase())
  })

  test('answers given before routing are logged once, with the route their path names and without a token label', async () => {
    const t = loggedApp()
    const res = await t.request('GET', '/scim/v2/Users', undefined, { authorization: 'Bearer nope' })
    expect(res.status).toBe(401)
    expect(t.requests()).toEqual([expect.objectContaining({ status: 401, route: '/scim/v2/Users' })])
    expect(t.requests()[0]).not.toHaveProperty('token')
  })

  test('a re-issued request (respelled endpoint, doubled slash) is one line with the route it was served by', async () => {
    const t = loggedApp()
    const id = (await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'carol' })))
      .id
    await t.request('GET', `/scim/v2/users/${id}`)
    await t.request('GET', '/scim/v2//Users')
    const [, respelled, doubled] = t.requests()
    expect(t.requests()).toHaveLength(3)
    expect(respelled).toMatchObject({
      path: `/scim/v2/users/${id}`,
      route: '/scim/v2/Users/:id',
      status: 200,
      resource: id,
      token: LABEL,
    })
    expect(doubled).toMatchObject({ path: '/scim/v2//Users', route: '/scim/v2/Users', status: 200 })
  })

  test('the IdP compatibility rules the PATCH normaliser applied are named in the line', async () => {
    const t = loggedApp()
    const user = (await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'dave' })))
      .id
    const group = (
      await readJson(
        await t.request('POST', '/scim/v2/Groups', {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
          displayName: 'g',
        })
      )
    ).id
    // Entra: capitalised op names and "$ref": null in member values.
    await t.request(
      'PATCH',
      `/scim/v2/Groups/${group}`,
      patchBody({ op: 'Add', path: 'members', value: [{ $ref: null, value: user }] })
    )
    // Okta: the resource id echoed in a path-less replace.
    await t.request('PATCH', `/scim/v2/Users/${user}`, patchBody({ op: 'replace', value: { id: user, active: false } }))
    // A plain RFC 7644 request fires none.
    await t.request('PATCH', `/scim/v2/Users/${user}`, patchBody({ op: 'replace', path: 'active', value: true }))
    const [, , entra, okta, plain] = t.requests()
    expect(entra).toMatchObject({ status: 204, compat: ['op-case', 'null-ref'] })
    expect(okta).toMatchObject({ status: 200, compat: ['echoed-read-only'] })
    expect(plain).not.toHaveProperty('compat')
  })

  test('below info level no request line is written; without a logger nothing is', async () => {
    const log = captureLog('warn' as 'info')
    const t = makeTestApp({ logger: log.logger })
    await t.request('GET', '/scim/v2/Users')
    expect(log.lines).toEqual([])
    // x-request-id is there with or without a logger.
    expect((await makeTestApp().request('GET', '/scim/v2/Users')).headers.get('x-request-id')).toBeTruthy()
  })

  test('the text format is one readable line per record, values quoted only when needed', () => {
    const line = formatTextLine({
      level: 'info',
      time: '2026-12-01T10:00:00.000Z',
      msg: 'request',
      reqId: 'a-1',
      path: '/scim/v2/Users',
      query: 'filter,count',
      status: 200,
      compat: ['op-case', 'null-ref'],
      note: 'two words',
    })
    expect(line).toBe(
      '2026-12-01T10:00:00.000Z INFO  request reqId=a-1 path=/scim/v2/Users query=filter,count status=200 compat=op-case,null-ref note="two words"'
    )
    expect(formatTextLine({ level: 'error', time: 't', msg: 'internal error', stack: 'Error: x\n  at y' })).toBe(
      't ERROR internal error\n    Error: x\n      at y'
    )
  })

  test('the text logger writes the same records as lines', async () => {
    const log = captureLog('info', 'text')
    const t = makeTestApp({ logger: log.logger })
    await t.request('GET', '/scim/v2/Users?count=1')
    expect(log.lines).toHaveLength(1)
    expect(log.lines[0]).toMatch(
      /^\S+Z INFO {2}request reqId=\S+ tenant=default token=[0-9a-f]{8} method=GET path=\/scim\/v2\/Users query=count route=\/scim\/v2\/Users status=200 ms=[\d.]+\n$/
    )
  })
})
