// Input limits over HTTP: depth, request and document size, list byte budget, storage full.
import { Database } from 'bun:sqlite'
import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeTestApp, TEST_TOKEN, ENTRA_CONTENT_TYPE, type TestApp } from '../helpers/app'
import { URN_GROUP, URN_USER, expectScimError, patchBody, readJson } from '../helpers/scim'
import { captureLog } from '../helpers/log-capture'
import { sqliteOnly } from '../helpers/test-store'

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n)

async function createUser(t: TestApp, userName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName, ...extra })
  expect(res.status).toBe(201)
  return ((await res.json()) as { id: string }).id
}

/** A request whose body arrives as a stream, without Content-Length (chunked on the wire). */
function streamed(path: string, text: string): Request {
  const bytes = new TextEncoder().encode(text)
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 4096) controller.enqueue(bytes.slice(i, i + 4096))
      controller.close()
    },
  })
  return new Request(`http://localhost${path}`, {
    method: 'POST',
    body,
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': ENTRA_CONTENT_TYPE },
  })
}

describe('http limits: nesting depth', () => {
  test('a body nested 1,000 levels is refused before it is stored, so filtered reads keep working', async () => {
    const t = makeTestApp()
    await createUser(t, 'plain@x', { title: 't' })
    const res = await t.request('POST', '/scim/v2/Users', `{"userName":"deep@x","x":${deep(1000)}}`)
    const body = await expectScimError(res, 400, 'invalidSyntax')
    expect(body.detail).toContain('64 levels (max-depth)')
    const list = await t.request('GET', '/scim/v2/Users?filter=title+eq+%22t%22')
    expect(list.status).toBe(200)
    expect((await readJson(list)).totalResults).toBe(1)
    expect((await readJson(await t.request('GET', '/scim/v2/Users?sortBy=title'))).totalResults).toBe(1)
  })

  test('100,000 levels answer 400 on POST and on a PATCH add, not a stack overflow', async () => {
    const t = makeTestApp()
    const id = await createUser(t, 'u@x')
    await expectScimError(
      await t.request('POST', '/scim/v2/Users', `{"userName":"d@x","x":${deep(100_000)}}`),
      400,
      'invalidSyntax'
    )
    const patch = JSON.stringify(patchBody({ op: 'add', path: 'title', value: 'x' })).replace('"x"', deep(100_000))
    await expectScimError(await t.request('PATCH', `/scim/v2/Users/${id}`, patch), 400, 'invalidSyntax')
    await expectScimError(
      await t.request('POST', '/scim/v2/Users', `{"x":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`),
      400,
      'invalidSyntax'
    )
  })

  test('brackets inside strings do not count, and the limit is a setting', async () => {
    const t = makeTestApp({ limits: { maxDepth: 8 } })
    await createUser(t, 'brackets@x', { title: '[[[[[[[[[[[[{{{{{{{{{{\\"[[[[[[[[[' })
    const res = await t.request('POST', '/scim/v2/Users', {
      schemas: [URN_USER],
      userName: 'n@x',
      x: [[[[[[[[['too deep']]]]]]]]],
    })
    expect((await expectScimError(res, 400, 'invalidSyntax')).detail).toContain('8 levels (max-depth)')
  })
})

describe('http limits: request size', () => {
  test('a declared Content-Length over the limit is a SCIM 413 naming the limit, read or not', async () => {
    const t = makeTestApp({ limits: { maxRequestBytes: 2048 } })
    const big = JSON.stringify({ schemas: [URN_USER], userName: 'big@x', title: 'x'.repeat(4000) })
    const res = await t.request('POST', '/scim/v2/Users', big, { 'content-length': String(big.length) })
    expect((await expectScimError(res, 413)).detail).toContain('2048 bytes (max-request-bytes)')
    expect((await readJson(await t.request('GET', '/scim/v2/Users'))).totalResults).toBe(0)
  })

  test('a streamed body without Content-Length is cut off at the limit with the same 413', async () => {
    const t = makeTestApp({ limits: { maxRequestBytes: 2048 } })
    const big = JSON.stringify({ schemas: [URN_USER], userName: 'big@x', title: 'x'.repeat(40_000) })
    expect((await expectScimError(await t.handle(streamed('/scim/v2/Users', big)), 413)).detail).toContain(
      'max-request-bytes'
    )
    const small = JSON.stringify({ schemas: [URN_USER], userName: 'small@x' })
    expect((await t.handle(streamed('/scim/v2/Users', small))).status).toBe(201)
  })
})

