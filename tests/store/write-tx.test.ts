// The write transaction's own reads: reference checks look ids up by key, never by scanning a tenant.
import { expect, test } from 'bun:test'
import { openDatabase } from '../../src/store/db'
import { EXISTING_IDS } from '../../src/store/write-tx'

test('existing() finds ids through the primary key, not by scanning the tenant (a member add at 300k users)', () => {
  const { sqlite } = openDatabase(':memory:')
  const plan = sqlite
    .query<{ detail: string }, [string, string]>(`EXPLAIN QUERY PLAN ${EXISTING_IDS}`)
    .all('["a"]', 'default')
    .map((r) => r.detail)
  expect(plan.some((d) => /SEARCH resources USING INDEX sqlite_autoindex_resources_1 \(id=\?\)/.test(d))).toBe(true)
  expect(plan.some((d) => /\(tenant=\?\)/.test(d))).toBe(false)
})
