// Hostile and mistaken list queries (filters, sortBy, startIndex, count, cursors, POST /.search): never a 5xx, a SCIM Error for each 4xx.
import { describe, expect, test } from 'bun:test'
import { encodeCursor, queryFingerprint } from '../../src/scim/cursor'
import { makeTestApp } from '../helpers/app'
import { URN_GROUP, URN_USER } from '../helpers/scim'
import { type SweepCase, sweep } from '../helpers/sweep'

const URN_SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest'

describe('list queries with odd filters, sorting and paging', () => {
  const t = makeTestApp()
  test('each is answered below 500, a 4xx as a SCIM Error', async () => {
    await t.request('POST', '/scim/v2/Users', {
      schemas: [URN_USER],
      userName: 'a@example.com',
      emails: [{ value: 'a@example.com' }],
    })
    await t.request('POST', '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'G' })
    const filters = [
      '',
      ' ',
      'userName',
      'userName eq',
      'userName eq "a',
      'userName eq "a\\"',
      'userName eq "\\u00"',
      'userName eq "\\ud800"',
      'userName eq "\u0000"',
      'userName eq "\ud800"',
      'emails[value eq "\u0000"]',
      'userName gt "\u0000"',
      'meta.created gt "2020-01-01T00:00:00\u0000"',
      'externalId eq "\u0000"',
      'id eq "\u0000"',
      'displayName co "\u0000"',
      'userName eq 1e400',
      'userName eq -0',
      'meta.lastModified gt "not a date"',
      'meta.lastModified gt "2020-13-45T99:99:99Z"',
      'meta.created gt 5',
      'emails[value pr',
      'emails[value pr]]',
      'emails[emails[value pr]]',
      'emails[not(value pr)]',
      'not(not(not(userName pr)))',
      `${'('.repeat(300)}userName pr${')'.repeat(300)}`,
      `${'userName pr and '.repeat(500)}userName pr`,
      'members[value eq "x"].display eq "y"',
      'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"',
      'urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "a"',
      'urn:x:y:z eq "a"',
      'urn: eq "a"',
      'id eq null',
      'active eq "true"',
      'active gt true',
      'userName sw ""',
      'userName co "%"',
      'userName co "_"',
      'userName ew "\\\\"',
      'userName eq true',
      'userName eq false and',
      '$ref eq "x"',
      'meta.version eq "W/\\"x\\""',
      'groups.value eq "x"',
      'members.$ref pr',
      `${'x'.repeat(5000)} pr`,
    ]
    const odd = [
      '',
      '-1',
      '0',
      '1.5',
      '1e3',
      '1e400',
      'NaN',
      'Infinity',
      '-0',
      '9007199254740993',
      '99999999999999999999',
      ' 1',
      '0x10',
      'abc',
      '%00',
    ]
    const sorts = [
      '',
      'nope',
      'emails',
      'emails.value',
      'name',
      'name.givenName',
      'meta.lastModified',
      'members',
      'members.value',
      'urn:x:y',
      '$ref',
      'userName[',
      'a.b.c.d',
    ]
    const orders = ['', 'ascending', 'descending', 'ASCENDING', 'up', '%00']
    const now = Math.floor(Date.now() / 1000)
    // Cursors carry no secret: ones built around ids no resource has, bound to the query sent.
    const crafted = ['\u0000', '\ud800', 'x'.repeat(3000), ''].flatMap((id) =>
      (['after', 'before'] as const).map((direction) =>
        encodeCursor({ direction, id }, queryFingerprint('User', undefined), now)
      )
    )
    const cursors = [
      '',
      ' ',
      'x',
      'AAAA',
      '%00',
      '-',
      'a'.repeat(5000),
      'eyJ9',
      'eyJ4IjoxfQ',
      'eyJ4IjoxfQ==',
      '%FF%FE',
      ...crafted,
    ]
    const cases: SweepCase[] = []
    for (const endpoint of ['/scim/v2/Users', '/scim/v2/Groups', '/scim/v2']) {
      const get = (q: string) => cases.push(['GET', `${endpoint}?${q}`, undefined])
      if (endpoint !== '/scim/v2') {
        for (const f of filters) get(`filter=${encodeURIComponent(f.toWellFormed())}`)
        for (const v of odd)
          for (const q of [`startIndex=${v}`, `count=${v}`, `startIndex=${v}&count=${v}&cursor`]) get(q)
        for (const s of sorts) for (const o of orders) get(`sortBy=${encodeURIComponent(s)}&sortOrder=${o}`)
        for (const c of cursors)
          for (const q of [`cursor=${c}`, `cursor=${c}&count=1`, `cursor=${c}&startIndex=2`]) get(q)
        get('filter=userName%20pr&filter=id%20pr')
        get('count=1&count=2')
        get('sortBy=userName&sortBy=id')
        get('cursor&cursor')
        get('attributes=userName&attributes=id')
        get('attributes=&excludedAttributes=')
        get('attributes=emails[value pr]')
        get('attributes=%00')
        get('excludedAttributes=id,schemas,meta')
      }
      const search = `${endpoint}/.search`
      const searchBodies: unknown[] = [
        null,
        [],
        'x',
        {},
        { schemas: [URN_SEARCH] },
        { schemas: URN_SEARCH },
        { schemas: [URN_SEARCH], filter: 5 },
        { schemas: [URN_SEARCH], filter: ['userName pr'] },
        { schemas: [URN_SEARCH], filter: null },
        { schemas: [URN_SEARCH], attributes: 'userName' },
        { schemas: [URN_SEARCH], attributes: [5] },
        { schemas: [URN_SEARCH], attributes: ['userName'], excludedAttributes: ['id'] },
        { schemas: [URN_SEARCH], excludedAttributes: 'id' },
        { schemas: [URN_SEARCH], sortBy: 5 },
        { schemas: [URN_SEARCH], sortBy: ['userName'] },
        { schemas: [URN_SEARCH], sortOrder: 'sideways' },
        { schemas: [URN_SEARCH], sortOrder: 1 },
        { schemas: [URN_SEARCH], cursor: 5 },
        { schemas: [URN_SEARCH], cursor: '' },
        { schemas: [URN_SEARCH], cursor: 'x' },
        { schemas: [URN_SEARCH], cursor: null, count: 1 },
        { schemas: [URN_SEARCH], cursor: '', startIndex: 2 },
        ...[-1, 0, 1.5, 1e308, 2 ** 53 + 2, '1', '', null, true, [], {}].flatMap((v) => [
          { schemas: [URN_SEARCH], startIndex: v },
          { schemas: [URN_SEARCH], count: v },
        ]),
        ...filters.map((filter) => ({ schemas: [URN_SEARCH], filter })),
        { schemas: [URN_SEARCH], unknown: 1, filter: 'userName pr' },
        JSON.parse('{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"__proto__":{"count":-1}}'),
      ]
      for (const b of searchBodies) cases.push(['POST', search, b])
      cases.push(['POST', `${search}?filter=userName%20pr`, { schemas: [URN_SEARCH] }])
      cases.push(['POST', `${search}?count=-1`, { schemas: [URN_SEARCH] }])
    }
    expect(await sweep(t, cases)).toEqual([])
  })
})