describe('http limits: stored document size', () => {
  const limits = { maxDocumentBytes: 4096 }

  test('POST, PUT and PATCH cannot make a resource larger than the limit; the stored one is unchanged', async () => {
    const t = makeTestApp({ limits })
    await expectScimError(
      await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'a@x', title: 'x'.repeat(5000) }),
      413
    )
    const id = await createUser(t, 'b@x', { title: 'small' })
    const before = await readJson(await t.request('GET', `/scim/v2/Users/${id}`))
    const put = await t.request('PUT', `/scim/v2/Users/${id}`, {
      schemas: [URN_USER],
      userName: 'b@x',
      title: 'y'.repeat(5000),
    })
    expect((await expectScimError(put, 413)).detail).toContain('4096 bytes (max-document-bytes)')
    // Each PATCH is small; together they would grow the user past the limit.
    let status = 200
    for (let i = 0; i < 10 && status === 200; i++) {
      const res = await t.request(
        'PATCH',
        `/scim/v2/Users/${id}`,
        patchBody({ op: 'add', path: 'emails', value: [{ value: `${'e'.repeat(900)}${i}@x`, type: 'other' }] })
      )
      status = res.status
      if (status !== 200) await expectScimError(res, 413)
    }
    expect(status).toBe(413)
    const after = await readJson(await t.request('GET', `/scim/v2/Users/${id}`))
    expect(after.title).toBe(before.title)
    expect(JSON.stringify(after).length).toBeLessThan(4096 + 1000)
  })
})

describe('http limits: list response budget', () => {
  test('a page ends when its byte budget is spent; itemsPerPage tells the truth and paging on reaches all', async () => {
    const t = makeTestApp({ limits: { maxResponseBytes: 16_384 } })
    const ids = new Set<string>()
    for (let i = 0; i < 30; i++)
      ids.add(await createUser(t, `user${String(i).padStart(2, '0')}@x`, { title: 'z'.repeat(1500) }))
    const seen = new Set<string>()
    let startIndex = 1
    let pages = 0
    while (seen.size < 30 && pages < 30) {
      const res = await t.request('GET', `/scim/v2/Users?count=100&startIndex=${startIndex}`)
      const text = await res.text()
      const page = JSON.parse(text)
      expect(page.totalResults).toBe(30)
      expect(page.itemsPerPage).toBe(page.Resources.length)
      expect(page.itemsPerPage).toBeGreaterThan(0)
      expect(page.itemsPerPage).toBeLessThan(30)
      expect(text.length).toBeLessThan(16_384 + 1024)
      for (const r of page.Resources) seen.add(r.id)
      startIndex += page.itemsPerPage
      pages++
    }
    expect(seen).toEqual(ids)
    // The root /.search shares the budget.
    const all = await readJson(
      await t.request('POST', '/scim/v2/.search', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        count: 100,
      })
    )
    expect(all.itemsPerPage).toBe(all.Resources.length)
    expect(all.itemsPerPage).toBeLessThan(30)
  })

  test('a single resource larger than the budget is still served, one per page', async () => {
    const t = makeTestApp({ limits: { maxResponseBytes: 1024 } })
    await createUser(t, 'a@x', { title: 'q'.repeat(2000) })
    await createUser(t, 'b@x', { title: 'q'.repeat(2000) })
    const page = await readJson(await t.request('GET', '/scim/v2/Users'))
    expect(page.itemsPerPage).toBe(1)
    expect(page.Resources).toHaveLength(1)
  })
})

