// --allow-from: a tenant's tokens are honoured only from its addresses; open paths and the 401 stay as they were.
import { describe, expect, test } from 'bun:test'
import { rememberClientAddress } from '../../src/http/client-address'
import { makeTestApp, TEST_TOKEN, type TestApp } from '../helpers/app'
import { expectScimError } from '../helpers/scim'
import { addTenant } from '../helpers/tenants'

/** A request from `address` (as the listener would report it) to `url`, with `token` unless it is null. */
function from(
  app: TestApp,
  address: string | undefined,
  url: string,
  token: string | null = TEST_TOKEN,
  init: RequestInit = {}
) {
  const headers = new Headers(init.headers)
  if (token !== null) headers.set('authorization', `Bearer ${token}`)
  const request = new Request(url.startsWith('http') ? url : `http://localhost${url}`, { ...init, headers })
  rememberClientAddress(request, address)
  return app.handle(request)
}

describe('--allow-from', () => {
  test('a valid token from outside the list is a 403 SCIM Error that writes nothing; from inside it works', async () => {
    const t = makeTestApp({ allowFrom: ['192.0.2.0/24', '2001:db8::/32'] })
    expect((await from(t, '192.0.2.10', '/scim/v2/Users')).status).toBe(200)
    expect((await from(t, '2001:db8::5', '/scim/v2/Users')).status).toBe(200)
    const refused = await from(t, '203.0.113.9', '/scim/v2/Users', TEST_TOKEN, {
      method: 'POST',
      headers: { 'content-type': 'application/scim+json' },
      body: JSON.stringify({ userName: 'outsider@example.com' }),
    })
    const body = await expectScimError(refused, 403)
    expect(body.detail).toContain('203.0.113.9')
    const list = (await (await from(t, '192.0.2.10', '/scim/v2/Users')).json()) as { totalResults: number }
    expect(list.totalResults).toBe(0)
  })

  test('without a token, or with a wrong one, outsiders get the 401 everyone gets; open paths stay open', async () => {
    const t = makeTestApp({ allowFrom: ['192.0.2.0/24'] })
    expect((await from(t, '203.0.113.9', '/scim/v2/Users', null)).status).toBe(401)
    expect((await from(t, '203.0.113.9', '/scim/v2/Users', 'wrong')).status).toBe(401)
    expect((await from(t, '203.0.113.9', '/healthz', null)).status).toBe(200)
  })

  test('an in-process request with no peer address is outside the list', async () => {
    const t = makeTestApp({ allowFrom: ['0.0.0.0/0'] })
    await expectScimError(await from(t, undefined, '/scim/v2/Users'), 403)
  })

  test('a request the front door re-issues (a short Host) keeps its peer address', async () => {
    const t = makeTestApp({ allowFrom: ['192.0.2.0/24'] })
    expect((await from(t, '192.0.2.10', 'http://x/scim/v2/Users')).status).toBe(200)
    expect((await from(t, '203.0.113.9', 'http://x/scim/v2/Users')).status).toBe(403)
  })

  test("a tenant's own list replaces the server's; tenants without one take the server's", async () => {
    const t = makeTestApp({ allowFrom: ['192.0.2.0/24'] })
    const office = addTenant(t, 'office', { settings: { allowFrom: ['198.51.100.0/24'] } })
    const plain = addTenant(t, 'plain')
    const at = (tenant: { name: string; token: string }, address: string) =>
      from(t, address, `/tenants/${tenant.name}/scim/v2/Users`, tenant.token)
    await t.ready
    expect((await at(office, '198.51.100.1')).status).toBe(200)
    expect((await at(office, '192.0.2.10')).status).toBe(403)
    expect((await at(plain, '192.0.2.10')).status).toBe(200)
    expect((await at(plain, '198.51.100.1')).status).toBe(403)
    // The refusal names the list that holds, so the admin knows which one to change.
    expect((await expectScimError(await at(office, '192.0.2.10'), 403)).detail).toContain(
      "(tenant office's --allow-from: scim-server tenant set office)"
    )
    expect((await expectScimError(await at(plain, '198.51.100.1'), 403)).detail).toContain(
      "(the server's --allow-from or SCIM_ALLOW_FROM)"
    )
  })

  test('a stored list that does not parse lets no address in (fail closed)', async () => {
    const t = makeTestApp()
    const odd = addTenant(t, 'odd', { settings: { allowFrom: ['not-an-address'] } })
    await t.ready
    expect((await from(t, '192.0.2.10', '/tenants/odd/scim/v2/Users', odd.token)).status).toBe(403)
    // The other tenants are served as before.
    expect((await from(t, '192.0.2.10', '/scim/v2/Users')).status).toBe(200)
  })

  test('a server given a range that does not parse refuses to start', async () => {
    const start = async () => await makeTestApp({ allowFrom: ['10.0.0.0/40'] }).ready
    await expect(start()).rejects.toThrow('prefix length')
  })
})
