// RFC 7644 §3.4.2.2/§3.4.2.3 filters and sorting over HTTP: dateTime instants, member display, hidden attributes, case folding.
import { describe, expect, test } from 'bun:test'
import type { SchemaDocument } from '../../src/scim/schema/types'
import { makeTestApp } from '../helpers/app'
import { expectScimError, patchBody, readJson, URN_GROUP, URN_USER } from '../helpers/scim'
import { attribute } from '../helpers/schema'

/** POST `path` (a type's /.search or the root's) with a SearchRequest of `body`. */
function searchRequest(t: ReturnType<typeof makeTestApp>, path: string, body: Record<string, unknown>) {
  return t.request('POST', path, { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], ...body })
}

const URN_HR = 'urn:example:params:scim:schemas:extension:hr:2.0:User'
const HR_SCHEMA = {
  id: URN_HR,
  name: 'HR',
  attributes: [
    attribute('hiredAt', 'dateTime'),
    {
      name: 'secret',
      type: 'string',
      multiValued: false,
      required: false,
      caseExact: false,
      mutability: 'writeOnly',
      returned: 'never',
    },
  ],
} as unknown as SchemaDocument

const hrApp = () => makeTestApp({ extraSchemas: [{ schema: HR_SCHEMA, resourceType: 'User' }] })
const q = (filter: string) => `/scim/v2/Users?filter=${encodeURIComponent(filter)}&attributes=userName`

async function userNames(t: ReturnType<typeof makeTestApp>, path: string): Promise<string[]> {
  const res = await t.request('GET', path)
  expect(res.status).toBe(200)
  return ((await readJson(res)).Resources as { userName: string }[]).map((r) => r.userName)
}

describe('http filters: dateTime values inside documents compare as instants', () => {
  const hired: Record<string, string> = {
    plus2: '2024-03-01T10:00:00+02:00', // 08:00Z
    utc9: '2024-03-01T09:00:00Z',
    half: '2024-03-01T09:00:00.5Z',
    minus5: '2024-03-01T04:00:00.250-05:00', // 09:00:00.25Z
    sub: '2024-03-02T00:00:00.0005Z', // SQLite and instantOf round to .001
  }
  async function seeded() {
    const t = hrApp()
    for (const [userName, hiredAt] of Object.entries(hired)) {
      const res = await t.request('POST', '/scim/v2/Users', {
        schemas: [URN_USER, URN_HR],
        userName,
        [URN_HR]: { hiredAt },
      })
      expect(res.status).toBe(201)
    }
    return t
  }

  test('eq on the exact stored text, and on the same instant written differently', async () => {
    const t = await seeded()
    expect(await userNames(t, q(`hiredAt eq "2024-03-01T10:00:00+02:00"`))).toEqual(['plus2'])
    expect(await userNames(t, q(`hiredAt eq "2024-03-01T08:00:00.000Z"`))).toEqual(['plus2'])
    expect(await userNames(t, q(`hiredAt eq "2024-03-01T09:00:00Z"`))).toEqual(['utc9'])
    expect(await userNames(t, q(`hiredAt eq "2024-03-02T00:00:00.0005Z"`))).toEqual(['sub'])
  })

  test('gt/lt across time zones and fractional seconds', async () => {
    const t = await seeded()
    expect((await userNames(t, q(`hiredAt gt "2024-03-01T08:30:00Z"`))).sort()).toEqual([
      'half',
      'minus5',
      'sub',
      'utc9',
    ])
    expect(await userNames(t, `${q(`hiredAt lt "2024-03-01T09:00:00.3Z"`)}&sortBy=userName`)).toEqual([
      'minus5',
      'plus2',
      'utc9',
    ])
    expect(await userNames(t, `${q(`hiredAt ge "2024-03-01T09:00:00.5Z"`)}&sortBy=userName`)).toEqual(['half', 'sub'])
  })

  test('a filter value that names no real instant is 400 invalidFilter, as it is in a document', async () => {
    const t = await seeded()
    for (const bad of [
      '2024-02-30T00:00:00Z',
      '2023-02-29',
      '2024-03-01T24:00:00Z',
      '2024-03-01T10:60:00Z',
      '2024-03-01T10:00:00+15:00',
    ]) {
      await expectScimError(await t.request('GET', q(`hiredAt gt "${bad}"`)), 400, 'invalidFilter')
      await expectScimError(await t.request('GET', q(`meta.lastModified gt "${bad}"`)), 400, 'invalidFilter')
    }
    // Shorter ISO forms still read as the instant they name.
    expect((await userNames(t, q(`hiredAt lt "2024-03-02"`))).sort()).toEqual(['half', 'minus5', 'plus2', 'utc9'])
    expect(await userNames(t, q(`hiredAt eq "2024-03-01 08:00z"`))).toEqual(['plus2'])
    expect(await userNames(t, q(`hiredAt eq "2024-03-01T10:00:00+0200"`))).toEqual(['plus2'])
  })

  test('sortBy a dateTime orders by instant', async () => {
    const t = await seeded()
    expect(await userNames(t, `/scim/v2/Users?sortBy=${URN_HR}:hiredAt&attributes=userName`)).toEqual([
      'plus2',
      'utc9',
      'minus5',
      'half',
      'sub',
    ])
  })
})