describe('http limits: storage full', () => {
  /** Caps the database at its current size, so the next write that needs a page fails. */
  function fillDisk(t: TestApp): () => void {
    const pages = (t.server.sqlite.query('PRAGMA page_count').get() as { page_count: number }).page_count
    t.server.sqlite.run(`PRAGMA max_page_count = ${pages}`)
    return () => t.server.sqlite.run('PRAGMA max_page_count = 1073741823')
  }

  sqliteOnly('fills the database with PRAGMA max_page_count')(
    'SQLITE_FULL is a 503 with Retry-After and a SCIM body, one log line, and nothing half-written',
    async () => {
      const log = captureLog()
      const t = makeTestApp({ logger: log.logger })
      const kept = await createUser(t, 'kept@x')
      const group = await readJson(
        await t.request('POST', '/scim/v2/Groups', {
          schemas: [URN_GROUP],
          displayName: 'g',
          members: [{ value: kept }],
        })
      )
      const free = fillDisk(t)
      const big = { title: 'w'.repeat(20_000) }
      // Several writes in one tick share one group-commit batch.
      const results = await Promise.all([
        t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'new1@x', ...big }),
        t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'new2@x', ...big }),
        t.request(
          'PATCH',
          `/scim/v2/Users/${kept}`,
          patchBody({ op: 'replace', path: 'title', value: 'w'.repeat(20_000) })
        ),
        t.request('POST', '/scim/v2/Groups', {
          schemas: [URN_GROUP],
          displayName: 'g2',
          members: [{ value: kept }],
          description: 'w'.repeat(20_000),
        }),
      ])
      for (const res of results) {
        expect(res.headers.get('retry-after')).toMatch(/^\d+$/)
        await expectScimError(res, 503)
      }
      const logged = log.records().filter((r) => r.level === 'error')
      expect(logged).toHaveLength(results.length)
      for (const record of logged) {
        expect(String(record.msg)).toContain('SQLITE_FULL')
        expect(String(record.msg)).not.toContain('\n')
      }
      free()
      // Reads still work, and nothing of the failed batch is there.
      expect((await readJson(await t.request('GET', '/scim/v2/Users'))).totalResults).toBe(1)
      expect((await readJson(await t.request('GET', `/scim/v2/Users/${kept}`))).title).toBeUndefined()
      const groups = await readJson(await t.request('GET', '/scim/v2/Groups'))
      expect(groups.Resources.map((g: { id: string }) => g.id)).toEqual([group.id])
      expect((await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'new1@x' })).status).toBe(201)
    }
  )

  sqliteOnly('fills the database with PRAGMA max_page_count')(
    'while writes fail for lack of space, /readyz says so; it is ready again once a write commits',
    async () => {
      const t = makeTestApp()
      await createUser(t, 'kept@x')
      const free = fillDisk(t)
      await expectScimError(
        await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'n@x', title: 'w'.repeat(20_000) }),
        503
      )
      const notReady = await t.handle(new Request('http://localhost/readyz'))
      expect(notReady.status).toBe(503)
      expect(await notReady.text()).toContain('writes are failing: SQLITE_FULL')
      free()
      expect((await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'n@x' })).status).toBe(201)
      await Bun.sleep(1100) // /readyz answers are kept for a second
      expect((await t.handle(new Request('http://localhost/readyz'))).status).toBe(200)
    }
  )

  sqliteOnly('holds the write lock of a SQLite database file from a second connection')(
    'a write lock held past busy_timeout by another process is a 503 with Retry-After that changes nothing',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'scim-busy-'))
      try {
        const db = join(dir, 'scim.db')
        const t = makeTestApp({ db })
        await createUser(t, 'kept@x')
        // An admin command writing the same file (an import, a restore) holds the lock throughout.
        const other = new Database(db)
        other.run('BEGIN IMMEDIATE')
        t.server.sqlite.run('PRAGMA busy_timeout = 50')
        const res = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'n@x' })
        expect(res.headers.get('retry-after')).toMatch(/^\d+$/)
        expect((await expectScimError(res, 503)).detail).toContain('another process')
        other.run('ROLLBACK')
        other.close()
        expect((await readJson(await t.request('GET', '/scim/v2/Users'))).totalResults).toBe(1)
        expect((await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'n@x' })).status).toBe(201)
        t.server.store.close()
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  )

  sqliteOnly('a SQLite database file, filled with PRAGMA max_page_count')(
    'on a WAL database file with full durability: the acknowledged writes survive a reopen, the refused ones are gone',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'scim-full-'))
      try {
        const db = join(dir, 'scim.db')
        const first = makeTestApp({ db })
        const kept = await createUser(first, 'kept@x')
        const free = fillDisk(first)
        const refused = await Promise.all(
          [1, 2, 3].map((i) =>
            first.request('POST', '/scim/v2/Users', {
              schemas: [URN_USER],
              userName: `n${i}@x`,
              title: 'w'.repeat(20_000),
            })
          )
        )
        for (const res of refused) await expectScimError(res, 503)
        free()
        first.server.store.close()
        const again = makeTestApp({ db })
        const all = await readJson(await again.request('GET', '/scim/v2/Users'))
        expect(all.Resources.map((u: { id: string }) => u.id)).toEqual([kept])
        again.server.store.close()
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  )
})

