// The store's recent-activity reads: newest first, counted since a time, per tenant, along an index.
import { expect, test } from 'bun:test'
import { ACTIVITY_SQL } from '../../src/store/activity'
import { makeTestApp } from '../helpers/app'
import { URN_USER } from '../helpers/scim'
import { syncStore } from '../helpers/sync-store'

test('recentlyModified is newest first and modifiedSince counts after the instant, in the store’s tenant only', async () => {
  const t = makeTestApp()
  const ids: string[] = []
  for (const userName of ['a', 'b', 'c']) {
    const res = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName })
    ids.push(((await res.json()) as { id: string }).id)
  }
  const [a, b, c] = ids as [string, string, string]
  const { sqlite, deps } = t.server
  const store = syncStore(t.server.store)
  const setModified = sqlite.query('UPDATE resources SET last_modified = ? WHERE id = ?')
  setModified.run('2026-01-01T00:00:00.000Z', a)
  setModified.run('2026-03-01T00:00:00.000Z', b)
  setModified.run('2026-02-01T00:00:00.000Z', c)
  // A resource of another tenant, modified last of all, is not this store's.
  sqlite.run("INSERT INTO tenants (name, created) VALUES ('other', '2026-01-01T00:00:00.000Z')")
  sqlite.run(
    `INSERT INTO resources (id, tenant, type, name_ci, data, version, created, last_modified)
     VALUES ('other-1', 'other', 'User', 'z', '{"userName":"z"}', 1, '2026-04-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z')`
  )
  const user = deps.registry.resourceType('User')!
  expect(store.recentlyModified(user, 2).map((r) => r.id)).toEqual([b, c])
  expect(store.recentlyModified(user, 10).map((r) => r.id)).toEqual([b, c, a])
  expect(store.modifiedSince(user, '2026-01-15T00:00:00.000Z')).toBe(2)
  expect(store.modifiedSince(user, '2026-03-01T00:00:00.000Z')).toBe(0)
  expect(store.modifiedSince(deps.registry.resourceType('Group')!, '2000-01-01T00:00:00.000Z')).toBe(0)
})

test('both reads walk the (type, last_modified, tenant) index instead of sorting or scanning the tenant', () => {
  const { sqlite } = makeTestApp().server
  const plan = (query: string) =>
    (sqlite.query(`EXPLAIN QUERY PLAN ${query}`).all() as { detail: string }[]).map((r) => r.detail).join('; ')
  const recent = plan(ACTIVITY_SQL.recent('NULL'))
  expect(recent).toContain('USING INDEX resources_type_modified_tenant (type=?)')
  expect(recent).not.toContain('TEMP B-TREE')
  expect(plan(ACTIVITY_SQL.since)).toContain(
    'USING COVERING INDEX resources_type_modified_tenant (type=? AND last_modified>?)'
  )
})

test('writes of every tenant end the modified index in one place: the tenant is not its first column', () => {
  const { sqlite } = makeTestApp().server
  const columns = sqlite.query("SELECT name FROM pragma_index_info('resources_type_modified_tenant')").all()
  expect(columns).toEqual([{ name: 'type' }, { name: 'last_modified' }, { name: 'tenant' }])
  const led = sqlite
    .query(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'resources' AND sql LIKE '%last_modified%'"
    )
    .all()
  expect(led).toEqual([{ name: 'resources_type_modified_tenant' }])
})

test('memberPage gives the first members in the order they joined, with the total', async () => {
  const t = makeTestApp()
  const ids: string[] = []
  for (const userName of ['m1', 'm2', 'm3']) {
    const res = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName })
    ids.push(((await res.json()) as { id: string }).id)
  }
  const group = await t.request('POST', '/scim/v2/Groups', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: 'g',
    members: [ids[2], ids[0], ids[1]].map((value) => ({ value })),
  })
  const gid = ((await group.json()) as { id: string }).id
  const store = syncStore(t.server.store)
  expect(store.memberPage(gid, 2)).toEqual({
    total: 3,
    rows: [
      { value: ids[2]!, type: 'User', display: 'm3' },
      { value: ids[0]!, type: 'User', display: 'm1' },
    ],
  })
  expect(store.memberPage(gid, 10).rows).toEqual(store.members(gid))
  expect(store.memberPage('nope', 10)).toEqual({ total: 0, rows: [] })
})
