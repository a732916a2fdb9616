// The journal page: filters, paging, export as JSON lines, and Verify chain (a POST with CSRF).
import { afterEach, describe, expect, test } from 'bun:test'
import {
  Browser,
  type ConsoleTestApp,
  csrfOf,
  form,
  closeConsoleApps,
  consoleStores,
  signedIn,
} from '../helpers/console'

const STORES = await consoleStores()
import { URN_GROUP, URN_USER, patchBody } from '../helpers/scim'

async function provision(app: ConsoleTestApp): Promise<{ ada: string; group: string }> {
  const res = await app.scim('POST', '/Users', { schemas: [URN_USER], userName: 'ada@example.com' })
  const ada = ((await res.json()) as { id: string }).id
  await app.scim('PATCH', `/Users/${ada}`, patchBody({ op: 'replace', path: 'displayName', value: 'Ada' }))
  const g = await app.scim('POST', '/Groups', {
    schemas: [URN_GROUP],
    displayName: 'Engineers',
    members: [{ value: ada }],
  })
  return { ada, group: ((await g.json()) as { id: string }).id }
}

const seqs = (page: string) => [...page.matchAll(/<tr data-seq="(\d+)"/g)].map((m) => Number(m[1]))

for (const store of STORES)
  describe.skipIf(store.skip)(`journal page (${store.name})`, () => {
    afterEach(closeConsoleApps)
    test('lists the tenant’s entries newest first, filtered by operation, resource type and id, actor and time', async () => {
      const { app, browser } = await signedIn(store)
      const { ada, group } = await provision(app)
      const all = await (await browser.get('/admin/journal')).text()
      expect(seqs(all)).toEqual([3, 2, 1])
      expect(all).toContain(`<a href="/admin/group?id=${group}">Group ${group}</a>`)
      expect(seqs(await (await browser.get('/admin/journal?op=patch')).text())).toEqual([2])
      expect(seqs(await (await browser.get('/admin/journal?type=Group')).text())).toEqual([3])
      expect(seqs(await (await browser.get(`/admin/journal?type=User&id=${ada}`)).text())).toEqual([2, 1])
      const [{ actor }] = (await app.rows<{ actor: string }>('SELECT actor FROM journal LIMIT 1')) as [
        { actor: string },
      ]
      expect(seqs(await (await browser.get(`/admin/journal?actor=${encodeURIComponent(actor)}`)).text())).toEqual([
        3, 2, 1,
      ])
      expect(seqs(await (await browser.get('/admin/journal?actor=nobody')).text())).toEqual([])
      // A value no entry can hold matches none (PostgreSQL text holds no NUL).
      for (const query of ['actor=%00', 'type=User%00', `id=${ada}%00`]) {
        const res = await browser.get(`/admin/journal?${query}`)
        expect(res.status).toBe(200)
        expect(seqs(await res.text())).toEqual([])
      }
      const exported = await browser.get('/admin/journal/export?actor=%00')
      expect(exported.status).toBe(200)
      expect(await exported.text()).toBe('')
      expect(seqs(await (await browser.get('/admin/journal?from=2999-01-01T00:00')).text())).toEqual([])
      expect(seqs(await (await browser.get('/admin/journal?to=2000-01-01')).text())).toEqual([])
      expect(seqs(await (await browser.get('/admin/journal?from=2000-01-01T00:00Z&to=2999-01-01')).text())).toEqual([
        3, 2, 1,
      ])
    })

    test('a filter that cannot run is a 400 page saying why, with the form kept', async () => {
      const { browser } = await signedIn(store)
      for (const query of ['from=yesterday', 'to=2026-13-45', 'op=drop']) {
        const res = await browser.get(`/admin/journal?${query}`)
        expect(res.status).toBe(400)
        const page = await res.text()
        expect(page).toContain('role="alert"')
        expect(page).toContain('aria-label="Filter the journal"')
      }
      // A tenant that does not exist is no filter of this page but a page that is not there.
      const unknown = await browser.get('/admin/journal?tenant=other')
      expect(unknown.status).toBe(404)
      expect(await unknown.text()).toContain('There is no tenant named other.')
    })

    test('pages go back in time 50 at a time, every entry once', async () => {
      const { app, browser } = await signedIn(store)
      const res = await app.scim('POST', '/Users', { schemas: [URN_USER], userName: 'ada@example.com' })
      const id = ((await res.json()) as { id: string }).id
      for (let i = 0; i < 109; i++)
        await app.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'displayName', value: `n${i}` }))
      const seen: number[] = []
      let path: string | undefined = '/admin/journal?op=patch'
      while (path) {
        const page: string = await (await browser.get(path)).text()
        seen.push(...seqs(page))
        const older: RegExpExecArray | null = /href="([^"]+)">Older entries/.exec(page)
        path = older ? older[1]!.replaceAll('&amp;', '&') : undefined
      }
      expect(seen.length).toBe(109)
      expect(seen).toEqual([...seen].sort((a, b) => b - a))
      expect(new Set(seen).size).toBe(109)
    })

    test('export gives the filtered entries as JSON lines, oldest first, as `journal export` writes them', async () => {
      const { app, browser } = await signedIn(store)
      const { ada } = await provision(app)
      const page = await (await browser.get('/admin/journal?type=User')).text()
      expect(page).toContain('href="/admin/journal/export?type=User" download')
      const res = await browser.get('/admin/journal/export?tenant=default&type=User')
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toStartWith('application/jsonl')
      expect(res.headers.get('content-disposition')).toContain('attachment')
      const lines = (await res.text())
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l))
      expect(lines.map((e) => [e.seq, e.op, e.resourceId])).toEqual([
        [1, 'create', ada],
        [2, 'patch', ada],
      ])
      expect(Object.keys(lines[0]).sort()).toContain('hash')
      // Signed out, no export.
      const anonymous = await new Browser(app).get('/admin/journal/export')
      expect(anonymous.status).toBe(303)
    })

    test('Verify chain shows the count when intact and the first bad entry after an edit; it needs the CSRF token', async () => {
      const { app, browser } = await signedIn(store)
      await provision(app)
      const page = await (await browser.get('/admin/journal')).text()
      const csrf = csrfOf(page.slice(page.indexOf('action="/admin/journal/verify"')))
      const refused = await browser.post('/admin/journal/verify', form({ tenant: 'default' }))
      expect(refused.status).toBe(403)
      const forged = await browser.post('/admin/journal/verify', form({ tenant: 'default', csrf: 'x'.repeat(43) }))
      expect(forged.status).toBe(403)
      const ok = await (await browser.post('/admin/journal/verify', form({ tenant: 'default', csrf }))).text()
      expect(ok).toMatch(
        /<output id="verify-result" class="notice" role="status"><span>tenant default: 3 entries intact, head [0-9a-f]{64}<\/span>/
      )
      expect(ok).toContain('journal intact: 3 entries in 1 tenant(s)')
      await app.rows("UPDATE journal SET actor = 'mallory' WHERE seq = 2")
      const res = await browser.post('/admin/journal/verify', form({ tenant: 'default', csrf }))
      const bad = await res.text()
      expect(bad).toContain('class="notice bad" role="alert"')
      expect(bad).toContain('journal of tenant default is broken at entry 2: its hash does not match its content')
      // No session, no verification.
      const stranger = await new Browser(app).post('/admin/journal/verify', form({ tenant: 'default', csrf }))
      expect(stranger.status).toBe(303)
    })
  })
