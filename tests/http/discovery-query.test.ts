// Query parameters on the discovery endpoints (RFC 7644 §4): a filter is 403, paging is ignored.
import { describe, expect, test } from 'bun:test'
import { makeTestApp } from '../helpers/app'
import { URN_USER, expectScimError, readJson } from '../helpers/scim'

const ENDPOINTS = [
  '/scim/v2/ServiceProviderConfig',
  '/scim/v2/Schemas',
  `/scim/v2/Schemas/${URN_USER}`,
  '/scim/v2/ResourceTypes',
  '/scim/v2/ResourceTypes/User',
]

describe('http discovery endpoints and query parameters (RFC 7644 §4)', () => {
  test.each(ENDPOINTS)('%s with a filter is 403, never an unfiltered answer', async (path) => {
    const t = makeTestApp()
    const res = await t.request('GET', `${path}?filter=${encodeURIComponent('id eq "nothing"')}`)
    await expectScimError(res, 403)
  })

  test.each(ENDPOINTS)('%s ignores paging and sorting', async (path) => {
    const t = makeTestApp()
    const plain = await readJson(await t.request('GET', path))
    const paged = await readJson(await t.request('GET', `${path}?startIndex=2&count=1&sortBy=name`))
    expect(paged).toEqual(plain)
  })
})
