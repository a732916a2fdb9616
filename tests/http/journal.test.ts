// The journal entry of every kind of change, made over HTTP: create, replace, patch, delete, members, cascades, bulk.
import { describe, expect, test } from 'bun:test'
import type { JournalEntry } from '../../src/journal/types'
import type { SchemaDocument } from '../../src/scim/schema/types'
import { hashToken } from '../../src/auth/tokens'
import { makeTestApp, TEST_TOKEN, type TestApp } from '../helpers/app'
import { sqliteOnly } from '../helpers/test-store'
import { URN_ENTERPRISE, URN_GROUP, URN_USER, patchBody, readJson } from '../helpers/scim'

const LABEL = hashToken(TEST_TOKEN).toString('hex', 0, 4)

/** The default tenant's entries, read from whichever store serves (t.journal). */
function entries(t: TestApp): Promise<JournalEntry[]> {
  return t.journal('default', 0, 1000)
}

async function user(t: TestApp, userName: string, extra: object = {}): Promise<string> {
  const res = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName, ...extra })
  expect(res.status).toBe(201)
  return (await readJson(res)).id
}

async function group(t: TestApp, displayName: string, members: string[]): Promise<string> {
  const res = await t.request('POST', '/scim/v2/Groups', {
    schemas: [URN_GROUP],
    displayName,
    members: members.map((value) => ({ value })),
  })
  expect(res.status).toBe(201)
  return (await readJson(res)).id
}