describe("http filters: a member's display is what the group shows", () => {
  async function seeded() {
    const t = makeTestApp()
    const u = await readJson(
      await t.request('POST', '/scim/v2/Users', {
        schemas: [URN_USER],
        userName: 'bjensen',
        displayName: 'Barbara Jensen',
      })
    )
    const plain = await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'jim' }))
    const g = await readJson(
      await t.request('POST', '/scim/v2/Groups', {
        schemas: [URN_GROUP],
        displayName: 'Tour Guides',
        members: [{ value: u.id }, { value: plain.id }],
      })
    )
    return { t, u, plain, g }
  }
  const groups = async (t: ReturnType<typeof makeTestApp>, filter: string) =>
    (await readJson(await t.request('GET', `/scim/v2/Groups?filter=${encodeURIComponent(filter)}`))).totalResults

  test('members.display tests displayName, else userName, as rendered', async () => {
    const { t, g } = await seeded()
    const shown = (await readJson(await t.request('GET', `/scim/v2/Groups/${g.id}`))).members.map(
      (m: { display: string }) => m.display
    )
    expect(shown.sort()).toEqual(['Barbara Jensen', 'jim'])
    expect(await groups(t, 'members.display eq "Barbara Jensen"')).toBe(1)
    expect(await groups(t, 'members[display eq "barbara jensen"]')).toBe(1)
    expect(await groups(t, 'members.display eq "jim"')).toBe(1)
    expect(await groups(t, 'members.display eq "bjensen"')).toBe(0)
  })

  test('PATCH members[display eq …] removes the member shown with that display', async () => {
    const { t, plain, g } = await seeded()
    const res = await t.request(
      'PATCH',
      `/scim/v2/Groups/${g.id}`,
      patchBody({ op: 'remove', path: 'members[display eq "Barbara Jensen"]' })
    )
    expect(res.status).toBe(204)
    const members = (await readJson(await t.request('GET', `/scim/v2/Groups/${g.id}`))).members as { value: string }[]
    expect(members.map((m) => m.value)).toEqual([plain.id])
  })
})

describe('http sorting: never-returned attributes', () => {
  test('sortBy a returned:"never" attribute is refused, as filters refuse it', async () => {
    const t = hrApp()
    for (const [userName, secret] of [
      ['a', 'zz'],
      ['b', 'aa'],
    ]) {
      await t.request('POST', '/scim/v2/Users', {
        schemas: [URN_USER, URN_HR],
        userName,
        password: 'S3cret!',
        [URN_HR]: { secret },
      })
    }
    await expectScimError(await t.request('GET', `/scim/v2/Users?sortBy=${URN_HR}:secret`), 400, 'invalidValue')
    await expectScimError(await t.request('GET', '/scim/v2/Users?sortBy=password'), 400, 'invalidValue')
    await expectScimError(await searchRequest(t, '/scim/v2/Users/.search', { sortBy: 'secret' }), 400, 'invalidValue')
    await expectScimError(await t.request('GET', q('secret eq "aa"')), 400, 'invalidFilter')
    await expectScimError(await searchRequest(t, '/scim/v2/.search', { sortBy: 'password' }), 400, 'invalidValue')
  })
})

