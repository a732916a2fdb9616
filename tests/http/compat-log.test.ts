// The request log names each IdP compatibility rule a request needed (src/scim/compat/rules.ts), and no other.
import { describe, expect, test } from 'bun:test'
import { COMPAT_RULE_NAMES, type CompatRule } from '../../src/scim/compat/rules'
import {
  activeOp,
  addMemberOps,
  DIALECTS,
  groupBody,
  managerOp,
  removeMemberOps,
  writeOps,
} from '../../src/selftest/entra'
import { patchBody as entraPatch } from '../../src/selftest/wire'
import { makeTestApp, type TestApp } from '../helpers/app'
import { URN_LEGACY_MS_GROUP } from '../helpers/entra'
import { captureLog } from '../helpers/log-capture'
import { URN_ENTERPRISE, URN_GROUP, URN_USER, patchBody, readJson } from '../helpers/scim'

interface World {
  t: TestApp
  alice: string
  manager: string
  group: string
}

async function idOf(res: Response): Promise<string> {
  expect(res.status).toBe(201)
  return (await readJson(res)).id
}

/** A fresh server with a user (work email), a manager and an empty group, and its request lines. */
async function world() {
  const log = captureLog()
  const t = makeTestApp({ logger: log.logger })
  const alice = await idOf(
    await t.request('POST', '/scim/v2/Users', {
      schemas: [URN_USER],
      userName: 'alice',
      emails: [{ type: 'work', value: 'alice@example.com' }],
    })
  )
  const manager = await idOf(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'boss' }))
  const group = await idOf(await t.request('POST', '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'g' }))
  const last = () =>
    log
      .records()
      .filter((r) => r.msg === 'request')
      .at(-1)!
  return { w: { t, alice, manager, group } as World, last }
}

type Send = (w: World) => Promise<Response>

const patchUser =
  (...ops: object[]): Send =>
  (w) =>
    w.t.request('PATCH', `/scim/v2/Users/${w.alice}`, patchBody(...ops))
const patchUserRaw =
  (body: unknown): Send =>
  (w) =>
    w.t.request('PATCH', `/scim/v2/Users/${w.alice}`, body)
const patchManager =
  (value: (w: World) => unknown): Send =>
  (w) =>
    w.t.request(
      'PATCH',
      `/scim/v2/Users/${w.alice}`,
      patchBody({ op: 'add', path: `${URN_ENTERPRISE}:manager`, value: value(w) })
    )
const patchGroup =
  (op: (w: World) => object): Send =>
  (w) =>
    w.t.request('PATCH', `/scim/v2/Groups/${w.group}`, patchBody(op(w)))
const createUser =
  (extra: Record<string, unknown>): Send =>
  (w) =>
    w.t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'carol', ...extra })
const list =
  (filter: string): Send =>
  (w) =>
    w.t.request('GET', `/scim/v2/Users?filter=${encodeURIComponent(filter)}`)
const createGroup =
  (schemas: string[]): Send =>
  (w) =>
    w.t.request('POST', '/scim/v2/Groups', { schemas, displayName: 'h' })

