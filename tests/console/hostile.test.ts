// The console's pages, JSON and forms under /admin with odd query strings and fields, signed out and in: never a 5xx.
import { afterAll, describe, expect, test } from 'bun:test'
import { Browser, closeConsoleApps, consoleStores, csrfOf, makeConsoleApp } from '../helpers/console'

for (const store of await consoleStores())
  describe.skipIf(store.skip)(`console under /admin with odd query strings (${store.name})`, () => {
    afterAll(closeConsoleApps)
    const paths = [
      '',
      '/',
      '/users',
      '/groups',
      '/user',
      '/group',
      '/journal',
      '/journal/export',
      '/live',
      '/tokens',
      '/tenants',
      '/sign-in',
      '/link',
      '/console.css',
      '/nope',
    ]
    const queries = [
      '',
      '?q=',
      '?q=%00',
      '?q=userName%20eq%20%22',
      `?q=${encodeURIComponent('('.repeat(300))}`,
      '?q=a&q=b',
      '?tenant=',
      '?tenant=nope',
      '?tenant=a&tenant=b',
      '?tenant=%00',
      '?tenant=../x',
      `?tenant=${'x'.repeat(5000)}`,
      '?id=',
      '?id=nope',
      '?id=a&id=b',
      '?id=%FF',
      '?id=%00',
      '?id=%ED%A0%80',
      '?q=%ED%A0%80',
      '?actor=%00&type=%00&id=%00',
      '?q=userName%20eq%20%22%00%22',
      `?id=${'x'.repeat(5000)}`,
      '?cursor=',
      '?cursor=x',
      '?cursor=a&cursor=b',
      '?before=-1',
      '?before=1e400',
      '?before=a&before=b',
      '?op=nope',
      '?op=a&op=b',
      '?from=x&to=y',
      '?from=2026-99-99',
      '?from=a&from=b',
      '?actor=a&actor=b&type=x&type=y',
      '?token=a&token=b',
      '?__proto__=x',
      '?constructor=x',
      '?%FF=%FE',
      '?a=%',
    ]
    test('signed out: each is answered below 500', async () => {
      const app = await makeConsoleApp({ store })
      const problems: string[] = []
      for (const p of paths)
        for (const q of queries) {
          const res = await app.handle(new Request(`http://localhost:8080/admin${p}${q}`))
          if (res.status >= 500) problems.push(`${p}${q}: ${res.status} ${(await res.text()).slice(0, 200)}`)
          await res.body?.cancel()
        }
      expect(problems).toEqual([])
    })
    test('signed in: each is answered below 500', async () => {
      const app = await makeConsoleApp({ store })
      const browser = new Browser(app)
      expect((await browser.signIn()).status).toBe(303)
      const problems: string[] = []
      for (const p of paths)
        for (const q of queries) {
          if (p === '/live') continue
          const res = await browser.get(`/admin${p}${q}`)
          if (res.status >= 500) problems.push(`${p}${q}: ${res.status} ${(await res.text()).slice(0, 300)}`)
          else await res.body?.cancel()
        }
      for (const q of queries) {
        for (const p of ['/journal/verify', '/tokens', '/tenants', '/sign-out', '/tokens/revoke']) {
          const res = await browser.post(`/admin${p}${q}`, `a=1&tenant=x&csrf=nope`)
          if (res.status >= 500) problems.push(`POST ${p}${q}: ${res.status} ${(await res.text()).slice(0, 300)}`)
          else await res.body?.cancel()
        }
      }
      expect(problems).toEqual([])
    })
    test('signed in, with the CSRF token: odd forms are answered below 500', async () => {
      const app = await makeConsoleApp({ store })
      const browser = new Browser(app)
      expect((await browser.signIn()).status).toBe(303)
      const csrf = csrfOf(await (await browser.get('/admin/tokens')).text())
      const odd = [
        '',
        ' ',
        '%00',
        '\u0000',
        '\ud800',
        'x'.repeat(3000),
        '../x',
        'a b',
        'ÄÖ',
        'default',
        '-1',
        '1e400',
        '0x7',
        '7',
        'admin',
        'read',
        'provision',
      ]
      const forms: [string, Record<string, string>][] = []
      for (const v of odd) {
        forms.push(['/tokens/issue', { expires: v, label: v, scope: 'provision' }])
        forms.push(['/tokens/issue', { expires: '7', label: v, scope: v }])
        forms.push(['/tokens/revoke', { id: v, confirm: 'yes' }])
        forms.push(['/tenants/create', { name: v, pack: v }])
        forms.push(['/tenants/create', { name: `t${forms.length}`, pack: v }])
        forms.push(['/journal/verify', { tenant: v }])
      }
      const problems: string[] = []
      for (const [path, fields] of forms) {
        for (const q of ['', '?tenant=nope', '?tenant=a&tenant=b']) {
          const res = await browser.post(`/admin${path}${q}`, new URLSearchParams({ csrf, ...fields }).toString())
          if (res.status >= 500)
            problems.push(
              `POST ${path}${q} ${JSON.stringify(fields).slice(0, 100)}: ${res.status} ${(await res.text()).slice(0, 300)}`
            )
          else await res.body?.cancel()
        }
      }
      const signedOut = new Browser(app)
      for (const v of odd) {
        const page = await (await signedOut.get('/admin/sign-in')).text()
        for (const res of [
          await signedOut.post(
            '/admin/sign-in',
            new URLSearchParams({ csrf: csrfOf(page), name: v, password: v }).toString()
          ),
          await signedOut.post('/admin/link', new URLSearchParams({ token: v, password: v, repeat: v }).toString()),
          await signedOut.get(`/admin/link?token=${encodeURIComponent(v.toWellFormed())}`),
        ])
          if (res.status >= 500)
            problems.push(`sign-in/link ${v.slice(0, 20)}: ${res.status} ${(await res.text()).slice(0, 300)}`)
      }
      expect(problems).toEqual([])
    })
  })
