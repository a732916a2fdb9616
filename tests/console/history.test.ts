// A resource's journal history on its detail page, and the journal's side of the dashboard.
import { afterEach, describe, expect, test } from 'bun:test'
import { journalData } from '../../src/console/journal-data'
import { ENTRY_BY_SEQ, NEWEST_ENTRY } from '../../src/journal/history-links'
import { type ConsoleTestApp, makeConsoleApp, closeConsoleApps, consoleStores, signedIn } from '../helpers/console'

const STORES = await consoleStores()
import { URN_USER, patchBody } from '../helpers/scim'

async function createUser(app: ConsoleTestApp, userName: string): Promise<string> {
  const res = await app.scim('POST', '/Users', { schemas: [URN_USER], userName, displayName: 'Ada', active: true })
  expect(res.status).toBe(201)
  return ((await res.json()) as { id: string }).id
}

/** The rows of the History section, newest first, with the text of each cell. */
function historyRows(page: string): string[][] {
  const section = page.slice(page.indexOf('id="history"'))
  const body = section.slice(section.indexOf('<tbody>'))
  return [...body.matchAll(/<tr data-seq="\d+">([\s\S]*?)<\/tr>\s*(?=<tr data-seq|<\/tbody>)/g)].map((m) =>
    m[1]!.split(/<td data-label="(?:Time|Actor|Operation|Request id|Changes)">/).slice(1)
  )
}

for (const store of STORES)
  describe.skipIf(store.skip)(`history on the detail page (${store.name})`, () => {
    afterEach(closeConsoleApps)
    test('every journal entry of the user, newest first, with time, actor, operation, request id and before/after', async () => {
      const { app, browser } = await signedIn(store)
      const id = await createUser(app, 'ada@example.com')
      await createUser(app, 'bob@example.com')
      // What Entra sends to rename a user and to disable one: capitalised ops, no path on the first.
      const patched = await app.scim(
        'PATCH',
        `/Users/${id}`,
        patchBody({ op: 'Replace', value: { displayName: 'Countess of Lovelace' } })
      )
      expect(patched.status).toBe(200)
      expect(
        (await app.scim('PATCH', `/Users/${id}`, patchBody({ op: 'Replace', path: 'active', value: 'False' }))).status
      ).toBe(200)
      const page = await (await browser.get(`/admin/user?id=${id}`)).text()
      const rows = historyRows(page)
      expect(rows.length).toBe(3)
      expect(rows.map((r) => r[2]!.split(/[ <]/)[0])).toEqual(['patch', 'patch', 'create'])
      const times = rows.map((r) => /datetime="([^"]+)"/.exec(r[0]!)![1]!)
      expect(times).toEqual([...times].sort().reverse())
      // The fixed test token has no label: its derived name is the actor; every request has an id.
      for (const r of rows) {
        expect(r[1]!.length).toBeGreaterThan(0)
        expect(r[3]).toMatch(/<code>[^<]+<\/code>/)
      }
      expect(rows[0]![4]).toContain(
        '<td data-label="Attribute"><code>active</code></td><td data-label="Before"><code>true</code></td><td data-label="After"><code>false</code></td>'
      )
      expect(rows[1]![4]).toContain(
        '<td data-label="Attribute"><code>displayName</code></td><td data-label="Before"><code>&quot;Ada&quot;</code></td><td data-label="After"><code>&quot;Countess of Lovelace&quot;</code></td>'
      )
      expect(rows[2]![4]).toContain(
        '<td data-label="Attribute"><code>userName</code></td><td data-label="Before"><span class="muted">(none)</span></td><td data-label="After"><code>&quot;ada@example.com&quot;</code></td>'
      )
      // Bob's entries are not Ada's history.
      expect(page).not.toContain('bob@example.com')
    })

    test('a value with markup in it is shown as text', async () => {
      const { app, browser } = await signedIn(store)
      const id = await createUser(app, 'eve@example.com')
      await app.scim(
        'PATCH',
        `/Users/${id}`,
        patchBody({ op: 'replace', path: 'displayName', value: '<script>x()</script>' })
      )
      const page = await (await browser.get(`/admin/user?id=${id}`)).text()
      expect(page).not.toContain('<script>x()')
      expect(page).toContain('&lt;script&gt;x()&lt;/script&gt;')
    })

    test('with more entries than a page, the history links to the older ones in the journal', async () => {
      const { app, browser } = await signedIn(store)
      const id = await createUser(app, 'ada@example.com')
      for (let i = 0; i < 55; i++)
        await app.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'displayName', value: `Ada ${i}` }))
      const page = await (await browser.get(`/admin/user?id=${id}`)).text()
      expect(historyRows(page).length).toBe(50)
      const older = /href="(\/admin\/journal\?[^"]*before=\d+[^"]*)">Older entries/.exec(page)
      expect(older).not.toBeNull()
      const rest = await (await browser.get(older![1]!.replaceAll('&amp;', '&'))).text()
      expect([...rest.matchAll(/<tr data-seq="/g)].length).toBe(6)
    })
  })

