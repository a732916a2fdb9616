// Random client mistakes never produce a 500: seeded random bodies, paths and filters over HTTP.
import { expect, test } from 'bun:test'
import { makeTestApp } from '../helpers/app'
import { URN_ENTERPRISE, URN_GROUP, URN_USER, expectScimError, patchBody, readJson } from '../helpers/scim'

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

function prng(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
}

const rand = prng(42)
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
const NAMES = [
  'userName',
  'name',
  'name.givenName',
  'emails',
  'emails[type eq "work"].value',
  'active',
  'title',
  'members',
  'meta',
  'id',
  'groups',
  `${URN_ENTERPRISE}:manager`,
  `${URN_ENTERPRISE}:manager.value`,
  `${URN_ENTERPRISE}`,
  'addresses[type eq "work"].locality',
  'phoneNumbers',
  'x509Certificates',
  'urn:x:y:Z:attr',
  'emails[value co "a"]',
  'roles[primary eq "True"].value',
  'bad path!',
  '',
]
function value(depth = 0): unknown {
  const kind = Math.floor(rand() * (depth > 1 ? 6 : 8))
  switch (kind) {
    case 0:
      return null
    case 1:
      return rand() < 0.5
    case 2:
      return Math.floor(rand() * 1000) - 500
    case 3:
      return pick(['', 'x', 'True', 'False', '2020-01-01T00:00:00Z', 'not a date'])
    case 4:
      return pick([[], {}])
    case 5:
      return 'é'.repeat(Math.floor(rand() * 3))
    case 6:
      return Array.from({ length: 1 + Math.floor(rand() * 3) }, () => value(depth + 1))
    default:
      return Object.fromEntries(
        Array.from({ length: 1 + Math.floor(rand() * 3) }, () => [
          pick(['value', 'type', 'primary', 'display', 'givenName', '$ref']),
          value(depth + 1),
        ])
      )
  }
}

async function expectNo500(res: Response, what: string) {
  if (res.status >= 500) throw new Error(`${what} → ${res.status}: ${await res.text()}`)
  if (res.status >= 400)
    expect(((await res.json()) as { schemas: string[] }).schemas).toEqual([
      'urn:ietf:params:scim:api:messages:2.0:Error',
    ])
}

test('600 random creates, PATCHes and filters: only 2xx and 4xx, 4xx always a SCIM Error', async () => {
  const t = makeTestApp()
  const users: string[] = []
  for (let i = 0; i < 200; i++) {
    const body: Record<string, unknown> = { schemas: [URN_USER], userName: rand() < 0.9 ? `u${i}` : value() }
    for (let k = 0; k < 3; k++)
      body[pick(['name', 'emails', 'active', 'title', 'addresses', URN_ENTERPRISE, 'groups', 'meta', 'roles'])] =
        value()
    const res = await t.request('POST', '/scim/v2/Users', body)
    if (res.status === 201) users.push(((await res.clone().json()) as { id: string }).id)
    await expectNo500(res, `POST ${JSON.stringify(body)}`)
  }
  for (let i = 0; i < 200; i++) {
    const ops = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => {
      const op: Record<string, unknown> = { op: pick(['add', 'Replace', 'remove', 'REMOVE', 'bogus']) }
      if (rand() < 0.85) op.path = pick(NAMES)
      if (rand() < 0.8) op.value = rand() < 0.3 && users.length ? pick(users) : value()
      return op
    })
    const body = patchBody(...ops)
    await expectNo500(await t.request('PATCH', `/scim/v2/Users/${pick(users)}`, body), `PATCH ${JSON.stringify(body)}`)
  }
  const filters = [
    'userName eq',
    'emails[type eq "work"',
    'name.givenName co 5',
    'meta.created gt "yesterday"',
    'active gt true',
    'not (x)',
    '((',
    'userName eq "a" or',
    'emails.value ew "é"',
    'title pr and not (title eq "x")',
  ]
  for (let i = 0; i < 200; i++) {
    const f =
      rand() < 0.5
        ? pick(filters)
        : `${pick(NAMES)} ${pick(['eq', 'ne', 'co', 'gt', 'pr', 'xx'])} ${JSON.stringify(value(2))}`
    await expectNo500(
      await t.request(
        'GET',
        `/scim/v2/Users?filter=${encodeURIComponent(f)}&sortBy=${encodeURIComponent(pick(NAMES))}`
      ),
      `filter ${f}`
    )
  }
}, 60_000)