describe('http journal entries', () => {
  test('a create: actor, request id, versions, every attribute as a change, never the password', async () => {
    const t = makeTestApp()
    const res = await t.request('POST', '/scim/v2/Users', {
      schemas: [URN_USER],
      userName: 'alice',
      password: 'hunter2-secret',
      name: { givenName: 'Alice', familyName: 'Smith' },
      emails: [{ value: 'a@example.com', type: 'work' }],
    })
    const id = (await readJson(res)).id
    const [e, ...rest] = await entries(t)
    expect(rest).toEqual([])
    expect(e).toMatchObject({
      seq: 1,
      tenant: 'default',
      actor: LABEL,
      requestId: res.headers.get('x-request-id'),
      op: 'create',
      resourceType: 'User',
      resourceId: id,
      versionBefore: null,
      versionAfter: 1,
      cascade: false,
      prevHash: '',
    })
    expect(e!.changes).toEqual([
      { path: 'emails', after: [{ value: 'a@example.com', type: 'work' }] },
      { path: 'name.familyName', after: 'Smith' },
      { path: 'name.givenName', after: 'Alice' },
      { path: 'userName', after: 'alice' },
    ])
    expect(JSON.stringify(e)).not.toContain('hunter2')
    expect(e!.hash).toMatch(/^[0-9a-f]{64}$/)
  })

  test('an Entra PATCH: the changed paths with before and after, and the compatibility rules that fired', async () => {
    const t = makeTestApp()
    const id = await user(t, 'bob', { active: true, displayName: 'Bob' })
    const res = await t.request(
      'PATCH',
      `/scim/v2/Users/${id}`,
      patchBody(
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Add', path: 'displayName', value: 'Robert' },
        { op: 'Add', path: 'password', value: 'never-journaled' }
      )
    )
    expect(res.status).toBe(200)
    const e = (await entries(t))[1]!
    expect(e).toMatchObject({
      op: 'patch',
      versionBefore: 1,
      versionAfter: 2,
      requestId: res.headers.get('x-request-id'),
    })
    expect(e.changes).toEqual([
      { path: 'active', before: true, after: false },
      { path: 'displayName', before: 'Bob', after: 'Robert' },
    ])
    expect(e.compat.length).toBeGreaterThan(0)
    expect(JSON.stringify(e)).not.toContain('never-journaled')
    expect(e.prevHash).toBe((await entries(t))[0]!.hash)
  })

  test("an extension attribute its schema returns never (a vendor's PIN) is journaled as the password is: not at all", async () => {
    const URN_VAULT = 'urn:example:params:scim:schemas:extension:vault:2.0:User'
    const vault = {
      id: URN_VAULT,
      name: 'Vault',
      attributes: [
        { name: 'pin', type: 'string', multiValued: false, mutability: 'writeOnly', returned: 'never' },
        {
          name: 'badge',
          type: 'complex',
          multiValued: false,
          subAttributes: [
            { name: 'number', type: 'string', multiValued: false },
            { name: 'Secret', type: 'string', multiValued: false, returned: 'never' },
          ],
        },
        {
          name: 'keys',
          type: 'complex',
          multiValued: true,
          subAttributes: [
            { name: 'label', type: 'string', multiValued: false },
            { name: 'material', type: 'string', multiValued: false, returned: 'never' },
          ],
        },
      ],
    } as unknown as SchemaDocument
    const t = makeTestApp({ extraSchemas: [{ schema: vault, resourceType: 'User' }] })
    const id = await user(t, 'dora', {
      schemas: [URN_USER, URN_VAULT],
      [URN_VAULT]: {
        pin: '4711-first',
        badge: { number: 'B7', secret: 'sesame-first' },
        keys: [{ label: 'door', material: 'sesame-key' }],
      },
    })
    const res = await t.request(
      'PATCH',
      `/scim/v2/Users/${id}`,
      patchBody(
        { op: 'replace', path: `${URN_VAULT}:pin`, value: '4711-second' },
        { op: 'replace', path: `${URN_VAULT}:badge.secret`, value: 'sesame-second' },
        { op: 'replace', path: `${URN_VAULT}:keys[label eq "door"].material`, value: 'sesame-key-2' },
        { op: 'replace', path: 'displayName', value: 'Dora' }
      )
    )
    expect(res.status).toBe(200)
    expect(await t.request('DELETE', `/scim/v2/Users/${id}`)).toHaveProperty('status', 204)
    const all = await entries(t)
    expect(all.map((e) => e.op)).toEqual(['create', 'patch', 'delete'])
    expect(all[0]!.changes.map((c) => c.path)).toEqual([`${URN_VAULT}:badge.number`, `${URN_VAULT}:keys`, 'userName'])
    expect(all[0]!.changes[1]!.after).toEqual([{ label: 'door' }])
    expect(all[1]!.changes.map((c) => c.path)).toEqual(['displayName'])
    const text = JSON.stringify(all)
    for (const secret of ['4711', 'sesame']) expect(text).not.toContain(secret)
  })

  test('a PATCH or PUT that changes nothing appends nothing', async () => {
    const t = makeTestApp()
    const id = await user(t, 'carol', { active: true })
    await t.request('PATCH', `/scim/v2/Users/${id}`, patchBody({ op: 'replace', path: 'active', value: true }))
    await t.request('PUT', `/scim/v2/Users/${id}`, { schemas: [URN_USER], userName: 'carol', active: true })
    expect(await entries(t)).toHaveLength(1)
  })

  test('a PUT: replace, with removed attributes as changes without after', async () => {
    const t = makeTestApp()
    const id = await user(t, 'dave', { title: 'Engineer', nickName: 'D' })
    await t.request('PUT', `/scim/v2/Users/${id}`, { schemas: [URN_USER], userName: 'dave', title: 'Manager' })
    const e = (await entries(t))[1]!
    expect(e).toMatchObject({ op: 'replace', versionBefore: 1, versionAfter: 2 })
    expect(e.changes).toEqual([
      { path: 'nickName', before: 'D' },
      { path: 'title', before: 'Engineer', after: 'Manager' },
    ])
  })

  test('membership changes: members[value eq "id"] paths, the member object after a join and before a leave', async () => {
    const t = makeTestApp()
    const [a, b] = [await user(t, 'a'), await user(t, 'b')]
    const g = await group(t, 'Sales', [a])
    expect((await entries(t))[2]!.changes).toEqual([
      { path: 'displayName', after: 'Sales' },
      { path: `members[value eq "${a}"]`, after: { value: a, type: 'User' } },
    ])
    await t.request(
      'PATCH',
      `/scim/v2/Groups/${g}`,
      patchBody(
        { op: 'add', path: 'members', value: [{ value: b }] },
        { op: 'remove', path: `members[value eq "${a}"]` }
      )
    )
    const patched = (await entries(t))[3]!
    expect(patched).toMatchObject({
      op: 'patch',
      resourceType: 'Group',
      resourceId: g,
      versionBefore: 1,
      versionAfter: 2,
    })
    expect(patched.changes).toEqual([
      { path: `members[value eq "${b}"]`, after: { value: b, type: 'User' } },
      { path: `members[value eq "${a}"]`, before: { value: a, type: 'User' } },
    ])
    // Entra's retried add changes nothing, so it is no entry.
    await t.request('PATCH', `/scim/v2/Groups/${g}`, patchBody({ op: 'add', path: 'members', value: [{ value: b }] }))
    expect(await entries(t)).toHaveLength(4)
    await t.request('PUT', `/scim/v2/Groups/${g}`, {
      schemas: [URN_GROUP],
      displayName: 'Sales',
      members: [{ value: a }],
    })
    expect((await entries(t))[4]!.changes).toEqual([
      { path: `members[value eq "${b}"]`, before: { value: b, type: 'User' } },
      { path: `members[value eq "${a}"]`, after: { value: a, type: 'User' } },
    ])
  })

  test('a deleted user: its entry holds what it was; each group it left and each report that lost it as manager gets a cascade entry', async () => {
    const t = makeTestApp()
    const boss = await user(t, 'boss', { title: 'CEO' })
    const report = await user(t, 'report', { [URN_ENTERPRISE]: { manager: { value: boss }, department: 'R&D' } })
    const g1 = await group(t, 'One', [boss, report])
    const g2 = await group(t, 'Two', [boss])
    // Joining groups moved the served version (users show their groups), unjournaled.
    const version = (await readJson(await t.request('GET', `/scim/v2/Users/${boss}`))).meta.version
    const res = await t.request('DELETE', `/scim/v2/Users/${boss}`)
    expect(res.status).toBe(204)
    const [deleted, ...cascades] = (await entries(t)).slice(4)
    expect(deleted).toMatchObject({ op: 'delete', resourceId: boss, versionAfter: null, cascade: false })
    expect(`W/"${deleted!.versionBefore}"`).toBe(version)
    expect(deleted!.requestId).toBe(res.headers.get('x-request-id'))
    expect(cascades.map((e) => [e.op, e.resourceId, e.cascade]).sort()).toEqual(
      [
        ['patch', g1, true],
        ['patch', g2, true],
        ['patch', report, true],
      ].sort()
    )
    expect(deleted!.changes).toEqual([
      { path: 'title', before: 'CEO' },
      { path: 'userName', before: 'boss' },
    ])
    const left = cascades.filter((e) => e.resourceType === 'Group')
    expect(left.map((e) => e.resourceId).sort()).toEqual([g1, g2].sort())
    for (const e of left) {
      expect(e.changes).toEqual([{ path: `members[value eq "${boss}"]`, before: { value: boss, type: 'User' } }])
      expect(e.versionAfter).toBe(e.versionBefore! + 1)
      expect(e.requestId).toBe(res.headers.get('x-request-id'))
    }
    const lostManager = cascades.find((e) => e.resourceId === report)!
    expect(lostManager.changes).toEqual([{ path: `${URN_ENTERPRISE}:manager.value`, before: boss }])
    const served = await readJson(await t.request('GET', `/scim/v2/Users/${report}`))
    expect(lostManager.versionAfter).toBe(Number(/"(\d+)"/.exec(served.meta.version)![1]))
  })

  test('a deleted group: its members are in its entry; groups that listed it get a cascade entry', async () => {
    const t = makeTestApp()
    const a = await user(t, 'a')
    const inner = await group(t, 'Inner', [a])
    const outer = await group(t, 'Outer', [inner])
    await t.request('DELETE', `/scim/v2/Groups/${inner}`)
    const [deleted, cascade, ...rest] = (await entries(t)).slice(3)
    expect(rest).toEqual([])
    expect(deleted).toMatchObject({ op: 'delete', resourceId: inner })
    expect(deleted!.changes).toEqual([
      { path: 'displayName', before: 'Inner' },
      { path: `members[value eq "${a}"]`, before: { value: a, type: 'User' } },
    ])
    expect(cascade).toMatchObject({ op: 'patch', resourceId: outer, cascade: true })
    expect(cascade!.changes).toEqual([
      { path: `members[value eq "${inner}"]`, before: { value: inner, type: 'Group' } },
    ])
  })

  test('a rename shown in groups moves their version but is journaled once, on the renamed user', async () => {
    const t = makeTestApp()
    const a = await user(t, 'a', { displayName: 'A' })
    await group(t, 'G', [a])
    await t.request('PATCH', `/scim/v2/Users/${a}`, patchBody({ op: 'replace', path: 'displayName', value: 'B' }))
    expect((await entries(t)).map((e) => e.resourceType)).toEqual(['User', 'Group', 'User'])
  })

  test('a failed request appends nothing: uniqueness, unknown member, failed If-Match', async () => {
    const t = makeTestApp()
    const a = await user(t, 'a')
    expect((await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'A' })).status).toBe(409)
    const g = await group(t, 'G', [])
    const bad = await t.request(
      'PATCH',
      `/scim/v2/Groups/${g}`,
      patchBody({ op: 'add', path: 'members', value: [{ value: a }, { value: 'nope' }] })
    )
    expect(bad.status).toBe(400)
    const stale = await t.request('DELETE', `/scim/v2/Users/${a}`, undefined, { 'if-match': 'W/"9"' })
    expect(stale.status).toBe(412)
    expect((await entries(t)).map((e) => e.op)).toEqual(['create', 'create'])
  })

  test('bulk: each operation its own entry, under the bulk request id', async () => {
    const t = makeTestApp()
    const res = await t.request('POST', '/scim/v2/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [URN_USER], userName: 'x' } },
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'g',
          data: { schemas: [URN_GROUP], displayName: 'X', members: [{ value: 'bulkId:u' }] },
        },
        { method: 'DELETE', path: '/Users/bulkId:u' },
      ],
    })
    expect(res.status).toBe(200)
    const all = await entries(t)
    expect(all.map((e) => [e.op, e.resourceType, e.cascade])).toEqual([
      ['create', 'User', false],
      ['create', 'Group', false],
      ['delete', 'User', false],
      ['patch', 'Group', true],
    ])
    expect(new Set(all.map((e) => e.requestId))).toEqual(new Set([res.headers.get('x-request-id')]))
    expect(new Set(all.map((e) => e.actor))).toEqual(new Set([LABEL]))
  })

  sqliteOnly('onAppend is the in-process journal reader of SQLite (change events read it)')(
    'onAppend is told after the commit, and a listener reading then sees the entry',
    async () => {
      const t = makeTestApp()
      const seen: number[] = []
      const stop = t.server.journal.onAppend((tenants) => {
        for (const tenant of tenants) seen.push(...t.server.journal.after(tenant, 0, 10).map((e) => e.seq))
      })
      await user(t, 'a')
      expect(seen).toEqual([1])
      stop()
      await user(t, 'b')
      expect(seen).toEqual([1])
    }
  )

  test('after() pages by seq and limit; Infinity is no limit', async () => {
    const t = makeTestApp()
    for (const name of ['a', 'b', 'c']) await user(t, name)
    expect((await t.journal('default', 1, 1)).map((e) => e.seq)).toEqual([2])
    expect((await t.journal('default', 0, Number.POSITIVE_INFINITY)).map((e) => e.seq)).toEqual([1, 2, 3])
    expect(await t.journal('default', 0, 0)).toEqual([])
    expect(await t.journal('other', 0, 10)).toEqual([])
  })

  test('SCIM_JOURNAL=off (journaling: false) appends nothing', async () => {
    const t = makeTestApp({ journaling: false })
    await user(t, 'a')
    expect(await entries(t)).toEqual([])
  })
})
