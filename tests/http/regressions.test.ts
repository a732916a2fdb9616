// Defects found in review, each pinned by the request that showed it.
import { describe, expect, test } from 'bun:test'
import { makeTestApp } from '../helpers/app'
import { URN_ENTERPRISE, URN_GROUP, URN_USER, expectScimError, patchBody, readJson } from '../helpers/scim'

describe('http regressions', () => {
  test('remove members with an empty or null value removes nobody', async () => {
    const t = makeTestApp()
    const u = await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'stay' }))
    const g = await readJson(
      await t.request('POST', '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'G', members: [{ value: u.id }] })
    )
    for (const value of [[], null]) {
      expect(
        (await t.request('PATCH', `/scim/v2/Groups/${g.id}`, patchBody({ op: 'Remove', path: 'members', value })))
          .status
      ).toBe(204)
    }
    expect((await readJson(await t.request('GET', `/scim/v2/Groups/${g.id}`))).members).toHaveLength(1)
  })

  test('a startIndex beyond any result set is an empty page, not a 500', async () => {
    const t = makeTestApp()
    for (const path of [
      '/scim/v2/Users?startIndex=100000000000000000000',
      '/scim/v2/Groups?startIndex=9223372036854775807',
    ]) {
      const res = await t.request('GET', path)
      expect(res.status).toBe(200)
      expect((await readJson(res)).Resources).toEqual([])
    }
  })

  test('startIndex and count are decimal integers: a hex literal, an exponent or padding is 400 invalidValue', async () => {
    const t = makeTestApp()
    for (const query of ['startIndex=0x10', 'startIndex=1e3', 'count=%201', 'count=1.0'])
      await expectScimError(await t.request('GET', `/scim/v2/Users?${query}`), 400, 'invalidValue')
  })

  test("Entra's manager reference check: id eq … and manager eq … (unqualified)", async () => {
    const t = makeTestApp()
    const boss = await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'boss' }))
    const u = await readJson(
      await t.request('POST', '/scim/v2/Users', {
        schemas: [URN_USER],
        userName: 'u',
        [URN_ENTERPRISE]: { manager: { value: boss.id } },
      })
    )
    const res = await readJson(
      await t.request('GET', `/scim/v2/Users?filter=id+eq+%22${u.id}%22+and+manager+eq+%22${boss.id}%22&attributes=id`)
    )
    expect(res.Resources).toEqual([{ schemas: [URN_USER], id: u.id }])
  })

  test('an unquoted numeric value matches a string attribute as written', async () => {
    const t = makeTestApp()
    await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'n', externalId: '00271' })
    expect((await readJson(await t.request('GET', '/scim/v2/Users?filter=externalId+eq+00271'))).totalResults).toBe(1)
  })

  test('attributes/excludedAttributes reach sub-attributes of extension attributes', async () => {
    const t = makeTestApp()
    const boss = await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'b2' }))
    const u = await readJson(
      await t.request('POST', '/scim/v2/Users', {
        schemas: [URN_USER],
        userName: 'u2',
        [URN_ENTERPRISE]: { department: 'D', manager: { value: boss.id } },
      })
    )
    const only = await readJson(
      await t.request('GET', `/scim/v2/Users/${u.id}?attributes=${URN_ENTERPRISE}:manager.value`)
    )
    expect(only[URN_ENTERPRISE]).toEqual({ manager: { value: boss.id } })
    const none = await readJson(await t.request('GET', `/scim/v2/Users/${u.id}?attributes=userName`))
    expect(none.schemas).toEqual([URN_USER])
    const without = await readJson(
      await t.request('GET', `/scim/v2/Users/${u.id}?excludedAttributes=${URN_ENTERPRISE}:department`)
    )
    expect(without[URN_ENTERPRISE]).toEqual({ manager: { value: boss.id } })
  })

  test('a password is accepted but never stored', async () => {
    const t = makeTestApp()
    await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'pw', password: 'S3cret!' })
    const rows = (
      t.pg
        ? await t.pg.sql`SELECT data::text AS data FROM resources`
        : t.server.sqlite.query('SELECT data FROM resources').all()
    ) as { data: string }[]
    expect(rows.map((r) => r.data).join()).not.toContain('S3cret!')
  })
})

describe('http user ETags and groups', () => {
  test("a user's ETag changes when its groups change, so If-None-Match never hides new groups", async () => {
    const t = makeTestApp()
    const created = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'etag' })
    const before = created.headers.get('etag')!
    const u = await readJson(created)
    await t.request('POST', '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'New', members: [{ value: u.id }] })
    const res = await t.request('GET', `/scim/v2/Users/${u.id}`, undefined, { 'if-none-match': before })
    expect(res.status).toBe(200)
    const body = await readJson(res)
    expect(body.groups).toHaveLength(1)
    expect(res.headers.get('etag')).toBe(body.meta.version)
    expect(body.meta.version).not.toBe(before)
    const stale = await t.request(
      'PATCH',
      `/scim/v2/Users/${u.id}`,
      patchBody({ op: 'replace', path: 'title', value: 'x' }),
      { 'if-match': before }
    )
    expect(stale.status).toBe(412)
    const fresh = await t.request(
      'PATCH',
      `/scim/v2/Users/${u.id}`,
      patchBody({ op: 'replace', path: 'title', value: 'x' }),
      { 'if-match': body.meta.version }
    )
    expect(fresh.status).toBe(200)
  })
})

describe('http schemas filter', () => {
  test('schemas can be filtered, as the RFC 7644 §3.4.2.2 example does', async () => {
    const t = makeTestApp()
    await t.request('POST', '/scim/v2/Users', { userName: 'ext', [URN_ENTERPRISE]: { department: 'x' } })
    await t.request('POST', '/scim/v2/Users', { userName: 'plain' })
    const q = async (f: string) =>
      (await readJson(await t.request('GET', `/scim/v2/Users?filter=${encodeURIComponent(f)}`))).totalResults
    expect(await q(`schemas eq "${URN_ENTERPRISE}"`)).toBe(1)
    expect(await q(`schemas eq "${URN_USER}"`)).toBe(2)
    expect(await q(`not (schemas eq "${URN_ENTERPRISE.toUpperCase()}")`)).toBe(1)
  })
})
