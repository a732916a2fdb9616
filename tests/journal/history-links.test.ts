// A resource's history through its entries' links: equal to a scan of the journal after every kind of change, deletes, restores, rollbacks and pruning.
import { describe, expect, test } from 'bun:test'
import type { Database } from 'bun:sqlite'
import { historyWalker } from '../../src/journal/history-links'
import { pruneJournal } from '../../src/journal/retention'
import { run } from '../../src/service/effect'
import { restoreSince } from '../../src/service/restore'
import { makeTestApp, type TestApp } from '../helpers/app'
import { URN_ENTERPRISE, URN_GROUP, URN_USER, patchBody, readJson } from '../helpers/scim'

async function post(t: TestApp, path: string, body: object): Promise<string> {
  const res = await t.request('POST', path, body)
  expect(res.status).toBe(201)
  return (await readJson(res)).id
}

/** What the history must be: every entry of the resource, newest first, found by reading the whole journal. */
function scanned(db: Database, tenant: string, id: string): number[] {
  return db
    .query<{ seq: number }, [string, string]>(
      'SELECT seq FROM journal WHERE tenant = ?1 AND resource_id = ?2 ORDER BY seq DESC'
    )
    .all(tenant, id)
    .map((r) => r.seq)
}

function walked(db: Database, tenant: string, id: string, before?: number): number[] {
  return [...historyWalker(db)(tenant, id, before)].map((r) => r.seq)
}

/** Every resource the journal names has the history a scan finds, from its newest entry and from each of its entries on. */
function expectEveryHistory(db: Database, tenant = 'default'): number {
  const ids = db
    .query<{ id: string }, [string]>('SELECT DISTINCT resource_id AS id FROM journal WHERE tenant = ?1')
    .all(tenant)
  for (const { id } of ids) {
    const all = scanned(db, tenant, id)
    expect(walked(db, tenant, id)).toEqual(all)
    for (const [i, seq] of all.entries()) expect(walked(db, tenant, id, seq)).toEqual(all.slice(i + 1))
  }
  return ids.length
}

describe('journal/history-links', () => {
  test('creates, patches, replaces, member changes, deletes and their cascades each extend their resource history', async () => {
    const t = makeTestApp()
    const boss = await post(t, '/scim/v2/Users', { schemas: [URN_USER], userName: 'boss' })
    const ada = await post(t, '/scim/v2/Users', {
      schemas: [URN_USER, URN_ENTERPRISE],
      userName: 'ada',
      [URN_ENTERPRISE]: { manager: { value: boss } },
    })
    const g = await post(t, '/scim/v2/Groups', {
      schemas: [URN_GROUP],
      displayName: 'G',
      members: [{ value: ada }, { value: boss }],
    })
    for (let i = 0; i < 5; i++)
      expect(
        (await t.request('PATCH', `/scim/v2/Users/${ada}`, patchBody({ op: 'replace', path: 'title', value: `T${i}` })))
          .status
      ).toBe(200)
    expect((await t.request('PUT', `/scim/v2/Users/${boss}`, { schemas: [URN_USER], userName: 'boss2' })).status).toBe(
      200
    )
    // Deleting the manager: its groups lose it and its report loses its manager, each an entry of its own.
    expect((await t.request('DELETE', `/scim/v2/Users/${boss}`)).status).toBe(204)
    const db = t.server.sqlite
    expect(scanned(db, 'default', ada).length).toBe(7)
    expect(scanned(db, 'default', g).length).toBe(2)
    expect(expectEveryHistory(db)).toBe(3)
    // The deleted user's history is found from where its row was.
    expect(walked(db, 'default', boss)).toEqual(scanned(db, 'default', boss))
    expect(db.query('SELECT resource_id AS id FROM journal_deleted').all()).toEqual([{ id: boss }])
    // Another tenant's name for the same id finds nothing.
    expect(walked(db, 'other', ada)).toEqual([])
  })

  test('a user deleted and restored under its id keeps one history', async () => {
    const t = makeTestApp()
    const a = await post(t, '/scim/v2/Users', { schemas: [URN_USER], userName: 'a', title: 'T' })
    const mark = t.server.journal.after('default', 0, 100)[0]!.seq
    expect((await t.request('DELETE', `/scim/v2/Users/${a}`)).status).toBe(204)
    const steps = await run(
      restoreSince(t.server.deps, t.server.journal.after('default', mark, 100), { base: '/scim/v2' }, false)
    )
    expect(steps.map((s) => s.action)).toEqual(['recreate'])
    const db = t.server.sqlite
    expect(walked(db, 'default', a)).toEqual(scanned(db, 'default', a))
    expect(walked(db, 'default', a).length).toBe(3)
    expect(db.query('SELECT count(*) AS n FROM journal_deleted').get()).toEqual({ n: 0 })
  })

  test('a job rolled back in a batch leaves no link behind', async () => {
    const t = makeTestApp()
    const a = await post(t, '/scim/v2/Users', { schemas: [URN_USER], userName: 'a' })
    await post(t, '/scim/v2/Users', { schemas: [URN_USER], userName: 'b' })
    // Sent together they share a write batch; the renames to b fail inside it (409) and roll back.
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t.request(
          'PATCH',
          `/scim/v2/Users/${a}`,
          patchBody({ op: 'replace', path: i % 3 === 0 ? 'userName' : 'title', value: i % 3 === 0 ? 'b' : `T${i}` })
        )
      )
    )
    expect(results.map((r) => r.status).sort()).toEqual([...Array(8).fill(200), ...Array(4).fill(409)])
    expect(expectEveryHistory(t.server.sqlite)).toBe(2)
    expect(scanned(t.server.sqlite, 'default', a).length).toBe(9)
  })

  test('pruning ends a history where retention cut it, and forgets deleted resources it took whole', async () => {
    const t = makeTestApp()
    const a = await post(t, '/scim/v2/Users', { schemas: [URN_USER], userName: 'a' })
    const b = await post(t, '/scim/v2/Users', { schemas: [URN_USER], userName: 'b' })
    expect((await t.request('DELETE', `/scim/v2/Users/${b}`)).status).toBe(204)
    const db = t.server.sqlite
    const cutoff = new Date(Date.now() + 1).toISOString()
    await Bun.sleep(2)
    expect(
      (await t.request('PATCH', `/scim/v2/Users/${a}`, patchBody({ op: 'replace', path: 'title', value: 'kept' })))
        .status
    ).toBe(200)
    expect(await pruneJournal(db, cutoff)).toBe(3)
    expect(walked(db, 'default', a)).toEqual(scanned(db, 'default', a))
    expect(walked(db, 'default', a).length).toBe(1)
    expect(walked(db, 'default', b)).toEqual([])
    expect(db.query('SELECT count(*) AS n FROM journal_deleted').get()).toEqual({ n: 0 })
  })
})
