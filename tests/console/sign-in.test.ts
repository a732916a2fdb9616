// The console's sign-in: session cookies, CSRF on every change, expiry, rate limits, one-time links.
import { afterEach, describe, expect, test } from 'bun:test'
import { randomSecret, secretHash } from '../../src/console/admin-store'
import { hashPassword } from '../../src/console/passwords'
import { TEST_TOKEN } from '../helpers/app'
import {
  ADMIN,
  Browser,
  cookieFrom,
  csrfOf,
  form,
  makeConsoleApp,
  ORIGIN,
  PASSWORD,
  closeConsoleApps,
  consoleStores,
} from '../helpers/console'

const STORES = await consoleStores()
import { expectScimError } from '../helpers/scim'

for (const store of STORES)
  describe.skipIf(store.skip)(`console sign-in (${store.name})`, () => {
    afterEach(closeConsoleApps)
    test('a page without a session sends the browser to the sign-in page', async () => {
      const app = await makeConsoleApp({ store })
      for (const path of ['/admin', '/admin/users', '/admin/groups', '/admin/user?id=x', '/admin/group?id=x']) {
        const res = await new Browser(app).get(path)
        expect(res.status).toBe(303)
        expect(res.headers.get('location')).toBe('/admin/sign-in')
      }
    })

    test('the right password starts a session whose cookie is HttpOnly, SameSite=Strict and only for /admin', async () => {
      const app = await makeConsoleApp({ store })
      const browser = new Browser(app)
      const res = await browser.signIn()
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe('/admin')
      const cookie = cookieFrom(res, 'scim_console')!
      expect(cookie.value.length).toBeGreaterThanOrEqual(43)
      expect(cookie.attributes).toContain('HttpOnly')
      expect(cookie.attributes).toContain('SameSite=Strict')
      expect(cookie.attributes).toContain('Path=/admin')
      expect(cookie.attributes).not.toContain('Secure')
      // Only the hash of the id is stored.
      const stored = await app.rows<{ id_hash: string }>('SELECT id_hash FROM admin_sessions')
      expect(stored).toEqual([{ id_hash: secretHash(cookie.value) }])
      const dashboard = await browser.get('/admin')
      expect(dashboard.status).toBe(200)
      expect(await dashboard.text()).toContain('Dashboard')
    })

    test('over https the session cookie is Secure', async () => {
      const app = await makeConsoleApp({ store })
      const res = await new Browser(app, 'https://scim.example.com').signIn()
      expect(res.status).toBe(303)
      expect(cookieFrom(res, 'scim_console')!.attributes).toContain('Secure')
    })

    test('a wrong password or an unknown account is 401 with no session', async () => {
      const app = await makeConsoleApp({ store })
      for (const [name, password] of [
        [ADMIN, 'wrong password!'],
        ['nobody', PASSWORD],
        [ADMIN, ''],
        // No account has a NUL in its name (PostgreSQL text cannot even hold one).
        [`${ADMIN}\u0000`, PASSWORD],
      ]) {
        const browser = new Browser(app)
        const res = await browser.signIn(name, password)
        expect(res.status).toBe(401)
        expect(cookieFrom(res, 'scim_console')).toBeUndefined()
        expect(await res.text()).toContain('Wrong account name or password')
      }
    })

    test('a sign-in posted without the token of a form this server served is refused (403)', async () => {
      const app = await makeConsoleApp({ store })
      const browser = new Browser(app)
      // No form cookie at all (a page on another site posting to /admin/sign-in) ...
      const res = await browser.post('/admin/sign-in', form({ csrf: 'x', name: ADMIN, password: PASSWORD }))
      expect(res.status).toBe(403)
      expect(cookieFrom(res, 'scim_console')).toBeUndefined()
      // ... or a field that does not match the cookie.
      await browser.get('/admin/sign-in')
      const again = await browser.post(
        '/admin/sign-in',
        form({ csrf: randomSecret(), name: ADMIN, password: PASSWORD })
      )
      expect(again.status).toBe(403)
    })

    test('every change needs the session CSRF token, in the form or the x-csrf-token header', async () => {
      const app = await makeConsoleApp({ store })
      const browser = new Browser(app)
      await browser.signIn()
      const page = await (await browser.get('/admin')).text()
      const csrf = csrfOf(page)
      expect((await browser.post('/admin/sign-out', '')).status).toBe(403)
      expect((await browser.post('/admin/sign-out', form({ csrf: 'not-it' }))).status).toBe(403)
      expect((await browser.post('/admin/sign-out', '', { 'x-csrf-token': 'not-it' })).status).toBe(403)
      // Still signed in after the refusals.
      expect((await browser.get('/admin')).status).toBe(200)
      const out = await browser.post('/admin/sign-out', '', { 'x-csrf-token': csrf })
      expect(out.status).toBe(303)
      expect(cookieFrom(out, 'scim_console')!.attributes).toContain('Max-Age=0')
      expect((await browser.get('/admin')).status).toBe(303)
      expect(await app.count('admin_sessions')).toBe(0)
    })

    test('the form field works as well as the header', async () => {
      const app = await makeConsoleApp({ store })
      const browser = new Browser(app)
      await browser.signIn()
      const csrf = csrfOf(await (await browser.get('/admin/users')).text())
      expect((await browser.post('/admin/sign-out', form({ csrf }))).status).toBe(303)
      expect((await browser.get('/admin/users')).status).toBe(303)
    })

    test('a session ends at its expiry', async () => {
      const app = await makeConsoleApp({ store, ttlMs: 60_000 })
      const browser = new Browser(app)
      await browser.signIn()
      app.clock.now += 59_000
      expect((await browser.get('/admin')).status).toBe(200)
      app.clock.now += 2_000
      const res = await browser.get('/admin')
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe('/admin/sign-in')
    })

    test('removing the account or giving it a new password ends its sessions at once', async () => {
      const app = await makeConsoleApp({ store })
      const browser = new Browser(app)
      await browser.signIn()
      await app.admins.endSessionsOf(ADMIN)
      expect((await browser.get('/admin')).status).toBe(303)
      await browser.signIn()
      expect((await browser.get('/admin')).status).toBe(200)
      expect(await app.admins.remove(ADMIN)).toBe(true)
      expect((await browser.get('/admin')).status).toBe(303)
    })

    test('failed sign-ins for an account from many addresses add up: then even the right password waits (429, Retry-After)', async () => {
      const app = await makeConsoleApp({
        policy: {
          account: { failures: 100, windowMs: 60_000 },
          accountTotal: { failures: 3, windowMs: 60_000 },
          address: { failures: 100, windowMs: 60_000 },
        },
      })
      for (let i = 0; i < 3; i++)
        expect((await new Browser(app).signIn(ADMIN, 'wrong password!', `10.0.0.${i}`)).status).toBe(401)
      const refused = await new Browser(app).signIn(ADMIN, PASSWORD, '10.0.0.9')
      expect(refused.status).toBe(429)
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(cookieFrom(refused, 'scim_console')).toBeUndefined()
      app.clock.now += 61_000
      expect((await new Browser(app).signIn(ADMIN, PASSWORD, '10.0.0.9')).status).toBe(303)
    })

    test("a password set again (scim-server admin add) lifts the account's wait: the new one signs in at once", async () => {
      const app = await makeConsoleApp({ store })
      for (let i = 0; i < 5; i++)
        expect((await new Browser(app).signIn(ADMIN, 'wrong password!', '10.0.0.1')).status).toBe(401)
      expect((await new Browser(app).signIn(ADMIN, PASSWORD, '10.0.0.1')).status).toBe(429)
      // What `admin add` does beside the server: the account's password hash is replaced.
      const fresh = 'another long password'
      await app.admins.save(ADMIN, await hashPassword(fresh), new Date(app.clock.now).toISOString())
      expect((await new Browser(app).signIn(ADMIN, fresh, '10.0.0.1')).status).toBe(303)
      // The old one stays wrong, and the counting starts over from there.
      expect((await new Browser(app).signIn(ADMIN, PASSWORD, '10.0.0.1')).status).toBe(401)
    })

    // Names are whatever the client posts: were they counted with the accounts', made-up names (16 KiB
    // each) would fill the limiter and push a real account's failures out, lifting its wait.
    test("made-up names are counted apart: they do not push an account's failures out or lift its wait", async () => {
      const app = await makeConsoleApp({
        policy: {
          account: { failures: 100, windowMs: 60_000 },
          accountTotal: { failures: 3, windowMs: 60_000, maxKeys: 4 },
          address: { failures: 100, windowMs: 60_000 },
        },
      })
      for (let i = 0; i < 3; i++)
        expect((await new Browser(app).signIn(ADMIN, 'wrong password!', `10.0.2.${i}`)).status).toBe(401)
      for (let i = 0; i < 4; i++)
        expect((await new Browser(app).signIn(`nobody-${i}-${'x'.repeat(2000)}`, 'guess', `10.0.3.${i}`)).status).toBe(
          401
        )
      expect((await new Browser(app).signIn(ADMIN, PASSWORD, '10.0.2.9')).status).toBe(429)
    })

    test('guesses sent at the same time count before their passwords are checked: no more get through than the limit', async () => {
      const app = await makeConsoleApp({
        policy: {
          account: { failures: 100, windowMs: 60_000 },
          accountTotal: { failures: 3, windowMs: 60_000 },
          address: { failures: 100, windowMs: 60_000 },
        },
      })
      // Every form is loaded first, so all the posts are in flight together, each from its own address.
      const browsers = Array.from({ length: 12 }, () => new Browser(app))
      const pages = await Promise.all(browsers.map(async (b) => csrfOf(await (await b.get('/admin/sign-in')).text())))
      const answers = await Promise.all(
        browsers.map((b, i) =>
          b.post(
            '/admin/sign-in',
            form({ csrf: pages[i]!, name: ADMIN, password: i === 11 ? PASSWORD : 'wrong password!' }),
            {},
            { address: `10.0.1.${i}` }
          )
        )
      )
      const statuses = answers.map((a) => a.status)
      // Three attempts may have their password checked; the rest wait, the right password included.
      expect(statuses.filter((s) => s === 401).length).toBe(3)
      expect(statuses.filter((s) => s === 429).length).toBe(9)
      expect(statuses[11]).toBe(429)
    })

    test('failures from one address hold up that address only: the right password from another signs in', async () => {
      const app = await makeConsoleApp({
        policy: {
          account: { failures: 3, windowMs: 60_000 },
          accountTotal: { failures: 100, windowMs: 60_000 },
          address: { failures: 100, windowMs: 60_000 },
        },
      })
      for (let i = 0; i < 3; i++)
        expect((await new Browser(app).signIn(ADMIN, 'wrong password!', '198.51.100.7')).status).toBe(401)
      expect((await new Browser(app).signIn(ADMIN, PASSWORD, '198.51.100.7')).status).toBe(429)
      expect((await new Browser(app).signIn(ADMIN, PASSWORD, '198.51.100.8')).status).toBe(303)
    })

    // Were only real accounts counted, the first 429 would tell a guessed name is an account's.
    test('a name that is no account is answered exactly as an account is, wrong password by wrong password', async () => {
      const app = await makeConsoleApp({
        policy: {
          account: { failures: 5, windowMs: 60_000 },
          accountTotal: { failures: 8, windowMs: 60_000 },
          address: { failures: 100, windowMs: 60_000 },
        },
      })
      const answers = async (name: string) => {
        const statuses: number[] = []
        for (let i = 0; i < 12; i++)
          statuses.push((await new Browser(app).signIn(name, 'wrong password!', `203.0.113.${i < 6 ? 1 : 2}`)).status)
        return statuses
      }
      const real = await answers(ADMIN)
      expect(real).toContain(429)
      expect(await answers('nosuchadmin')).toEqual(real)
    })

    test('a right password after a wrong one from the same address leaves the address one failure, not two', async () => {
      const app = await makeConsoleApp({
        policy: {
          account: { failures: 100, windowMs: 60_000 },
          accountTotal: { failures: 100, windowMs: 60_000 },
          address: { failures: 2, windowMs: 60_000 },
        },
      })
      expect((await new Browser(app).signIn('a', 'guess guess guess', '192.0.2.7')).status).toBe(401)
      expect((await new Browser(app).signIn(ADMIN, PASSWORD, '192.0.2.7')).status).toBe(303)
      // The success did not count against the address: one more guess is still allowed.
      expect((await new Browser(app).signIn('b', 'guess guess guess', '192.0.2.7')).status).toBe(401)
      expect((await new Browser(app).signIn(ADMIN, PASSWORD, '192.0.2.7')).status).toBe(429)
    })

    test('failed sign-ins are limited per client address, over all account names', async () => {
      const app = await makeConsoleApp({
        policy: {
          account: { failures: 100, windowMs: 60_000 },
          accountTotal: { failures: 100, windowMs: 60_000 },
          address: { failures: 3, windowMs: 60_000 },
        },
      })
      for (const name of ['a', 'b', 'c'])
        expect((await new Browser(app).signIn(name, 'guess guess guess', '192.0.2.1')).status).toBe(401)
      expect((await new Browser(app).signIn(ADMIN, PASSWORD, '192.0.2.1')).status).toBe(429)
      // Another address is not held up.
      expect((await new Browser(app).signIn(ADMIN, PASSWORD, '192.0.2.2')).status).toBe(303)
    })

    test('a chunked sign-in body past the form bound is refused (413) without being read to its end', async () => {
      const app = await makeConsoleApp({ store })
      const browser = new Browser(app)
      const csrf = csrfOf(await (await browser.get('/admin/sign-in')).text())
      let pulled = 0
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(`csrf=${csrf}&name=`))
        },
        pull(controller) {
          if (pulled >= 64 * 1024 * 1024) return controller.close()
          pulled += 64 * 1024
          controller.enqueue(new Uint8Array(64 * 1024).fill(97))
        },
      })
      const res = await browser.post('/admin/sign-in', body)
      expect(res.status).toBe(413)
      expect(pulled).toBeLessThan(1024 * 1024)
    })

    test('a one-time link signs in once, and can set the password', async () => {
      const app = await makeConsoleApp({ store })
      const token = randomSecret()
      const at = new Date(app.clock.now).toISOString()
      await app.admins.save('grace', null, at)
      await app.admins.createLink(secretHash(token), 'grace', at, new Date(app.clock.now + 3600_000).toISOString())
      const browser = new Browser(app)
      const page = await (await browser.get(`/admin/link?token=${token}`)).text()
      const csrf = csrfOf(page)
      // A mistyped repeat does not use the link up.
      const typo = await browser.post(
        '/admin/link',
        form({ csrf, token, password: 'a new long password', repeat: 'other' })
      )
      expect(typo.status).toBe(400)
      const csrf2 = csrfOf(await typo.text())
      const res = await browser.post(
        '/admin/link',
        form({ csrf: csrf2, token, password: 'a new long password', repeat: 'a new long password' })
      )
      expect(res.status).toBe(303)
      expect((await browser.get('/admin')).status).toBe(200)
      // Used up: a second use is refused.
      const other = new Browser(app)
      const csrf3 = csrfOf(await (await other.get(`/admin/link?token=${token}`)).text())
      expect((await other.post('/admin/link', form({ csrf: csrf3, token }))).status).toBe(400)
      // The password it set works.
      expect((await new Browser(app).signIn('grace', 'a new long password')).status).toBe(303)
    })

    test('an expired link is refused', async () => {
      const app = await makeConsoleApp({ store })
      const token = randomSecret()
      const at = new Date(app.clock.now).toISOString()
      await app.admins.save('grace', null, at)
      await app.admins.createLink(secretHash(token), 'grace', at, new Date(app.clock.now + 1000).toISOString())
      app.clock.now += 2000
      const browser = new Browser(app)
      const csrf = csrfOf(await (await browser.get(`/admin/link?token=${token}`)).text())
      expect((await browser.post('/admin/link', form({ csrf, token }))).status).toBe(400)
    })
  })