/** Per rule: the request an IdP sends that needs it, and the RFC form of the same request. */
const cases: Record<CompatRule, { fires: Send; quiet: Send }> = {
  'op-case': {
    fires: patchUser({ op: 'Replace', path: 'title', value: 'x' }),
    quiet: patchUser({ op: 'replace', path: 'title', value: 'x' }),
  },
  'schemas-missing': {
    fires: patchUserRaw({ Operations: [{ op: 'add', path: 'title', value: 'x' }] }),
    quiet: patchUser({ op: 'add', path: 'title', value: 'x' }),
  },
  'schemas-incomplete': {
    fires: createUser({ [URN_ENTERPRISE]: { employeeNumber: '7' } }),
    quiet: createUser({ schemas: [URN_USER, URN_ENTERPRISE], [URN_ENTERPRISE]: { employeeNumber: '7' } }),
  },
  'empty-path': {
    fires: patchUser({ op: 'replace', path: '', value: { title: 'x' } }),
    quiet: patchUser({ op: 'replace', value: { title: 'x' } }),
  },
  'null-ref': {
    fires: patchGroup((w) => ({ op: 'add', path: 'members', value: [{ $ref: null, value: w.alice }] })),
    quiet: patchGroup((w) => ({ op: 'add', path: 'members', value: [{ value: w.alice }] })),
  },
  'echoed-read-only': {
    fires: (w) => patchUser({ op: 'replace', value: { id: w.alice, active: false } })(w),
    quiet: patchUser({ op: 'replace', value: { active: false } }),
  },
  'bool-string': {
    fires: patchUser({ op: 'replace', path: 'active', value: 'False' }),
    quiet: patchUser({ op: 'replace', path: 'active', value: false }),
  },
  'manager-string': {
    fires: patchManager((w) => w.manager),
    quiet: patchManager((w) => ({ value: w.manager })),
  },
  'array-as-single': {
    fires: patchManager((w) => [{ value: w.manager }]),
    quiet: patchManager((w) => ({ value: w.manager })),
  },
  'single-as-multi': {
    fires: createUser({ emails: { value: 'carol@example.com' } }),
    quiet: createUser({ emails: [{ value: 'carol@example.com' }] }),
  },
  'empty-string': {
    fires: createUser({ title: '' }),
    quiet: createUser({ title: 'Boss' }),
  },
  'path-key': {
    fires: patchUser({ op: 'replace', value: { 'name.givenName': 'Alice' } }),
    quiet: patchUser({ op: 'replace', value: { name: { givenName: 'Alice' } } }),
  },
  'unqualified-extension': {
    fires: patchUser({ op: 'add', path: 'employeeNumber', value: '7' }),
    quiet: patchUser({ op: 'add', path: `${URN_ENTERPRISE}:employeeNumber`, value: '7' }),
  },
  'legacy-group-urn': {
    fires: createGroup([URN_GROUP, URN_LEGACY_MS_GROUP]),
    quiet: createGroup([URN_GROUP]),
  },
  'undeclared-attribute': {
    fires: createUser({ favoriteColor: 'green' }),
    quiet: createUser({ nickName: 'green' }),
  },
  'filter-unquoted': {
    fires: list('externalId eq jyoung'),
    quiet: list('externalId eq "jyoung"'),
  },
  'filter-vpath-sub': {
    fires: list('emails[type eq "work"].value eq "alice@example.com"'),
    quiet: list('emails[type eq "work" and value eq "alice@example.com"]'),
  },
  'vpath-create': {
    fires: patchUser({ op: 'add', path: 'emails[type eq "home"].value', value: 'home@example.com' }),
    quiet: patchUser({ op: 'add', path: 'emails[type eq "work"].value', value: 'new@example.com' }),
  },
  'vpath-no-match': {
    fires: patchUser({ op: 'remove', path: 'emails[type eq "home"]' }),
    quiet: patchUser({ op: 'remove', path: 'emails[type eq "work"]' }),
  },
  'remove-by-value': {
    fires: patchGroup((w) => ({ op: 'remove', path: 'members', value: [{ value: w.alice }] })),
    quiet: patchGroup((w) => ({ op: 'remove', path: `members[value eq "${w.alice}"]` })),
  },
}

