// POST at the service level: what a create reads besides its own write.
import { describe, expect, test } from 'bun:test'
import { makeTestApp } from '../helpers/app'
import { URN_USER } from '../helpers/scim'

describe('service/create', () => {
  test("a new user's groups are not read: it is in none, as memberships are made through groups", async () => {
    const t = makeTestApp()
    const store = t.server.deps.store
    const groupsOf = store.groupsOf.bind(store)
    let reads = 0
    store.groupsOf = (user) => {
      reads++
      return groupsOf(user)
    }
    const res = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'new@x.test' })
    expect(res.status).toBe(201)
    const body = (await res.json()) as { id: string; groups?: unknown }
    expect(body.groups).toBeUndefined()
    expect(reads).toBe(0)
    // Once it has joined a group, the user as served shows it.
    await t.request('POST', '/scim/v2/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'g',
      members: [{ value: body.id }],
    })
    const got = (await (await t.request('GET', `/scim/v2/Users/${body.id}`)).json()) as {
      groups?: { display: string }[]
    }
    expect(got.groups?.map((g) => g.display)).toEqual(['g'])
  })
})