describe('http root .search: sortBy across resource types', () => {
  test('a type without the sortBy attribute is listed too, as resources without a value sort: last, or first when descending', async () => {
    const t = makeTestApp()
    for (const userName of ['bea', 'al']) {
      expect((await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName })).status).toBe(201)
    }
    for (const displayName of ['Zed', 'Alpha']) {
      expect((await t.request('POST', '/scim/v2/Groups', { schemas: [URN_GROUP], displayName })).status).toBe(201)
    }
    const search = async (sortBy: string, sortOrder?: string, startIndex?: number, count?: number) => {
      const res = await searchRequest(t, '/scim/v2/.search', { sortBy, sortOrder, startIndex, count })
      expect(res.status).toBe(200)
      const body = await readJson(res)
      return {
        total: body.totalResults,
        names: body.Resources.map((r: { userName?: string; displayName?: string }) => r.userName ?? r.displayName),
      }
    }
    // Groups have no userName: they were left out (totalResults 2); now they follow the sorted users.
    // (Those without the attribute keep the order a list without sortBy has: by displayName.)
    expect(await search('userName')).toEqual({ total: 4, names: ['al', 'bea', 'Alpha', 'Zed'] })
    expect(await search('userName', 'descending')).toEqual({ total: 4, names: ['Alpha', 'Zed', 'bea', 'al'] })
    // Users have no members: after the groups; paging runs across the joined list.
    expect(await search('members.value', 'ascending', 3, 2)).toEqual({ total: 4, names: ['al', 'bea'] })
    expect((await search('members.value', 'descending', 1, 2)).names).toEqual(['al', 'bea'])
    // An attribute no type has is still refused.
    await expectScimError(
      await searchRequest(t, '/scim/v2/.search', { sortBy: 'noSuchAttribute' }),
      400,
      'invalidValue'
    )
  })
})

describe('http root .search: a filter naming attributes only some types have', () => {
  test('each type is filtered as its resources are: an attribute it lacks has no value there', async () => {
    const t = makeTestApp()
    const ids: Record<string, string> = {}
    for (const userName of ['a', 'b']) {
      const res = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName })
      ids[userName] = (await readJson(res)).id
    }
    for (const [displayName, members] of [
      ['Empty', []],
      ['Team', [{ value: ids.a }]],
    ] as const) {
      const res = await t.request('POST', '/scim/v2/Groups', { schemas: [URN_GROUP], displayName, members })
      expect(res.status).toBe(201)
    }
    const names = async (filter: string) => {
      const res = await searchRequest(t, '/scim/v2/.search', { filter })
      expect(res.status).toBe(200)
      const body = await readJson(res)
      const found = body.Resources.map((r: { userName?: string; displayName?: string }) => r.userName ?? r.displayName)
      expect(body.totalResults).toBe(found.length)
      return found
    }
    // Each half alone worked; together they were a 400, since neither type has both attributes.
    expect(await names('members pr or userName eq "b"')).toEqual(['b', 'Team'])
    // Users have no members, so none is present: every user passes the negation (they were all left out).
    expect(await names('not (members pr)')).toEqual(['a', 'b', 'Empty'])
    expect(await names('userName ne "a"')).toEqual(['b', 'Empty', 'Team'])
    expect(await names('members pr and userName eq "b"')).toEqual([])
    await expectScimError(
      await searchRequest(t, '/scim/v2/.search', { filter: 'members pr or noSuchAttribute eq "x"' }),
      400,
      'invalidFilter'
    )
  })
})

describe('http filters: full Unicode case folding for userName and group displayName', () => {
  test('a final sigma, ß, ligatures and the Kelvin sign fold like their plain letters', async () => {
    const t = makeTestApp()
    for (const userName of ['ΟΔΟΣ', 'Straße', 'ﬁnn', '\u212Aelvin']) {
      expect((await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName })).status).toBe(201)
    }
    for (const [dup, original] of [
      ['οδοσ', 'ΟΔΟΣ'],
      ['STRASSE', 'Straße'],
      ['FINN', 'ﬁnn'],
      ['kelvin', '\u212Aelvin'],
    ]) {
      await expectScimError(
        await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: dup }),
        409,
        'uniqueness'
      )
      expect(await userNames(t, q(`userName eq "${dup}"`))).toEqual([original!])
      expect(await userNames(t, q(`userName eq "${dup}" and active pr or userName eq "${dup}"`))).toEqual([original!])
    }
    expect(await userNames(t, q('userName sw "STRAS"'))).toEqual(['Straße'])
  })

  test('group displayName filters fold the same way', async () => {
    const t = makeTestApp()
    await t.request('POST', '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'ΟΔΟΣ' })
    const found = await readJson(
      await t.request('GET', `/scim/v2/Groups?filter=${encodeURIComponent('displayName eq "οδοσ"')}`)
    )
    expect(found.totalResults).toBe(1)
  })
})