for (const store of STORES)
  describe.skipIf(store.skip)(`the dashboard reads the journal (${store.name})`, () => {
    afterEach(closeConsoleApps)
    test('the last change, the pace, the compatibility rules that fired most and the events not yet accepted', async () => {
      const { app, browser } = await signedIn(store)
      const empty = await (await browser.get('/admin')).text()
      expect(empty).toContain('No journal entries yet.')
      const id = await createUser(app, 'ada@example.com')
      await app.scim('PATCH', `/Users/${id}`, patchBody({ op: 'Replace', path: 'active', value: 'False' }))
      const page = await (await browser.get('/admin')).text()
      expect(page).toMatch(/id="pace-5m">2</)
      expect(page).toContain(`patch of <a href="/admin/user?id=${id}">User ${id}</a>`)
      const stored = await app.rows<{ compat: string }>('SELECT compat FROM journal')
      const fired = [...new Set(stored.flatMap((r) => JSON.parse(r.compat) as string[]))]
      expect(fired.length).toBeGreaterThan(0)
      for (const rule of fired) expect(page).toContain(`<code>${rule}</code>`)
      expect(page).toMatch(/id="undelivered">0</)
      expect(page).toMatch(/data-live="\/admin\/live\?after=\d+"/)
    })
  })

// SQLite's plan (PostgreSQL's: tests/store-pg/journal-history-plan.test.ts).
describe('the history read', () => {
  test("follows the entries' links by seq, never a walk of the tenant or an index of the journal", async () => {
    const app = await makeConsoleApp()
    const id = await createUser(app, 'ada@example.com')
    for (let i = 0; i < 3; i++)
      expect(
        (await app.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: `T${i}` }))).status
      ).toBe(200)
    const db = app.sqlite!
    const plan = (sql: string, ...values: (string | number)[]) =>
      db
        .query<{ detail: string }, (string | number)[]>(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...values)
        .map((r) => r.detail)
        .join('\n')
    expect(plan(NEWEST_ENTRY, id, 'default')).toMatch(
      /SEARCH resources USING INDEX sqlite_autoindex_resources_1 \(id=\?\)[\s\S]*SEARCH journal_deleted USING INDEX sqlite_autoindex_journal_deleted_1 \(resource_id=\?\)/
    )
    expect(plan(ENTRY_BY_SEQ, 1)).toBe('SEARCH journal USING INTEGER PRIMARY KEY (rowid=?)')
    const journal = journalData(db)
    // And what the page shows is the whole history, newest first, a page at a time.
    const page = await journal.page({ tenant: 'default', resourceType: 'User', resourceId: id }, undefined, 2)
    expect(page.entries.map((e) => e.op)).toEqual(['patch', 'patch'])
    const older = await journal.page({ tenant: 'default', resourceType: 'User', resourceId: id }, page.older, 2)
    expect(older.entries.map((e) => e.op)).toEqual(['patch', 'create'])
    expect(older.older).toBeUndefined()
    expect((await journal.page({ tenant: 'default', resourceId: id, op: 'create' })).entries.map((e) => e.op)).toEqual([
      'create',
    ])
  })
})
