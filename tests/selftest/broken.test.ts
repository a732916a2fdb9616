// Deliberately broken servers: each breakage makes the checks that should notice it fail, with a
// reason naming the cause, and the run still removes everything it created.
import { describe, expect, test } from 'bun:test'
import { exitCode } from '../../src/selftest'
import { TEST_TOKEN } from '../helpers/app'
import { reshape, runAgainst, type Breakage } from './run'

const method = (init: RequestInit) => (init.method ?? 'GET').toUpperCase()
const pathOf = (url: string) => new URL(url).pathname

function reasonOf(run: Awaited<ReturnType<typeof runAgainst>>, name: string): string {
  const r = run.byName.get(name)
  expect(r, `no check named ${name}`).toBeDefined()
  expect(r!.status).toBe('fail')
  return r!.reason
}

describe('selftest against broken servers', () => {
  test('responses labelled application/json fail only the content-type check', async () => {
    const run = await runAgainst(async (u, init, next) => {
      const res = await next(u, init)
      return res.status === 204 ? res : reshape(res, { headers: { 'content-type': 'application/json' } })
    })
    expect(run.notPassed).toEqual(['protocol: content type'])
    expect(reasonOf(run, 'protocol: content type')).toMatch(
      /not application\/scim\+json.*"application\/json".*Entra requires application\/scim\+json/
    )
    expect(exitCode(run.results)).toBe(1)
  })

  test('PATCH on users answering 500 fails the updates, skips what depends on them, and cleans up', async () => {
    const run = await runAgainst(async (u, init, next) =>
      method(init) === 'PATCH' && pathOf(u).startsWith('/scim/v2/Users/')
        ? new Response('internal error', { status: 500, headers: { 'content-type': 'text/plain' } })
        : next(u, init)
    )
    expect(run.notPassed).toEqual([
      'Entra users (default PATCH): update',
      'Entra users (default PATCH): disable',
      'Entra users (default PATCH): delete',
      'Entra users (?aadOptscim062020): update',
      'Entra users (?aadOptscim062020): disable',
      'Entra users (?aadOptscim062020): delete',
      'Okta: deactivate (PATCH active false)',
      'Okta: group push: create and add member',
      'Okta: group push: rename',
      'Okta: group push: remove member',
      'Okta: group push: delete',
      // The crash page is text/plain, which the media-type check rightly reports too.
      'protocol: content type',
    ])
    expect(reasonOf(run, 'Entra users (default PATCH): update')).toMatch(
      /^PATCH \/Users\/[\w-]+ answered 500 \(internal error\), expected 200 or 204$/
    )
    expect(run.byName.get('Entra users (default PATCH): disable')!.reason).toContain('needs "update"')
    const cleanUp = run.byName.get('clean-up: nothing left behind')!
    expect(cleanUp.status).toBe('pass')
    expect(cleanUp.reason).toBe('deleted 5 resource(s) that failed checks left behind')
    expect(await run.left()).toEqual({ users: 0, groups: 0 })
  })

  test('a server that accepts a duplicate userName fails the 409 check, and the duplicate is removed', async () => {
    // Renames a repeated userName on its way in, so the server happily creates a second user.
    const seen = new Set<string>()
    const run = await runAgainst(async (u, init, next) => {
      if (method(init) !== 'POST' || pathOf(u) !== '/scim/v2/Users') return next(u, init)
      const body = JSON.parse(String(init.body)) as { userName: string }
      if (seen.has(body.userName)) body.userName = `dup-${body.userName}`
      seen.add(body.userName)
      return next(u, { ...init, body: JSON.stringify(body) })
    })
    expect(run.notPassed).toEqual(['protocol: 409 on a duplicate userName'])
    expect(reasonOf(run, 'protocol: 409 on a duplicate userName')).toMatch(
      /answered 201: the server creates duplicates, where Entra expects 409 uniqueness/
    )
    expect(await run.left()).toEqual({ users: 0, groups: 0 })
  })

  test('meta.location on another host (a host-rewriting proxy) fails the location check with the fix', async () => {
    const run = await runAgainst(undefined, { baseUrl: 'https://internal.example:8443/scim/v2' })
    expect(run.notPassed).toEqual(['protocol: ETag and meta.location'])
    expect(reasonOf(run, 'protocol: ETag and meta.location')).toMatch(
      /meta\.location is https:\/\/internal\.example:8443\/scim\/v2\/Users\/[\w-]+, on https:\/\/internal\.example:8443 rather than the http:\/\/localhost given with --url: a proxy in front rewrites the Host.*--base-url http:\/\/localhost\/scim\/v2$/
    )
    expect(await run.left()).toEqual({ users: 0, groups: 0 })
  })

  test('a proxy that injects a valid token for everyone fails the 401 check', async () => {
    const run = await runAgainst((u, init, next) =>
      next(u, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${TEST_TOKEN}` },
      })
    )
    expect(run.notPassed).toEqual(['connection: wrong token gets 401'])
    expect(reasonOf(run, 'connection: wrong token gets 401')).toMatch(
      /a wrong token got 200: the deployment does not check tokens/
    )
  })

  test('404 for a filter that matches nothing fails Test Connection with the quarantine warning', async () => {
    const run = await runAgainst(async (u, init, next) => {
      const res = await next(u, init)
      if (method(init) !== 'GET' || !new URL(u).search.includes('filter=')) return res
      const body = (await res.clone().json()) as { totalResults?: number }
      return body.totalResults === 0 ? reshape(res, { status: 404 }) : res
    })
    expect(reasonOf(run, 'connection: Test Connection (Users)')).toMatch(
      /answered 404; Entra needs 200 with an empty ListResponse and quarantines/
    )
    expect(reasonOf(run, 'connection: Test Connection (Groups)')).toMatch(/answered 404.*expected 200/)
    expect(exitCode(run.results)).toBe(1)
  })

  test('a server that reads Entra\'s member removal as "remove all members" fails member remove', async () => {
    // What an RFC-literal server does with Entra's default-dialect body: drops the value list.
    const run = await runAgainst((u, init, next) => {
      if (method(init) !== 'PATCH' || !pathOf(u).startsWith('/scim/v2/Groups/')) return next(u, init)
      const body = JSON.parse(String(init.body)) as { Operations: { op: string; path?: string; value?: unknown }[] }
      for (const op of body.Operations) if (op.op === 'Remove' && op.path === 'members') delete op.value
      return next(u, { ...init, body: JSON.stringify(body) })
    })
    expect(run.notPassed).toEqual([
      'Entra groups (default PATCH): member remove',
      'Entra groups (default PATCH): rename',
      'Entra groups (default PATCH): delete',
    ])
    expect(reasonOf(run, 'Entra groups (default PATCH): member remove')).toContain('emptied the group')
    expect(await run.left()).toEqual({ users: 0, groups: 0 })
  })

  test('an unreachable server fails every check with the network error, and exits non-zero', async () => {
    const run = await runAgainst(() =>
      Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))
    )
    expect(run.results.some((r) => r.status === 'pass' && r.name !== 'clean-up: nothing left behind')).toBe(false)
    expect(reasonOf(run, 'connection: Test Connection (Users)')).toMatch(
      /^GET \/Users\?filter=userName\+eq\+%22[\w-]+%22: no answer: connect ECONNREFUSED/
    )
    expect(exitCode(run.results)).toBe(1)
  })

  test('an untrusted certificate fails the TLS check; with --insecure it only warns', async () => {
    const untrusted: Breakage = () =>
      Promise.reject(Object.assign(new Error('self signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }))
    const run = await runAgainst(untrusted, {}, 'https://localhost/scim/v2')
    expect(reasonOf(run, 'connection: TLS')).toMatch(
      /TLS failed: self signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\); Entra requires a certificate from a publicly trusted CA \(--insecure/
    )
  })
})

test.each([
  [40, 'pass', /^https with a certificate this machine trusts, valid until \d{4}-\d\d-\d\d/],
  [3, 'warn', /^the TLS certificate expires on \d{4}-\d\d-\d\d \(in 3 days\): renew it/],
  [-2, 'warn', /^the TLS certificate expired on \d{4}-\d\d-\d\d: Entra refuses it/],
])('a certificate ending in %i days: the TLS check %s', async (days, status, reason) => {
  const end = new Date(Date.now() + days * 86_400_000 + 60_000)
  const run = await runAgainst(undefined, {}, 'https://localhost/scim/v2', end)
  const tls = run.byName.get('connection: TLS')!
  expect(tls.status).toBe(status as 'pass' | 'warn')
  expect(tls.reason).toMatch(reason)
})

test('a port that does not speak TLS is reported as such, not as a certificate problem', async () => {
  const plain: Breakage = () =>
    Promise.reject(
      Object.assign(new Error('The TLS handshake failed. Does the server speak TLS on this port?'), { code: 'EPROTO' })
    )
  const run = await runAgainst(plain, {}, 'https://localhost/scim/v2')
  const reason = run.byName.get('connection: TLS')!.reason
  expect(reason).toMatch(/TLS failed: The TLS handshake failed.*\(EPROTO\); is this port serving https\?$/)
  expect(reason).not.toContain('publicly trusted')
})

test('a 201 without a Location header fails the location check', async () => {
  const run = await runAgainst(async (u, init, next) => {
    const res = await next(u, init)
    if (res.status !== 201) return res
    const headers = new Headers(res.headers)
    headers.delete('location')
    return new Response(await res.text(), { status: 201, headers })
  })
  expect(run.notPassed).toEqual(['protocol: ETag and meta.location'])
  expect(run.byName.get('protocol: ETag and meta.location')!.reason).toMatch(
    /^the Location header of the 201 is null, meta\.location is "http:\/\/localhost\/scim\/v2\/Users\/[\w-]+"/
  )
})
