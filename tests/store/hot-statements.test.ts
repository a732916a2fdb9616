// The per-request statements keep the query plans their speed depends on.
import { expect, test } from 'bun:test'
import { openDatabase } from '../../src/store/db'
import { HotStatements, lookupSql } from '../../src/store/hot-statements'

function plan(sql: string): string {
  const { sqlite } = openDatabase(':memory:', 'normal')
  return sqlite
    .query<{ detail: string }, string[]>(`EXPLAIN QUERY PLAN ${sql}`)
    .all(...(sql.includes('?2') ? ['x', 'default'] : ['x']))
    .map((r) => r.detail)
    .join(' | ')
}

// The statements as the store runs them, the tenant a parameter (?2) as the looked-up value is.
test('userName lookups use the unique (tenant, type, name_ci) index and sort nothing', () => {
  const p = plan(lookupSql('User', 'name_ci'))
  expect(p).toContain('USING INDEX resources_tenant_user_name_unique')
  expect(p).not.toContain('TEMP B-TREE')
})

test('id and externalId lookups use their indexes', () => {
  expect(plan(lookupSql('User', 'id'))).toContain('USING INDEX sqlite_autoindex_resources_1')
  expect(plan(lookupSql('User', 'external_id'))).toContain('USING INDEX resources_tenant_type_external_id')
  expect(plan(lookupSql('Group', 'name_ci'))).toContain('USING INDEX resources_tenant_type_name')
})

test("a user's groups are found through the covering (member_id, group_id) index", () => {
  expect(plan(lookupSql('User', 'id'))).toContain('USING COVERING INDEX group_members_member_group')
})

test("one statement for every tenant still reads only the asking tenant's rows", () => {
  const { sqlite } = openDatabase(':memory:', 'normal')
  sqlite.run("INSERT INTO tenants (name, packs, schemas, settings, created) VALUES ('b', '[]', '[]', '{}', 'c')")
  const insert = sqlite.query(
    "INSERT INTO resources (id, tenant, type, data, version, created, last_modified, name_ci, external_id) VALUES (?, ?, 'User', ?, 1, 'c', 'm', ?, ?)"
  )
  insert.run('id-a', 'default', '{"userName":"same"}', 'same', 'x')
  insert.run('id-b', 'b', '{"userName":"same"}', 'same', 'x')
  const a = new HotStatements(sqlite, 'default')
  const b = new HotStatements(sqlite, 'b')
  expect(a.byName('User', 'same').map((r) => r.id)).toEqual(['id-a'])
  expect(b.byName('User', 'same').map((r) => r.id)).toEqual(['id-b'])
  expect(b.byExternalId('User', 'x').map((r) => r.id)).toEqual(['id-b'])
  expect(a.byId('User', 'id-b')).toBeUndefined()
  expect(b.byId('User', 'id-b')?.id).toBe('id-b')
})