for (const store of STORES)
  describe.skipIf(store.skip)(`console and SCIM API credentials are separate (${store.name})`, () => {
    afterEach(closeConsoleApps)
    test('a SCIM bearer token opens no console page', async () => {
      const app = await makeConsoleApp({ store })
      for (const path of ['/admin', '/admin/users', '/admin/user?id=x']) {
        const res = await new Browser(app).get(path, { authorization: `Bearer ${TEST_TOKEN}` })
        expect(res.status).toBe(303)
        expect(res.headers.get('location')).toBe('/admin/sign-in')
      }
      const out = await new Browser(app).post('/admin/sign-out', '', { authorization: `Bearer ${TEST_TOKEN}` })
      expect(out.status).toBe(303)
      expect(out.headers.get('location')).toBe('/admin/sign-in')
    })

    test('a console session opens no SCIM endpoint', async () => {
      const app = await makeConsoleApp({ store })
      const browser = new Browser(app)
      await browser.signIn()
      expect((await browser.get('/admin')).status).toBe(200)
      for (const path of ['/scim/v2/Users', '/scim/v2/Groups', '/scim/v2/ServiceProviderConfig', '/metrics'])
        await expectScimError(await browser.get(path), 401)
    })

    test('only the console routes are open: other paths under /admin still need a token', async () => {
      const app = await makeConsoleApp({ store })
      await expectScimError(await app.handle(new Request(`${ORIGIN}/admin/elsewhere`)), 401)
      await expectScimError(await app.handle(new Request(`${ORIGIN}/admin/users/x`)), 401)
    })
  })