// No stored text holds NUL (writes refuse it), and PostgreSQL cannot even compare with it: an id
// with NUL names nothing on either store, and a filter value with NUL is refused as the write would be.
test('NUL in a path id is a 404 on every method; NUL in a filter value is a 400 invalidFilter', async () => {
  const t = makeTestApp()
  const user = { schemas: [URN_USER], userName: 'nul-probe' }
  const patch = patchBody({ op: 'replace', path: 'title', value: 'x' })
  for (const [method, body] of [['GET'], ['PATCH', patch], ['PUT', user], ['DELETE']] as const)
    for (const type of ['Users', 'Groups']) {
      const res = await t.request(method, `/scim/v2/${type}/a%00b`, body)
      expect({ method, type, status: res.status }).toEqual({ method, type, status: 404 })
    }
  for (const filter of [
    'userName eq "a\\u0000b"',
    'externalId eq "\\u0000"',
    'title co "\\u0000"',
    'emails[value eq "\\u0000"]',
    'id eq "\\u0000"',
    'title ne "\\ud800"',
  ]) {
    const res = await t.request('GET', `/scim/v2/Users?filter=${encodeURIComponent(filter)}`)
    expect({ filter, status: res.status, scimType: ((await res.json()) as { scimType?: string }).scimType }).toEqual({
      filter,
      status: 400,
      scimType: 'invalidFilter',
    })
  }
  const members = await t.request('POST', '/scim/v2/Groups', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: 'nul-members',
    members: [{ value: 'a\u0000b' }],
  })
  expect(members.status).toBe(400)
})

// A reference is compared with stored ids, and no stored text holds NUL or a lone surrogate (which
// PostgreSQL cannot even bind): such a member or manager names no resource, on either store.
test.each(['\\u0000', '\\ud800', 'a\\udc00b'])(
  'a member or manager value %s names nothing: removing it changes nothing, adding it is 400 invalidValue',
  async (escaped) => {
    const t = makeTestApp()
    const user = await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'ref@x' }))
    const group = await readJson(
      await t.request('POST', '/scim/v2/Groups', {
        schemas: [URN_GROUP],
        displayName: 'refs',
        members: [{ value: user.id }],
      })
    )
    const ops = (op: string) =>
      `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"${op}","path":"members","value":[{"value":"${escaped}"}]}]}`
    expect((await t.request('PATCH', `/scim/v2/Groups/${group.id}`, ops('remove'))).status).toBe(204)
    for (const op of ['add', 'replace'])
      await expectScimError(await t.request('PATCH', `/scim/v2/Groups/${group.id}`, ops(op)), 400, 'invalidValue')
    await expectScimError(
      await t.request(
        'PUT',
        `/scim/v2/Groups/${group.id}`,
        `{"schemas":["${URN_GROUP}"],"displayName":"refs","members":[{"value":"${escaped}"}]}`
      ),
      400,
      'invalidValue'
    )
    await expectScimError(
      await t.request(
        'POST',
        '/scim/v2/Users',
        `{"schemas":["${URN_USER}"],"userName":"m@x","${URN_ENTERPRISE}":{"manager":{"value":"${escaped}"}}}`
      ),
      400,
      'invalidValue'
    )
    const after = await readJson(await t.request('GET', `/scim/v2/Groups/${group.id}`))
    expect(after.members.map((m: { value: string }) => m.value)).toEqual([user.id])
    expect(after.meta.version).toBe(group.meta.version)
  }
)

// JSON lets a search body hold a raw lone surrogate, which no URL can: the one-comparison form Entra
// sends must refuse it as every other filter does, not compare it (bound, it reads as U+FFFD).
test('a raw lone surrogate in a search filter is 400 invalidFilter, whatever the filter shape', async () => {
  const t = makeTestApp()
  await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'a\ufffd', externalId: '\ufffd' })
  for (const filter of [
    'userName eq \\"a\\ud800\\"',
    'externalId eq \\"\\udc00\\"',
    'userName pr and title eq \\"\\ud800\\"',
  ]) {
    const res = await t.request(
      'POST',
      '/scim/v2/Users/.search',
      `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"${filter}"}`
    )
    expect({ filter, status: res.status }).toEqual({ filter, status: 400 })
    expect(((await res.json()) as { scimType?: string }).scimType).toBe('invalidFilter')
  }
})
