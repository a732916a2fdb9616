// Token scopes on every kind of endpoint: provision writes, read only reads and searches, metrics only scrapes.
import { beforeAll, describe, expect, test } from 'bun:test'
import { scopeRefusal } from '../../src/auth/scopes'
import { makeScopedApp, type ScopedApp } from '../helpers/scoped-app'
import { expectScimError, patchBody, readJson, URN_GROUP, URN_USER } from '../helpers/scim'

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest'
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'

let t: ScopedApp
let userId: string
let groupId: string

beforeAll(async () => {
  t = makeScopedApp()
  userId = (await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'ada' }))).id
  groupId = (
    await readJson(
      await t.request('POST', '/scim/v2/Groups', {
        schemas: [URN_GROUP],
        displayName: 'staff',
        members: [{ value: userId }],
      })
    )
  ).id
})

type Call = [method: string, path: () => string, body?: () => unknown]

const READS: Record<string, Call> = {
  'list users': ['GET', () => '/scim/v2/Users?filter=userName%20eq%20%22ada%22'],
  'get user': ['GET', () => `/scim/v2/Users/${userId}`],
  'list groups': ['GET', () => '/scim/v2/Groups'],
  'get group': ['GET', () => `/scim/v2/Groups/${groupId}`],
  'users .search': ['POST', () => '/scim/v2/Users/.search', () => ({ schemas: [SEARCH], filter: 'userName eq "ada"' })],
  'groups .search': ['POST', () => '/scim/v2/Groups/.search', () => ({ schemas: [SEARCH] })],
  'root .search': ['POST', () => '/scim/v2/.search', () => ({ schemas: [SEARCH] })],
  'respelled .search': ['POST', () => '/scim/v2/users/.SEARCH', () => ({ schemas: [SEARCH] })],
  ServiceProviderConfig: ['GET', () => '/scim/v2/ServiceProviderConfig'],
  Schemas: ['GET', () => '/scim/v2/Schemas'],
  'a schema': ['GET', () => `/scim/v2/Schemas/${URN_USER}`],
  ResourceTypes: ['GET', () => '/scim/v2/ResourceTypes'],
  'a resource type': ['GET', () => '/scim/v2/ResourceTypes/User'],
}

const WRITES: Record<string, Call> = {
  'create user': ['POST', () => '/scim/v2/Users', () => ({ schemas: [URN_USER], userName: 'intruder' })],
  'create user, respelled': ['POST', () => '/scim/v2/users', () => ({ schemas: [URN_USER], userName: 'intruder-2' })],
  'create group': ['POST', () => '/scim/v2/Groups', () => ({ schemas: [URN_GROUP], displayName: 'intruders' })],
  'replace user': ['PUT', () => `/scim/v2/Users/${userId}`, () => ({ schemas: [URN_USER], userName: 'eve' })],
  'patch user': [
    'PATCH',
    () => `/scim/v2/Users/${userId}`,
    () => patchBody({ op: 'replace', path: 'active', value: false }),
  ],
  'patch group members': [
    'PATCH',
    () => `/scim/v2/Groups/${groupId}`,
    () => patchBody({ op: 'remove', path: `members[value eq "${userId}"]` }),
  ],
  'delete user': ['DELETE', () => `/scim/v2/Users/${userId}`],
  'delete group': ['DELETE', () => `/scim/v2/Groups/${groupId}`],
  bulk: [
    'POST',
    () => '/scim/v2/Bulk',
    () => ({
      schemas: [BULK],
      Operations: [{ method: 'POST', path: '/Users', bulkId: 'x', data: { schemas: [URN_USER], userName: 'bulk' } }],
    }),
  ],
}

const METRICS: Call = ['GET', () => '/metrics']

const send = (scope: 'provision' | 'read' | 'metrics', [method, path, body]: Call) =>
  t.as(scope, method, path(), body?.())

/** Everything a write could touch, read with the provisioning token. */
async function snapshot(): Promise<string> {
  const users = await (await t.request('GET', '/scim/v2/Users')).text()
  const groups = await (await t.request('GET', '/scim/v2/Groups')).text()
  return users + groups
}

describe('read scope', () => {
  test.each(Object.keys(READS))('%s is served', async (name) => {
    expect((await send('read', READS[name]!)).status).toBe(200)
  })

  test.each(Object.keys(WRITES))('%s is 403, read-only, and nothing is written', async (name) => {
    const before = await snapshot()
    const body = await expectScimError(await send('read', WRITES[name]!), 403)
    expect(body.detail).toContain('read-only')
    expect(await snapshot()).toBe(before)
  })

  test('/metrics is 403', async () => {
    expect((await expectScimError(await send('read', METRICS), 403)).detail).toContain('needs a metrics token')
  })
})

describe('metrics scope', () => {
  test('GET /metrics is served, in Prometheus text', async () => {
    const res = await send('metrics', METRICS)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toStartWith('text/plain')
  })

  test.each([...Object.keys(READS), ...Object.keys(WRITES)])('%s is 403', async (name) => {
    const call = READS[name] ?? WRITES[name]!
    const before = await snapshot()
    expect((await expectScimError(await send('metrics', call), 403)).detail).toContain('only GET /metrics')
    expect(await snapshot()).toBe(before)
  })
})

describe('provision scope', () => {
  test.each(Object.keys(READS))('%s is served', async (name) => {
    expect((await send('provision', READS[name]!)).status).toBe(200)
  })

  test("/metrics is 403: a provisioning token does not read every tenant's figures", async () => {
    expect((await expectScimError(await send('provision', METRICS), 403)).detail).toContain('--metrics-listen')
  })

  test('every write is served (last, since they change the data)', async () => {
    for (const name of Object.keys(WRITES).filter((n) => !n.startsWith('delete'))) {
      const status = (await send('provision', WRITES[name]!)).status
      expect([200, 201, 204]).toContain(status)
    }
    expect((await send('provision', WRITES['delete group']!)).status).toBe(204)
    expect((await send('provision', WRITES['delete user']!)).status).toBe(204)
  })
})

test('open paths need no token and pass whatever the scope', async () => {
  for (const scope of ['provision', 'read', 'metrics'] as const)
    expect((await t.as(scope, 'GET', '/healthz')).status).toBe(200)
})

test.each([
  ['read', 'OPTIONS', '/scim/v2/Users'],
  ['read', 'POST', '/scim/v2/Users/.searchx'],
  ['metrics', 'POST', '/metrics'],
  ['metrics', 'DELETE', '/metrics'],
] as const)('%s may not %s %s', (scope, method, path) => {
  expect(scopeRefusal(scope, method, path)).toBeDefined()
})

test.each([
  ['read', 'POST', '/scim/v2/Events'],
  ['provision', 'POST', '/scim/v2/Events'],
  ['read', 'GET', '/scim/v2/Events/jwks.json'],
] as const)('%s may %s %s: an RFC 8936 poll only reads', (scope, method, path) => {
  expect(scopeRefusal(scope, method, path)).toBeUndefined()
})

test('a read token polls events through the HTTP stack', async () => {
  const res = await t.as('read', 'POST', '/scim/v2/Events', { returnImmediately: true })
  expect(res.status).not.toBe(403)
})
