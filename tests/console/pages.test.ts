// The console's pages read through the SCIM services: counts, lists with search and cursor paging, details.
import { afterEach, describe, expect, test } from 'bun:test'
import { type ConsoleTestApp, closeConsoleApps, consoleStores, signedIn } from '../helpers/console'

const STORES = await consoleStores()
import { URN_GROUP, URN_USER, patchBody } from '../helpers/scim'

async function createUser(app: ConsoleTestApp, userName: string, extra: object = {}): Promise<string> {
  const res = await app.scim('POST', '/Users', { schemas: [URN_USER], userName, active: true, ...extra })
  expect(res.status).toBe(201)
  return ((await res.json()) as { id: string }).id
}

/** The hrefs of the detail links on a list page, in order. */
function detailLinks(page: string, kind: 'user' | 'group'): string[] {
  return [...page.matchAll(new RegExp(`href="/admin/${kind}\\?id=([^"]+)"`, 'g'))].map((m) => decodeURIComponent(m[1]!))
}

for (const store of STORES)
  describe.skipIf(store.skip)(`console pages (${store.name})`, () => {
    afterEach(closeConsoleApps)
    test('the dashboard counts users and groups and lists what was modified last, newest first', async () => {
      const { app, browser } = await signedIn(store)
      const ada = await createUser(app, 'ada@example.com')
      await createUser(app, 'bob@example.com')
      const group = await app.scim('POST', '/Groups', {
        schemas: [URN_GROUP],
        displayName: 'Engineers',
        members: [{ value: ada }],
      })
      expect(group.status).toBe(201)
      const page = await (await browser.get('/admin')).text()
      expect(page).toMatch(/id="count-User">Users<\/h2><p class="n">2</)
      expect(page).toMatch(/id="count-Group">Groups<\/h2><p class="n">1</)
      expect(page).toContain('last 5 minutes: 2')
      const rows = [...page.matchAll(/<td data-label="Name"><a [^>]+>([^<]+)<.*?datetime="([^"]+)"/g)]
      expect(rows.map((m) => m[1]).sort()).toEqual(['Engineers', 'ada@example.com', 'bob@example.com'])
      const times = rows.map((m) => m[2]!)
      expect(times).toEqual([...times].sort().reverse())
    })

    test('over HTTPS the dashboard shows when the certificate ends, and warns inside 14 days', async () => {
      const { app, browser } = await signedIn(store)
      expect(await (await browser.get('/admin')).text()).not.toContain('id="certificate"')
      const day = 86_400_000
      app.servesCertificate(new Date(Date.now() + 40 * day + 60_000))
      const far = await (await browser.get('/admin')).text()
      expect(far).toMatch(/id="certificate">HTTPS certificate<\/h2><p class="n">40 days<\/p>/)
      expect(far).not.toContain('class="notice bad"')
      app.servesCertificate(new Date(Date.now() + 3 * day + 60_000))
      const soon = await (await browser.get('/admin')).text()
      expect(soon).toMatch(/<p class="n">3 days<\/p>/)
      expect(soon).toMatch(/<p class="notice bad">the TLS certificate expires on \d{4}-\d\d-\d\d \(in 3 days\)/)
    })

    test('plain text searches the start of userName; a filter runs as typed', async () => {
      const { app, browser } = await signedIn(store)
      await createUser(app, 'ada@example.com', { emails: [{ value: 'ada@corp.example', primary: true }] })
      await createUser(app, 'adam@example.com')
      await createUser(app, 'bob@example.com')
      const text = await (await browser.get('/admin/users?q=AD')).text()
      expect(text).toContain('2 users match.')
      expect(text).toContain('<code>userName sw &quot;AD&quot;</code>')
      expect(text).not.toContain('bob@example.com')
      const filter = await (await browser.get(`/admin/users?q=${encodeURIComponent('emails.value co "corp"')}`)).text()
      expect(filter).toContain('1 user match.')
      expect(filter).toContain('ada@corp.example')
      expect(filter).not.toContain('adam@example.com')
    })

    test('a filter the server refuses shows its SCIM error detail with the same status', async () => {
      const { browser } = await signedIn(store)
      const res = await browser.get(`/admin/users?q=${encodeURIComponent('nosuch eq "x"')}`)
      expect(res.status).toBe(400)
      expect(await res.text()).toContain('role="alert"')
      const bad = await browser.get(`/admin/users?q=${encodeURIComponent('userName eq')}`)
      expect(bad.status).toBe(400)
    })

    test('pages follow the cursor walk: 50 a page, next and previous, every user exactly once', async () => {
      const { app, browser } = await signedIn(store)
      for (let i = 0; i < 120; i++) await createUser(app, `user${String(i).padStart(3, '0')}@example.com`)
      const seen: string[] = []
      let path: string | undefined = '/admin/users'
      let pages = 0
      let last = ''
      while (path) {
        const page: string = await (await browser.get(path)).text()
        seen.push(...detailLinks(page, 'user'))
        pages++
        last = page
        const next: RegExpExecArray | null =
          /href="([^"]+)" *>Next page/.exec(page) ?? /rel="next" href="([^"]+)"/.exec(page)
        path = next?.[1]?.replaceAll('&amp;', '&')
      }
      expect(pages).toBe(3)
      expect(seen.length).toBe(120)
      expect(new Set(seen).size).toBe(120)
      // The last page links back.
      const previous = /rel="prev" href="([^"]+)"/.exec(last)![1]!.replaceAll('&amp;', '&')
      const back = await (await browser.get(previous)).text()
      expect(detailLinks(back, 'user')).toEqual(seen.slice(50, 100))
    })

    test('a search keeps its text across pages', async () => {
      const { app, browser } = await signedIn(store)
      for (let i = 0; i < 60; i++) await createUser(app, `x${i}@example.com`)
      await createUser(app, 'other@example.com')
      const first = await (await browser.get('/admin/users?q=x')).text()
      const next = /rel="next" href="([^"]+)"/.exec(first)![1]!.replaceAll('&amp;', '&')
      expect(next).toContain('q=x')
      const second = await (await browser.get(next)).text()
      expect(detailLinks(first, 'user').length + detailLinks(second, 'user').length).toBe(60)
    })

    test('a user page shows the resource exactly as the SCIM API serves it, and its groups', async () => {
      const { app, browser } = await signedIn(store)
      const id = await createUser(app, 'ada@example.com', { name: { givenName: 'Ada', familyName: 'Lovelace' } })
      const group = (await (
        await app.scim('POST', '/Groups', { schemas: [URN_GROUP], displayName: 'Analysts', members: [{ value: id }] })
      ).json()) as { id: string }
      const served = await (await app.scim('GET', `/Users/${id}`)).json()
      const page = await (await browser.get(`/admin/user?id=${id}`)).text()
      const json = /<pre id="resource-json"[^>]*>([\s\S]*?)<\/pre>/.exec(page)![1]!
      const unescaped = json
        .replaceAll('&quot;', '"')
        .replaceAll('&#39;', "'")
        .replaceAll('&lt;', '<')
        .replaceAll('&gt;', '>')
        .replaceAll('&amp;', '&')
      expect(JSON.parse(unescaped)).toEqual(served)
      expect(page).toContain('<dt>givenName</dt><dd>Ada</dd>')
      expect(page).toContain(`href="/admin/group?id=${group.id}">Analysts</a>`)
      // A PATCH through the API shows on the next load.
      const patched = await app.scim(
        'PATCH',
        `/Users/${id}`,
        patchBody({ op: 'replace', path: 'name.givenName', value: 'Augusta' })
      )
      expect(patched.status).toBe(200)
      expect(await (await browser.get(`/admin/user?id=${id}`)).text()).toContain('<dt>givenName</dt><dd>Augusta</dd>')
    })

    test('a group page lists its members with links to them', async () => {
      const { app, browser } = await signedIn(store)
      const ada = await createUser(app, 'ada@example.com')
      const group = (await (
        await app.scim('POST', '/Groups', { schemas: [URN_GROUP], displayName: 'Analysts', members: [{ value: ada }] })
      ).json()) as { id: string }
      const list = await (await browser.get('/admin/groups?q=ana')).text()
      expect(detailLinks(list, 'group')).toEqual([group.id])
      const page = await (await browser.get(`/admin/group?id=${group.id}`)).text()
      expect(page).toContain(`href="/admin/user?id=${ada}">ada@example.com</a>`)
      expect(page).toContain('Members <span class="muted">(1)</span>')
    })

    test('a group larger than the page shows its first 1,000 members and its JSON without them', async () => {
      const { app, browser } = await signedIn(store)
      const ids: string[] = []
      for (let i = 0; i < 1001; i++) ids.push(await createUser(app, `m${i}@example.com`))
      const created = await app.scim('POST', '/Groups', {
        schemas: [URN_GROUP],
        displayName: 'Everyone',
        members: ids.map((value) => ({ value })),
      })
      const group = (await created.json()) as { id: string }
      const page = await (await browser.get(`/admin/group?id=${group.id}`)).text()
      expect(page).toContain('Members <span class="muted">(1,001)</span>')
      expect(page).toContain('The first 1,000 are listed; 1 more are not.')
      expect(detailLinks(page, 'user')).toEqual(ids.slice(0, 1000))
      const json = /<pre id="resource-json"[^>]*>([\s\S]*?)<\/pre>/.exec(page)![1]!.replaceAll('&quot;', '"')
      const served = await (await app.scim('GET', `/Groups/${group.id}?excludedAttributes=members`)).json()
      expect(JSON.parse(json)).toEqual(served)
    }, 30_000)

    test('the default tenant’s pages show none of another tenant’s users: in no count, list or page', async () => {
      const { app, browser } = await signedIn(store)
      await createUser(app, 'ada@example.com')
      await app.rows("INSERT INTO tenants (name, created) VALUES ('other', '2026-01-01T00:00:00.000Z')")
      await app.rows(
        `INSERT INTO resources (id, tenant, type, name_ci, data, version, created, last_modified)
       VALUES ('other-1', 'other', 'User', 'eve@example.com', '{"userName":"eve@example.com"}', 1,
               '2026-01-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z')`
      )
      const dashboard = await (await browser.get('/admin')).text()
      expect(dashboard).toMatch(/id="count-User">Users<\/h2><p class="n">1</)
      expect(dashboard).not.toContain('eve@example.com')
      const list = await (await browser.get('/admin/users?q=eve')).text()
      expect(list).toContain('0 users match.')
      expect((await browser.get('/admin/user?id=other-1')).status).toBe(404)
    })

    test('an unknown id is a 404 page', async () => {
      const { browser } = await signedIn(store)
      const res = await browser.get('/admin/user?id=nope')
      expect(res.status).toBe(404)
      expect(await res.text()).toContain('User &quot;nope&quot; not found')
    })

    test('a deleted user or group is a 404 page that leads to its history in the journal', async () => {
      const { app, browser } = await signedIn(store)
      const created = await app.scim('POST', '/Users', { schemas: [URN_USER], userName: 'gone@example.com' })
      const id = ((await created.json()) as { id: string }).id
      expect((await app.scim('DELETE', `/Users/${id}`)).status).toBe(204)
      const res = await browser.get(`/admin/user?id=${id}`)
      expect(res.status).toBe(404)
      const page = await res.text()
      expect(page).toContain(`href="/admin/journal?type=User&amp;id=${id}"`)
      const history = await (await browser.get(`/admin/journal?type=User&id=${id}`)).text()
      expect(history).toContain('delete')
    })

    test('client text is escaped everywhere it is shown', async () => {
      const { app, browser } = await signedIn(store)
      const id = await createUser(app, '<script>alert(1)</script>', { displayName: '"><img src=x onerror=alert(1)>' })
      for (const path of [
        '/admin',
        '/admin/users',
        `/admin/user?id=${id}`,
        `/admin/users?q=${encodeURIComponent('<script>')}`,
      ]) {
        const page = await (await browser.get(path)).text()
        expect(page).not.toContain('<script>alert')
        expect(page).not.toContain('<img src=x')
      }
    })

    test('pages carry a strict content security policy and are never cached', async () => {
      const { browser } = await signedIn(store)
      const res = await browser.get('/admin/users')
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
      expect(res.headers.get('cache-control')).toBe('no-store')
      const css = await browser.get('/admin/console.css')
      expect(css.headers.get('content-type')).toStartWith('text/css')
    })
  })