describe('http request log: compat', () => {
  test('every rule of the catalogue is exercised here', () => {
    expect(Object.keys(cases).sort()).toEqual([...COMPAT_RULE_NAMES].sort())
  })

  test.each(COMPAT_RULE_NAMES)('%s: the request that needs it names it in its line', async (rule) => {
    const { w, last } = await world()
    const res = await cases[rule].fires(w)
    expect(res.status).toBeLessThan(300)
    expect(last().compat).toEqual([rule])
  })

  test.each(COMPAT_RULE_NAMES)('%s: the RFC form of the same request has no compat field', async (rule) => {
    const { w, last } = await world()
    const res = await cases[rule].quiet(w)
    expect(res.status).toBeLessThan(300)
    expect(last()).not.toHaveProperty('compat')
  })

  test("Entra's default-dialect disable names both rules it needed, each once", async () => {
    const { w, last } = await world()
    await patchUser(
      { op: 'Replace', path: 'active', value: 'False' },
      { op: 'Replace', path: 'title', value: 'True' },
      { op: 'Replace', path: 'userType', value: 'False' }
    )(w)
    expect(last().compat).toEqual(['op-case', 'bool-string'])
  })

  test('a cached filter reports its rules on every request, through each way of listing', async () => {
    const { w, last } = await world()
    const filter = 'externalId eq jyoung and roles[primary eq "True"]'
    const rules = ['filter-unquoted', 'bool-string']
    for (let i = 0; i < 2; i++) {
      expect((await list(filter)(w)).status).toBe(200)
      expect(last().compat).toEqual(rules)
    }
    const search = { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter }
    expect((await w.t.request('POST', '/scim/v2/Users/.search', search)).status).toBe(200)
    expect(last().compat).toEqual(rules)
    expect((await w.t.request('POST', '/scim/v2/.search', { ...search, filter: 'manager.value eq "x"' })).status).toBe(
      200
    )
    expect(last().compat).toEqual(['unqualified-extension'])
    expect((await w.t.request('GET', `/scim/v2/Users?cursor&filter=${encodeURIComponent(filter)}`)).status).toBe(200)
    expect(last().compat).toEqual(rules)
  })

  test.each(DIALECTS)("Entra's %s dialect: each lifecycle request names the rules it needed", async (dialect) => {
    const { w, last } = await world()
    const flag = dialect === 'aadOptscim062020'
    const seen = async (method: string, path: string, body: unknown) => {
      expect((await w.t.request(method, path, body)).status).toBeLessThan(300)
      return last().compat ?? []
    }
    const user = `/scim/v2/Users/${w.alice}`
    const group = `/scim/v2/Groups/${w.group}`
    expect(await seen('POST', '/scim/v2/Groups', groupBody({ displayName: `e-${dialect}` }))).toEqual([
      'legacy-group-urn',
    ])
    const attributes = writeOps(
      [
        ['displayName', 'Alice'],
        ['name.givenName', 'Alice'],
        ['emails[type eq "work"].value', 'alice@example.com'],
      ],
      dialect
    )
    expect(await seen('PATCH', user, entraPatch(attributes))).toEqual(flag ? ['path-key'] : ['op-case'])
    expect(await seen('PATCH', user, entraPatch([managerOp(w.manager, dialect)]))).toEqual(
      flag ? ['manager-string'] : ['op-case', 'manager-string']
    )
    expect(await seen('PATCH', user, entraPatch([activeOp(false, dialect)]))).toEqual(
      flag ? [] : ['op-case', 'bool-string']
    )
    expect(await seen('PATCH', group, entraPatch(addMemberOps([w.alice], dialect)))).toEqual(
      flag ? [] : ['op-case', 'null-ref']
    )
    expect(await seen('PATCH', group, entraPatch(removeMemberOps([w.alice], dialect)))).toEqual(
      flag ? [] : ['op-case', 'remove-by-value']
    )
  })

  test('a PUT body reports its rules as a POST body does', async () => {
    const { w, last } = await world()
    const res = await w.t.request('PUT', `/scim/v2/Users/${w.alice}`, {
      schemas: [URN_USER],
      userName: 'alice',
      active: 'True',
    })
    expect(res.status).toBe(200)
    expect(last().compat).toEqual(['bool-string'])
  })

  test('a Bulk request reports the rules its operations needed', async () => {
    const { w, last } = await world()
    const res = await w.t.request('POST', '/scim/v2/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [URN_USER], userName: 'dan', active: 'True' } },
      ],
    })
    expect(res.status).toBe(200)
    expect(last().compat).toEqual(['bool-string'])
  })
})
