// The per-request statements keep the query plans their speed depends on.
import { expect, test } from 'bun:test'
import { openDatabase } from '../../src/store/db'
import { groupsColumn, READ_COLUMNS } from '../../src/store/hot-statements'

function plan(sql: string): string {
  const { sqlite } = openDatabase(':memory:', 'normal')
  return sqlite
    .query<{ detail: string }, [string]>(`EXPLAIN QUERY PLAN ${sql}`)
    .all('x')
    .map((r) => r.detail)
    .join(' | ')
}

const select = `SELECT ${READ_COLUMNS}, ${groupsColumn('User')} AS groups FROM resources WHERE tenant = 'default' AND type = 'User' AND`

test('userName lookups use the unique (tenant, type, name_ci) index and sort nothing', () => {
  const p = plan(`${select} name_ci = ?`)
  expect(p).toContain('USING INDEX resources_tenant_user_name_unique')
  expect(p).not.toContain('TEMP B-TREE')
})

test('id and externalId lookups use their indexes', () => {
  expect(plan(`${select} id = ?`)).toContain('USING INDEX sqlite_autoindex_resources_1')
  expect(plan(`${select} external_id = ?`)).toContain('USING INDEX resources_tenant_type_external_id')
})

test("a user's groups are found through the covering (member_id, group_id) index", () => {
  expect(plan(`${select} id = ?`)).toContain('USING COVERING INDEX group_members_member_group')
})