describe('http filters: every stored attribute is filtered on the value a client is shown', () => {
  test('eq on each rendered value of users and groups finds the resource', async () => {
    const t = makeTestApp()
    const u = await readJson(
      await t.request('POST', '/scim/v2/Users', {
        schemas: [URN_USER],
        userName: 'Ünal',
        externalId: 'e-1',
        displayName: 'Ü. Nal',
      })
    )
    const lone = await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'lone' }))
    const g = await readJson(
      await t.request('POST', '/scim/v2/Groups', {
        schemas: [URN_GROUP],
        displayName: 'Straße',
        externalId: 'g-1',
        members: [{ value: u.id }],
      })
    )
    const shownU = await readJson(await t.request('GET', `/scim/v2/Users/${u.id}`))
    const shownG = await readJson(await t.request('GET', `/scim/v2/Groups/${g.id}`))
    const leaves = (r: Record<string, any>, multi: string) => [
      ['id', r.id],
      ['externalId', r.externalId],
      ['meta.created', r.meta.created],
      ['meta.lastModified', r.meta.lastModified],
      ['meta.resourceType', r.meta.resourceType],
      [`${multi}.value`, r[multi][0].value],
      [`${multi}.display`, r[multi][0].display],
      [`${multi}.type`, r[multi][0].type],
      ['schemas', r.schemas[0]],
    ]
    const cases: [string, string, string, string][] = [
      ...leaves(shownU, 'groups').map(([a, v]) => ['Users', a, v, u.id] as [string, string, string, string]),
      ['Users', 'userName', shownU.userName, u.id],
      ...leaves(shownG, 'members').map(([a, v]) => ['Groups', a, v, g.id] as [string, string, string, string]),
      ['Groups', 'displayName', shownG.displayName, g.id],
      ['Groups', 'meta.version', shownG.meta.version, g.id],
      [
        'Users',
        'meta.version',
        (await readJson(await t.request('GET', `/scim/v2/Users/${lone.id}`))).meta.version,
        lone.id,
      ],
    ]
    for (const [endpoint, attr, value, id] of cases) {
      const filter = `${attr} eq ${JSON.stringify(value)}`
      const res = await readJson(
        await t.request('GET', `/scim/v2/${endpoint}?filter=${encodeURIComponent(filter)}&attributes=id`)
      )
      expect([attr, (res.Resources as { id: string }[]).some((r) => r.id === id)]).toEqual([attr, true])
    }
  })
})

describe('http sortBy=meta.location (RFC 7643 §3.1: an attribute like any other)', () => {
  test('sorts by the location served, ascending and descending; it was a 400 invalidFilter', async () => {
    const t = makeTestApp()
    // Names against creation order, so neither the default (userName) order nor rowid order is the answer.
    for (const userName of ['l5', 'l3', 'l1', 'l4', 'l2']) {
      const res = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName })
      expect(res.status).toBe(201)
    }
    const locations = async (query: string) => {
      const res = await t.request('GET', `/scim/v2/Users?sortBy=meta.location${query}`)
      expect(res.status).toBe(200)
      return ((await readJson(res)).Resources as { meta: { location: string } }[]).map((r) => r.meta.location)
    }
    const ascending = await locations('')
    expect(ascending).toHaveLength(5)
    // Code-point order, as every string sort here (ids are ASCII, so UTF-16 order is the same).
    expect(ascending).toEqual([...ascending].sort())
    expect(await locations('&sortOrder=descending')).toEqual([...ascending].reverse())
  })
})

describe('http a sortBy no resource can be sorted by is refused whatever the count', () => {
  // SQLite answered count=0 before building the sort: 200 there, 400 on PostgreSQL.
  test.each(['count=0', 'count=1', 'count=-1'])('sortBy=name (complex) with %s is 400 invalidValue', async (count) => {
    const t = makeTestApp()
    await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'a' })
    await expectScimError(await t.request('GET', `/scim/v2/Users?sortBy=name&${count}`), 400, 'invalidValue')
  })
})

describe('http filter on schemas with an extension URN spelled with an upper-case URN: prefix', () => {
  test('matches the resources whose schemas list it, in any case, on both stores', async () => {
    const urn = 'URN:Example:params:scim:schemas:extension:Up:2.0:User'
    const t = makeTestApp({
      extraSchemas: [
        { schema: { id: urn, name: 'Up', attributes: [attribute('code', 'string')] }, resourceType: 'User' },
      ],
    })
    const ann = await readJson(
      await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER, urn], userName: 'ann', [urn]: { code: 'x' } })
    )
    expect(ann.schemas).toContain(urn)
    await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'bob' })
    for (const filter of [`schemas eq "${urn}"`, `schemas eq "${urn.toLowerCase()}"`, 'schemas co "Up:2.0"']) {
      expect(await userNames(t, q(filter))).toEqual(['ann'])
    }
  })
})