/** How many rows each store query of `t` returns, from now on. */
function rowsReadBy(t: ReturnType<typeof makeTestApp>): number[] {
  const store = t.server.deps.store
  const query = store.query.bind(store)
  const read: number[] = []
  store.query = function* (type, q) {
    const result = yield* query(type, q)
    read.push(result.rows.length)
    return result
  }
  return read
}

describe('http limits: rows read for a list page', () => {
  test('rows past the byte budget are not read from the store: a 1,000-row page of 3 KB users reads about what 32 KB holds', async () => {
    const t = makeTestApp({ limits: { maxResponseBytes: 32_768 }, maxResults: 1000 })
    for (let i = 0; i < 300; i++) await createUser(t, `big${String(i).padStart(3, '0')}@x`, { title: 'r'.repeat(3000) })
    const read = rowsReadBy(t)
    const page = await readJson(await t.request('GET', '/scim/v2/Users?count=1000'))
    expect(page.totalResults).toBe(300)
    expect(page.itemsPerPage).toBeLessThan(15)
    // The store stops reading once the rows' text passes what is left of the budget.
    expect(read.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(Math.ceil(32_768 / 3000) + 1)
    // A page that needs more than the first read goes on reading, sized by what is left of the budget.
    const small = makeTestApp({ limits: { maxResponseBytes: 8 * 1024 * 1024 }, maxResults: 1000 })
    for (let i = 0; i < 250; i++) await createUser(small, `s${String(i).padStart(3, '0')}@x`)
    const smallRead = rowsReadBy(small)
    const all = await readJson(await small.request('GET', '/scim/v2/Users?count=1000'))
    expect(all.itemsPerPage).toBe(250)
    expect(smallRead).toEqual([200, 50])
    // 550 sequential POSTs: over 5 s on PostgreSQL on a loaded 2-core machine.
  }, 30_000)
})

describe('http limits: cursor pages and member display', () => {
  test('a cursor page ends where the response budget does, and the walk goes on from there', async () => {
    const t = makeTestApp({ limits: { maxResponseBytes: 32_768 }, maxResults: 1000 })
    for (let i = 0; i < 40; i++) await createUser(t, `c${String(i).padStart(2, '0')}@x`, { title: 'r'.repeat(3000) })
    const seen: string[] = []
    let cursor = ''
    let pages = 0
    do {
      const page = await readJson(
        await t.request('GET', `/scim/v2/Users?cursor=${encodeURIComponent(cursor)}&count=1000`)
      )
      expect(page.itemsPerPage).toBeLessThan(15)
      seen.push(...page.Resources.map((r: { id: string }) => r.id))
      cursor = page.nextCursor ?? ''
      pages++
    } while (cursor !== '')
    expect(pages).toBeGreaterThan(2)
    expect(new Set(seen).size).toBe(40)
  })

  test('a member shows at most 256 characters of its name, so a group as served is bounded per member', async () => {
    const t = makeTestApp()
    const long = `${'Ω'.repeat(300)}😀`
    const id = await createUser(t, 'long@x', { displayName: long })
    const group = await readJson(
      await t.request('POST', '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'g', members: [{ value: id }] })
    )
    const served = await readJson(await t.request('GET', `/scim/v2/Groups/${group.id}`))
    expect(served.members[0].display).toBe('Ω'.repeat(256))
    // The filter reads the same shortened display.
    const filter = encodeURIComponent(`members.display eq "${'Ω'.repeat(256)}"`)
    expect((await readJson(await t.request('GET', `/scim/v2/Groups?filter=${filter}`))).totalResults).toBe(1)
  })
})

describe('http limits: PATCH work', () => {
  test('a PATCH with more operations than the limit is a 400 invalidValue naming it; nothing changes', async () => {
    const t = makeTestApp({ limits: { maxPatchOperations: 5 } })
    const id = await createUser(t, 'ops@x', { displayName: 'before' })
    const ops = Array.from({ length: 6 }, (_, i) => ({ op: 'replace', path: 'displayName', value: `d${i}` }))
    const body = await expectScimError(
      await t.request('PATCH', `/scim/v2/Users/${id}`, patchBody(...ops)),
      400,
      'invalidValue'
    )
    expect(body.detail).toContain('5 operations (max-patch-operations)')
    expect((await readJson(await t.request('GET', `/scim/v2/Users/${id}`))).displayName).toBe('before')
    const ok = await t.request('PATCH', `/scim/v2/Users/${id}`, patchBody(...ops.slice(0, 5)))
    expect(ok.status).toBe(200)
  })

  test('operations that together visit more elements than the limit are a 400 invalidValue naming it', async () => {
    const t = makeTestApp({ limits: { maxPatchElements: 2000 } })
    const emails = Array.from({ length: 900 }, (_, i) => ({ value: `${i}@x` }))
    const id = await createUser(t, 'scan@x', { emails })
    const remove = { op: 'remove', path: 'emails[value eq "nomatch"]' }
    expect((await t.request('PATCH', `/scim/v2/Users/${id}`, patchBody(remove, remove))).status).toBe(200)
    const res = await t.request('PATCH', `/scim/v2/Users/${id}`, patchBody(remove, remove, remove))
    const body = await expectScimError(res, 400, 'invalidValue')
    expect(body.detail).toContain('2000 elements (max-patch-elements)')
  })

  test('member filters visit the members once per operation against one read, and count toward the limit', async () => {
    const t = makeTestApp({ limits: { maxPatchElements: 2000 } })
    const ids = await Promise.all(Array.from({ length: 900 }, (_, i) => createUser(t, `m${i}@x`)))
    const res = await t.request('POST', '/scim/v2/Groups', {
      schemas: [URN_GROUP],
      displayName: 'big',
      members: ids.map((value) => ({ value })),
    })
    const gid = ((await res.json()) as { id: string }).id
    const remove = { op: 'remove', path: 'members[display eq "nobody"]' }
    expect((await t.request('PATCH', `/scim/v2/Groups/${gid}`, patchBody(remove, remove))).status).toBe(204)
    const over = await t.request('PATCH', `/scim/v2/Groups/${gid}`, patchBody(remove, remove, remove))
    expect((await expectScimError(over, 400, 'invalidValue')).detail).toContain('(max-patch-elements)')
    const left = await readJson(await t.request('GET', `/scim/v2/Groups/${gid}?attributes=members`))
    expect(left.members).toHaveLength(900)
  })

  // A Bulk request is one request: its PATCHes share one budget, or 1,000 of them could each visit the
  // whole limit and hold the server's one thread for minutes.
  test('the PATCH operations of one Bulk request share the element limit; the next request has its own', async () => {
    const t = makeTestApp({ limits: { maxPatchElements: 2000 } })
    const emails = Array.from({ length: 900 }, (_, i) => ({ value: `${i}@x` }))
    const id = await createUser(t, 'bulkscan@x', { emails })
    const remove = { op: 'remove', path: 'emails[value eq "nomatch"]' }
    const patch = { method: 'PATCH', path: `/Users/${id}`, data: patchBody(remove) }
    const bulk = (n: number) => ({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: Array.from({ length: n }, () => patch),
    })
    const statuses = async (n: number) => {
      const res = await t.request('POST', '/scim/v2/Bulk', bulk(n))
      expect(res.status).toBe(200)
      const out = (await res.json()) as { Operations: { status: string; response?: { detail: string } }[] }
      return out.Operations.map((o) => (o.status === '400' ? o.response!.detail : o.status))
    }
    const answers = await statuses(4)
    expect(answers.slice(0, 2)).toEqual(['200', '200'])
    expect(answers[2]).toContain('2000 elements (max-patch-elements)')
    expect(answers[3]).toContain('2000 elements (max-patch-elements)')
    expect(await statuses(2)).toEqual(['200', '200'])
  })
})

describe('http limits: filter terms on a member display', () => {
  test('more than ten groups.display or members.display terms are a 400 invalidFilter, on GET and .search', async () => {
    const t = makeTestApp()
    const terms = (attr: string, n: number) => Array.from({ length: n }, (_, i) => `${attr} co "x${i}"`).join(' or ')
    const get = (type: string, f: string) => t.request('GET', `/scim/v2/${type}?filter=${encodeURIComponent(f)}`)
    await expectScimError(await get('Users', terms('groups.display', 11)), 400, 'invalidFilter')
    await expectScimError(await get('Groups', terms('members.display', 11)), 400, 'invalidFilter')
    const search = await t.request('POST', '/scim/v2/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: terms('groups.display', 11),
    })
    await expectScimError(search, 400, 'invalidFilter')
    expect((await get('Users', terms('groups.display', 10))).status).toBe(200)
    expect((await get('Users', terms('userName', 95))).status).toBe(200)
  })
})
