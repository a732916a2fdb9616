// Entra's lookups (userName, externalId, group displayName eq): the page is cut from the rows found, as any list's.
import { describe, expect, test } from 'bun:test'
import { makeTestApp } from '../helpers/app'
import { URN_USER } from '../helpers/scim'

const URN_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const list = (filter: string, more = '') => `/scim/v2/${filter}${more}`

describe('service/list hot lookups', () => {
  test('startIndex and count apply to what the lookup found; totalResults counts all of it', async () => {
    const t = makeTestApp()
    for (const userName of ['a', 'b', 'c'])
      await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName, externalId: 'shared' })
    const q = `Users?filter=${encodeURIComponent('externalId eq "shared"')}`
    const page = async (more: string) =>
      (await (await t.request('GET', list(q, more))).json()) as {
        totalResults: number
        itemsPerPage: number
        Resources?: { userName: string }[]
      }
    const all = await page('')
    expect([all.totalResults, all.itemsPerPage]).toEqual([3, 3])
    const second = await page('&startIndex=2&count=1')
    expect([second.totalResults, second.itemsPerPage, second.Resources?.map((r) => r.userName)]).toEqual([3, 1, ['b']])
    const none = await page('&count=0')
    expect([none.totalResults, none.itemsPerPage, none.Resources ?? []]).toEqual([3, 0, []])
    expect((await page('&startIndex=9')).itemsPerPage).toBe(0)
  })

  test('a group found by displayName shows its members (read), or leaves them out when excluded', async () => {
    const t = makeTestApp()
    const user = (await (await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'm' })).json()) as {
      id: string
    }
    await t.request('POST', '/scim/v2/Groups', {
      schemas: [URN_GROUP],
      displayName: 'Ops',
      members: [{ value: user.id }],
    })
    const q = `Groups?filter=${encodeURIComponent('displayName eq "ops"')}`
    const found = (await (await t.request('GET', list(q))).json()) as { Resources: { members?: { value: string }[] }[] }
    expect(found.Resources[0]!.members?.map((m) => m.value)).toEqual([user.id])
    const slim = (await (await t.request('GET', list(q, '&excludedAttributes=members'))).json()) as {
      Resources: { members?: unknown }[]
    }
    expect(slim.Resources[0]!.members).toBeUndefined()
  })
})
