// The console's journal reads on both databases: the same pages, export, summary and append signal.
import { afterEach, describe, expect, test } from 'bun:test'
import type { ConsoleJournal } from '../../src/console/console-store'
import { pgConsoleJournal } from '../../src/store-pg/console-journal'
import { type ConsoleTestApp, closeConsoleApps, consoleStores, makeConsoleApp } from '../helpers/console'
import { patchBody, URN_USER } from '../helpers/scim'

const STORES = await consoleStores()

/** A user created and patched `patches` times through the API: 1 + patches entries. */
async function provision(app: ConsoleTestApp, patches: number): Promise<string> {
  const res = await app.scim('POST', '/Users', { schemas: [URN_USER], userName: 'ada@example.com' })
  const { id } = (await res.json()) as { id: string }
  for (let i = 0; i < patches; i++)
    await app.scim(
      'PATCH',
      `/Users/${id}`,
      patchBody({ op: 'Replace', path: 'active', value: i % 2 ? 'True' : 'False' })
    )
  return id
}

for (const store of STORES)
  describe.skipIf(store.skip)(`console journal reads (${store.name})`, () => {
    afterEach(closeConsoleApps)

    // On PostgreSQL the export reads 2 entries a query here (1,000 in the server) and polls every 20 ms.
    const journalOf = (app: ConsoleTestApp): ConsoleJournal =>
      app.pg ? pgConsoleJournal(app.pg, { exportPage: 2, pollMs: 20 }) : app.data.journal

    test('export gives every matching entry once, oldest first, across its reads', async () => {
      const app = await makeConsoleApp({ store })
      const id = await provision(app, 4)
      const journal = journalOf(app)
      const all: number[] = []
      for await (const e of journal.all({ tenant: 'default' })) all.push(e.seq)
      expect(all).toEqual([1, 2, 3, 4, 5])
      const patches: string[] = []
      for await (const e of journal.all({ tenant: 'default', op: 'patch', resourceId: id })) patches.push(e.op)
      expect(patches).toEqual(['patch', 'patch', 'patch', 'patch'])
      const none: unknown[] = []
      for await (const e of journal.all({ tenant: 'other' })) none.push(e)
      expect(none).toEqual([])
    })

    test('pages, the newest seq, entries after a position and the summary agree with what was written', async () => {
      const app = await makeConsoleApp({ store })
      const id = await provision(app, 3)
      const journal = journalOf(app)
      const first = await journal.page({ tenant: 'default' }, undefined, 3)
      expect(first.entries.map((e) => e.seq)).toEqual([4, 3, 2])
      expect(first.older).toBe(2)
      expect((await journal.page({ tenant: 'default' }, 2, 3)).entries.map((e) => e.seq)).toEqual([1])
      expect(await journal.lastSeq('default')).toBe(4)
      expect(await journal.lastSeq('other')).toBe(0)
      expect((await journal.after('default', 2, 10)).map((e) => e.seq)).toEqual([3, 4])
      const summary = await journal.summary('default', Date.now())
      expect(summary.last).toMatchObject({ seq: 4, op: 'patch', resourceId: id })
      expect([summary.last5m, summary.lastHour, summary.lastDay]).toEqual([4, 4, 4])
      // Each PATCH above had Entra's spellings: a capitalised op and a boolean as a string.
      expect(summary.compat).toEqual([
        { rule: 'bool-string', count: 3 },
        { rule: 'op-case', count: 3 },
      ])
      expect((await journal.verify('default')).ok).toBe(true)
    })

    test('onAppend tells a listener after a commit of its tenant, by any writer of the database', async () => {
      const app = await makeConsoleApp({ store, served: true })
      const journal = journalOf(app)
      const token = await app.addTenant('acme')
      let told = () => {}
      const heard = new Promise<void>((resolve) => {
        told = resolve
      })
      const off = journal.onAppend('acme', () => told())
      const created = await app.handle(
        new Request('http://localhost:8080/tenants/acme/scim/v2/Users', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
          body: JSON.stringify({ schemas: [URN_USER], userName: 'eve@acme.example' }),
        })
      )
      expect(created.status).toBe(201)
      await heard
      off()
      expect((await journal.after('acme', 0, 10)).map((e) => e.op)).toEqual(['create'])
    })
  })
