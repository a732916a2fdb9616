// /Groups over HTTP: Entra's group shapes, membership deltas, excludedAttributes=members.
import { describe, expect, test } from 'bun:test'
import { makeTestApp, type TestApp } from '../helpers/app'
import { URN_GROUP, URN_USER, expectScimError, patchBody, readJson } from '../helpers/scim'

async function users(t: TestApp, n: number): Promise<string[]> {
  const ids = []
  for (let i = 0; i < n; i++) {
    ids.push(
      (await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: `u${i}` })))
        .id as string
    )
  }
  return ids
}

async function memberIds(t: TestApp, groupId: string): Promise<string[]> {
  const g = await readJson(await t.request('GET', `/scim/v2/Groups/${groupId}`))
  return ((g.members ?? []) as { value: string }[]).map((m) => m.value).sort()
}

describe('http /Groups', () => {
  test('Entra group create with the legacy Microsoft schema URN and members: []', async () => {
    const t = makeTestApp()
    const res = await t.request('POST', '/scim/v2/Groups', {
      schemas: [URN_GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: '8aa1a0c0',
      displayName: 'Org Admin',
      members: [],
      meta: { resourceType: 'Group' },
    })
    const g = await readJson(res)
    expect(res.status).toBe(201)
    expect(g.schemas).toEqual([URN_GROUP])
    // An empty multi-valued attribute is left out (RFC 7643 §2.5).
    expect('members' in g).toBe(false)
  })

  test('excludedAttributes=members leaves the key out, on GET and on filtered lists', async () => {
    const t = makeTestApp()
    const [u] = await users(t, 1)
    const g = await readJson(
      await t.request('POST', '/scim/v2/Groups', {
        schemas: [URN_GROUP],
        displayName: 'Sales',
        members: [{ value: u }],
      })
    )
    const one = await readJson(await t.request('GET', `/scim/v2/Groups/${g.id}?excludedAttributes=members`))
    expect('members' in one).toBe(false)
    const list = await readJson(
      await t.request('GET', '/scim/v2/Groups?excludedAttributes=members&filter=displayName+eq+%22sales%22')
    )
    expect(list.totalResults).toBe(1)
    expect('members' in list.Resources[0]).toBe(false)
  })

  test('Entra default dialect: batch add, idempotent re-add, remove with value removes only those', async () => {
    const t = makeTestApp()
    const ids = await users(t, 5)
    const g = await readJson(await t.request('POST', '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'G' }))
    const add = await t.request(
      'PATCH',
      `/scim/v2/Groups/${g.id}`,
      patchBody({ op: 'Add', path: 'members', value: ids.slice(0, 4).map((value) => ({ $ref: null, value })) })
    )
    expect(add.status).toBe(204)
    expect(
      (
        await t.request(
          'PATCH',
          `/scim/v2/Groups/${g.id}`,
          patchBody({ op: 'Add', path: 'members', value: [{ value: ids[0] }] })
        )
      ).status
    ).toBe(204)
    expect(
      (
        await t.request(
          'PATCH',
          `/scim/v2/Groups/${g.id}`,
          patchBody({ op: 'Remove', path: 'members', value: [{ value: ids[1] }] })
        )
      ).status
    ).toBe(204)
    expect(await memberIds(t, g.id)).toEqual([ids[0], ids[2], ids[3]].sort() as string[])
  })

  test('aadOptscim062020 dialect: remove members[value eq "…"]; removing a non-member succeeds', async () => {
    const t = makeTestApp()
    const ids = await users(t, 3)
    const g = await readJson(
      await t.request('POST', '/scim/v2/Groups', {
        schemas: [URN_GROUP],
        displayName: 'G',
        members: ids.map((value) => ({ value })),
      })
    )
    const rm = (id: string) =>
      t.request('PATCH', `/scim/v2/Groups/${g.id}`, patchBody({ op: 'remove', path: `members[value eq "${id}"]` }))
    expect((await rm(ids[2]!)).status).toBe(204)
    expect((await rm(ids[2]!)).status).toBe(204)
    expect(await memberIds(t, g.id)).toEqual([ids[0], ids[1]].sort() as string[])
  })

  test('members must reference existing resources; the failed PATCH changes nothing', async () => {
    const t = makeTestApp()
    const [u] = await users(t, 1)
    const g = await readJson(await t.request('POST', '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'G' }))
    const res = await t.request(
      'PATCH',
      `/scim/v2/Groups/${g.id}`,
      patchBody(
        { op: 'Replace', path: 'displayName', value: 'Renamed' },
        { op: 'Add', path: 'members', value: [{ value: u }, { value: 'ghost' }] }
      )
    )
    await expectScimError(res, 400, 'invalidValue')
    const after = await readJson(await t.request('GET', `/scim/v2/Groups/${g.id}`))
    expect(after.displayName).toBe('G')
    expect('members' in after).toBe(false)
  })

  test('PATCH with attributes answers 200 with the group; deleting a user removes it from groups', async () => {
    const t = makeTestApp()
    const ids = await users(t, 2)
    const g = await readJson(
      await t.request('POST', '/scim/v2/Groups', {
        schemas: [URN_GROUP],
        displayName: 'G',
        members: ids.map((value) => ({ value })),
      })
    )
    const res = await t.request(
      'PATCH',
      `/scim/v2/Groups/${g.id}?attributes=displayName`,
      patchBody({ op: 'Replace', path: 'displayName', value: 'H' })
    )
    expect(res.status).toBe(200)
    expect((await readJson(res)).displayName).toBe('H')
    expect((await t.request('DELETE', `/scim/v2/Users/${ids[0]}`)).status).toBe(204)
    expect(await memberIds(t, g.id)).toEqual([ids[1]!])
  })

  test('a user lists its groups (read-only groups attribute) and can be filtered by membership', async () => {
    const t = makeTestApp()
    const [u, other] = await users(t, 2)
    const g = await readJson(
      await t.request('POST', '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'Team', members: [{ value: u }] })
    )
    const got = await readJson(await t.request('GET', `/scim/v2/Users/${u}`))
    expect(got.groups).toEqual([
      { value: g.id, $ref: `http://localhost/scim/v2/Groups/${g.id}`, display: 'Team', type: 'direct' },
    ])
    const byMember = await readJson(
      await t.request('GET', `/scim/v2/Groups?filter=members.value+eq+%22${u}%22&excludedAttributes=members`)
    )
    expect(byMember.Resources.map((r: { id: string }) => r.id)).toEqual([g.id])
    const none = await readJson(await t.request('GET', `/scim/v2/Groups?filter=members.value+eq+%22${other}%22`))
    expect(none.totalResults).toBe(0)
  })
})
