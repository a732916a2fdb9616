// RFC 9865 cursor paging over HTTP: walks, errors, the advertised pagination block.
import { describe, expect, test } from 'bun:test'
import { encodeCursor, queryFingerprint } from '../../src/scim/cursor'
import { makeTestApp } from '../helpers/app'
import { expectScimError, readJson } from '../helpers/scim'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest'

interface Page {
  totalResults: number
  itemsPerPage: number
  nextCursor?: string
  previousCursor?: string
  startIndex?: number
  Resources: { id: string; userName: string }[]
}

async function seeded(n: number, options = {}) {
  const t = makeTestApp(options)
  for (let i = 0; i < n; i++)
    await t.request('POST', '/scim/v2/Users', {
      schemas: [USER],
      userName: `u${String(i).padStart(3, '0')}`,
      title: i % 2 ? 'odd' : 'even',
    })
  return t
}

async function page(t: ReturnType<typeof makeTestApp>, query: string): Promise<Page> {
  const res = await t.request('GET', `/scim/v2/Users?${query}`)
  expect(res.status).toBe(200)
  return readJson<Page>(res)
}

describe('cursor paging', () => {
  test('a walk forward visits every user once and ends without nextCursor; it can walk back', async () => {
    const t = await seeded(23)
    const seen: string[] = []
    let p = await page(t, 'cursor=&count=5')
    expect(p.previousCursor).toBeUndefined()
    expect(p.startIndex).toBeUndefined()
    const pages = [p]
    seen.push(...p.Resources.map((r) => r.id))
    while (p.nextCursor) {
      p = await page(t, `cursor=${encodeURIComponent(p.nextCursor)}&count=5`)
      pages.push(p)
      seen.push(...p.Resources.map((r) => r.id))
    }
    expect(pages.map((x) => x.itemsPerPage)).toEqual([5, 5, 5, 5, 3])
    expect(new Set(seen).size).toBe(23)
    expect(pages.every((x) => x.totalResults === 23)).toBe(true)
    const back = await page(t, `cursor=${encodeURIComponent(pages[4]!.previousCursor!)}&count=5`)
    expect(back.Resources.map((r) => r.id)).toEqual(pages[3]!.Resources.map((r) => r.id))
    expect(back.nextCursor).toBeDefined()
  })

  test('the same walk with a filter and through POST /.search', async () => {
    const t = await seeded(12)
    const res = await t.request('POST', '/scim/v2/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'title eq "odd"',
      cursor: '',
      count: 4,
    })
    const first = await readJson<Page>(res)
    expect(first.totalResults).toBe(6)
    expect(first.Resources).toHaveLength(4)
    const second = await readJson<Page>(
      await t.request('POST', '/scim/v2/Users/.search', {
        filter: 'title eq "odd"',
        cursor: first.nextCursor,
        count: 4,
      })
    )
    expect(second.Resources).toHaveLength(2)
    expect(second.nextCursor).toBeUndefined()
  })

  test('writes during a walk: every user that existed throughout is returned exactly once', async () => {
    const t = await seeded(40)
    const all = (await page(t, 'count=1000')).Resources
    const survivors = new Set(all.filter((_, i) => i % 3 !== 0).map((r) => r.id))
    const doomed = all.filter((_, i) => i % 3 === 0)
    const seen: string[] = []
    let cursor = ''
    let step = 0
    do {
      const p = await page(t, `cursor=${encodeURIComponent(cursor)}&count=7`)
      seen.push(...p.Resources.map((r) => r.id))
      cursor = p.nextCursor ?? ''
      // Between pages: delete some, rename survivors (which changes the userName order), add new ones.
      const victim = doomed[step]
      if (victim) await t.request('DELETE', `/scim/v2/Users/${victim.id}`)
      const renamed = all[(step * 5 + 1) % all.length]!
      await t.request('PATCH', `/scim/v2/Users/${renamed.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'userName', value: `zz-${step}-${renamed.userName}` }],
      })
      await t.request('POST', '/scim/v2/Users', { schemas: [USER], userName: `new-${step}` })
      step++
    } while (cursor !== '')
    for (const id of survivors) expect(seen.filter((s) => s === id)).toHaveLength(1)
    expect(new Set(seen).size).toBe(seen.length)
  })

  test('errors: foreign or altered cursors, another filter, expired cursors, bad counts, mixing with startIndex or sortBy', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z')
    const t = await seeded(3)
    t.server.deps.now = () => new Date(clock)
    const first = await page(t, 'cursor=&count=1')
    await expectScimError(await t.request('GET', '/scim/v2/Users?cursor=garbage'), 400, 'invalidCursor')
    await expectScimError(
      await t.request('GET', `/scim/v2/Users?cursor=${first.nextCursor}&filter=title%20eq%20%22odd%22`),
      400,
      'invalidCursor'
    )
    await expectScimError(await t.request('GET', '/scim/v2/Users?cursor=&count=-1'), 400, 'invalidCount')
    // The same rule as index paging: Number() would read each of these as a number.
    for (const count of ['0x10', '1e1', '%201'])
      await expectScimError(await t.request('GET', `/scim/v2/Users?cursor=&count=${count}`), 400, 'invalidCount')
    await expectScimError(await t.request('GET', '/scim/v2/Users?cursor=&startIndex=2'), 400, 'invalidValue')
    await expectScimError(await t.request('GET', '/scim/v2/Users?cursor=&sortBy=userName'), 400, 'invalidValue')
    clock += 3601_000
    await expectScimError(
      await t.request('GET', `/scim/v2/Users?cursor=${first.nextCursor}&count=1`),
      400,
      'expiredCursor'
    )
  })

  test('a cursor naming an id no resource can have (NUL, a lone surrogate) is invalidCursor on every store', async () => {
    // A cursor carries no secret, so a client can build one around any id: PostgreSQL refused the
    // NUL one in its keyset comparison, which was a 500.
    const t = await seeded(1)
    const now = Math.floor(Date.now() / 1000)
    for (const id of ['a\u0000', '\ud800']) {
      for (const direction of ['after', 'before'] as const) {
        const plain = encodeCursor({ direction, id }, queryFingerprint('User', undefined), now)
        await expectScimError(await t.request('GET', `/scim/v2/Users?cursor=${plain}`), 400, 'invalidCursor')
        const filtered = encodeCursor({ direction, id }, queryFingerprint('User', 'userName pr'), now)
        const search = { schemas: [SEARCH], filter: 'userName pr', cursor: filtered }
        await expectScimError(await t.request('POST', '/scim/v2/Users/.search', search), 400, 'invalidCursor')
      }
    }
  })

  test('/ServiceProviderConfig advertises both paging methods', async () => {
    const t = makeTestApp()
    const spc = await readJson(await t.request('GET', '/scim/v2/ServiceProviderConfig'))
    expect(spc.pagination).toEqual({
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: 100,
      maxPageSize: 1000,
      cursorTimeout: 3600,
    })
  })
})

describe('cursor paging under the response byte budget', () => {
  // The store read count+1 rows to tell a next page; when its byte budget ended the read at count
  // rows or fewer, the walk took the page for the last and lost every resource after it.
  test.each([20, 40, 44, 60])('a walk of users with %i emails each reaches every user', async (emails) => {
    const t = makeTestApp({ limits: { maxResponseBytes: 4096 } })
    for (let i = 0; i < 8; i++) {
      const res = await t.request('POST', '/scim/v2/Users', {
        schemas: [USER],
        userName: `u${i}`,
        emails: Array.from({ length: emails }, (_, k) => ({ value: `e${k}@x.io`, type: 'w' })),
      })
      expect(res.status).toBe(201)
    }
    const seen: string[] = []
    let query = 'attributes=userName&count=3&cursor='
    for (let pages = 0; pages < 20; pages++) {
      const p = await page(t, query)
      expect(p.totalResults).toBe(8)
      seen.push(...p.Resources.map((r) => r.userName))
      if (p.nextCursor === undefined) break
      query = `attributes=userName&count=3&cursor=${encodeURIComponent(p.nextCursor)}`
    }
    expect(seen.sort()).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'])
  })
})
