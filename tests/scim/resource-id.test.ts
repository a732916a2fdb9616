// New resource ids: version-7 UUIDs that sort by creation time, as served through the API.
import { describe, expect, test } from 'bun:test'
import { newResourceId } from '../../src/scim/resource-id'
import { makeTestApp } from '../helpers/app'
import { readJson } from '../helpers/scim'

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('newResourceId', () => {
  test('is a version-7 UUID, each one sorting after the one before', () => {
    const ids = Array.from({ length: 1000 }, newResourceId)
    for (const id of ids) expect(id).toMatch(V7)
    expect(new Set(ids).size).toBe(ids.length)
    expect([...ids].sort()).toEqual(ids)
  })

  test('users and groups created through the API get such ids, in creation order', async () => {
    const { request } = makeTestApp()
    const ids: string[] = []
    for (let i = 0; i < 20; i++) {
      const path = i % 2 === 0 ? '/scim/v2/Users' : '/scim/v2/Groups'
      const body = i % 2 === 0 ? { userName: `v7-${i}@x.test` } : { displayName: `v7 group ${i}` }
      ids.push((await readJson(await request('POST', path, body))).id)
    }
    for (const id of ids) expect(id).toMatch(V7)
    expect([...ids].sort()).toEqual(ids)
  })
})
