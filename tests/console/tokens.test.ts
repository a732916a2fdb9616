// The tokens page: list, issue (shown once, working at once), revoke after a confirmation, all behind CSRF.
import { afterEach, describe, expect, test } from 'bun:test'
import { Browser, form, ORIGIN, closeConsoleApps, type ConsoleStore, consoleStores, signedIn } from '../helpers/console'

const STORES = await consoleStores()

const signedInAtTokens = (store: ConsoleStore) => signedIn(store, { csrfFrom: '/admin/tokens' })

const tokenShown = (page: string) => /<code id="new-token">([^<]+)<\/code>/.exec(page)?.[1]

for (const store of STORES)
  describe.skipIf(store.skip)(`tokens page (${store.name})`, () => {
    afterEach(closeConsoleApps)
    test('issues a token shown once with its label, scope and expiry; the list shows it without the secret', async () => {
      const { app, browser, csrf } = await signedInAtTokens(store)
      const res = await browser.post(
        '/admin/tokens/issue',
        form({ csrf, label: 'entra-prod', scope: 'read', expires: '30' })
      )
      expect(res.status).toBe(201)
      const page = await res.text()
      const token = tokenShown(page)!
      expect(token.length).toBeGreaterThan(20)
      expect(page).toContain('data-copy="new-token"')
      const [row] = await app.rows<{ id: string; label: string; scope: string; expires: string }>(
        'SELECT id, label, scope, expires FROM tokens'
      )
      if (!row) throw new Error('no token stored')
      expect(row).toMatchObject({ label: 'entra-prod', scope: 'read' })
      const days = (Date.parse(row.expires) - app.clock.now) / 86_400_000
      expect(Math.round(days)).toBe(30)
      const list = await (await browser.get('/admin/tokens')).text()
      expect(list).toContain(`<code>${row.id}</code>`)
      expect(list).toContain('entra-prod')
      expect(list).not.toContain(token)
      expect(tokenShown(list)).toBeUndefined()
      expect(list).toContain(`<code id="tenant-url">${ORIGIN}/scim/v2</code>`)
    })

    test('the same issue form sent again (a reload of the page that showed the token) issues nothing more', async () => {
      const { app, browser, csrf } = await signedInAtTokens(store)
      const nonce = /name="nonce" value="([^"]+)"/.exec(await (await browser.get('/admin/tokens')).text())![1]!
      const send = () =>
        browser.post('/admin/tokens/issue', form({ csrf, nonce, label: 'once', scope: 'read', expires: '30' }))
      expect((await send()).status).toBe(201)
      const again = await send()
      expect(again.status).toBe(409)
      expect(tokenShown(await again.text())).toBeUndefined()
      expect(await app.rows('SELECT id FROM tokens')).toHaveLength(1)
    })

    test('refuses a bad scope, a bad expiry and a label with control characters, writing nothing', async () => {
      const { app, browser, csrf } = await signedInAtTokens(store)
      for (const fields of [
        { scope: 'root', expires: '0', label: 'x' },
        { scope: 'read', expires: '3', label: 'x' },
        { scope: 'read', expires: '0', label: 'a\u0007b' },
      ]) {
        const res = await browser.post('/admin/tokens/issue', form({ csrf, ...fields }))
        expect(res.status).toBe(400)
        expect(await res.text()).toContain('class="notice bad" role="alert"')
      }
      expect(await app.count('tokens')).toBe(0)
    })

    test('issue and revoke need the session’s CSRF token', async () => {
      const { app, browser } = await signedInAtTokens(store)
      expect((await browser.post('/admin/tokens/issue', form({ scope: 'read', expires: '0' }))).status).toBe(403)
      const { record } = await app.issueToken({ tenant: 'default', label: 'keep' })
      expect(
        (await browser.post('/admin/tokens/revoke', form({ id: record.id, confirm: 'yes', csrf: 'nope' }))).status
      ).toBe(403)
      expect(await app.count('tokens')).toBe(1)
      const stranger = await new Browser(app).post('/admin/tokens/revoke', form({ id: record.id, confirm: 'yes' }))
      expect(stranger.status).toBe(303)
      expect(stranger.headers.get('location')).toBe('/admin/sign-in')
    })

    test('revoke asks first, then deletes the token of this tenant only', async () => {
      const { app, browser, csrf } = await signedInAtTokens(store)
      const { record } = await app.issueToken({ tenant: 'default', label: 'old' })
      const asked = await browser.post('/admin/tokens/revoke', form({ csrf, id: record.id }))
      expect(asked.status).toBe(200)
      expect(await asked.text()).toContain(`Revoke token ${record.id}?`)
      expect(await app.count('tokens')).toBe(1)
      const done = await browser.post('/admin/tokens/revoke', form({ csrf, id: record.id, confirm: 'yes' }))
      expect(done.status).toBe(303)
      expect(done.headers.get('location')).toBe(`/admin/tokens?revoked=${record.id}`)
      expect(await app.count('tokens')).toBe(0)
      expect(await (await browser.get(done.headers.get('location')!)).text()).toContain(`Token ${record.id} revoked.`)
      // Another tenant's token is not this tenant's to revoke.
      await app.rows("INSERT INTO tenants (name, created) VALUES ('other', '2026-01-01T00:00:00.000Z')")
      const theirs = (await app.issueToken({ tenant: 'other', label: 'theirs' })).record
      const refused = await browser.post('/admin/tokens/revoke', form({ csrf, id: theirs.id, confirm: 'yes' }))
      expect(refused.status).toBe(404)
      expect(await app.count('tokens')).toBe(1)
      expect(await (await browser.get('/admin/tokens')).text()).not.toContain(theirs.id)
    })

    test('an expired token is marked, and last use is shown', async () => {
      const { app, browser } = await signedInAtTokens(store)
      const { record } = await app.issueToken({
        tenant: 'default',
        label: 'soon',
        expires: new Date(app.clock.now + 1000),
      })
      await app.rows("UPDATE tokens SET last_used = '2026-01-02T03:04:05.000Z'")
      app.clock.now += 60_000
      const page = await (await browser.get('/admin/tokens')).text()
      expect(page).toContain(`<code>${record.id}</code>`)
      expect(page).toContain('<strong>(expired)</strong>')
      expect(page).toContain('2026-01-02T03:04:05.000Z')
    })
  })
