// Embedded migrations apply once, keep drizzle's bookkeeping, and are idempotent across restarts.
import { expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { applyMigrations } from '../../src/store/migrate'
import { MIGRATIONS } from '../../src/store/migrations.gen'

test('applies every migration once and records drizzle bookkeeping', () => {
  const db = new Database(':memory:')
  expect(applyMigrations(db, MIGRATIONS)).toBe(MIGRATIONS.length)
  expect(applyMigrations(db, MIGRATIONS)).toBe(0)
  const rows = db.query('SELECT hash FROM "__drizzle_migrations"').all() as { hash: string }[]
  expect(rows.map((r) => r.hash)).toEqual(MIGRATIONS.map((m) => m.hash))
  const tables = (db.query("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
    (t) => t.name
  )
  expect(tables).toContain('resources')
  expect(tables).toContain('group_members')
})

test('a failing migration leaves nothing half-applied', () => {
  const db = new Database(':memory:')
  const broken = [{ tag: 'x', when: 1, hash: 'h', statements: ['CREATE TABLE a (x int)', 'NOT SQL'] }]
  expect(() => applyMigrations(db, broken)).toThrow()
  expect(db.query("SELECT name FROM sqlite_master WHERE name = 'a'").all()).toEqual([])
})

test("a journal written before the history links gets them from the old index: each entry's predecessor, each resource's newest, each deleted resource's", () => {
  const db = new Database(':memory:')
  const chain = MIGRATIONS.findIndex((m) => m.tag === '0011_journal_history_chain')
  expect(chain).toBeGreaterThan(0)
  applyMigrations(db, MIGRATIONS.slice(0, chain))
  db.run("INSERT OR IGNORE INTO tenants (name, packs, schemas, settings, created) VALUES ('t2', '[]', '[]', '{}', 'x')")
  const row = db.query(
    "INSERT INTO resources (id, tenant, type, data, version, created, last_modified) VALUES (?1, ?2, 'User', '{}', 1, 'x', 'x')"
  )
  row.run('a', 'default')
  row.run('c', 't2')
  const entry =
    db.query(`INSERT INTO journal (seq, tenant, at, op, resource_type, resource_id, changes, compat, cascade, prev_hash, hash)
    VALUES (?1, ?2, 'x', 'patch', 'User', ?3, '[]', '[]', 0, '', '')`)
  // a: 1, 3, 6; b (deleted): 2, 5; c of tenant t2: 4; d (deleted, of t2): 7.
  for (const [seq, tenant, id] of [
    [1, 'default', 'a'],
    [2, 'default', 'b'],
    [3, 'default', 'a'],
    [4, 't2', 'c'],
    [5, 'default', 'b'],
    [6, 'default', 'a'],
    [7, 't2', 'd'],
  ] as const)
    entry.run(seq, tenant, id)
  applyMigrations(db, MIGRATIONS)
  expect(db.query('SELECT seq, resource_prev_seq AS prev FROM journal ORDER BY seq').all()).toEqual([
    { seq: 1, prev: null },
    { seq: 2, prev: null },
    { seq: 3, prev: 1 },
    { seq: 4, prev: null },
    { seq: 5, prev: 2 },
    { seq: 6, prev: 3 },
    { seq: 7, prev: null },
  ])
  expect(db.query('SELECT id, journal_seq AS seq FROM resources ORDER BY id').all()).toEqual([
    { id: 'a', seq: 6 },
    { id: 'c', seq: 4 },
  ])
  expect(db.query('SELECT resource_id AS id, tenant, seq FROM journal_deleted ORDER BY resource_id').all()).toEqual([
    { id: 'b', tenant: 'default', seq: 5 },
    { id: 'd', tenant: 't2', seq: 7 },
  ])
  expect(db.query("SELECT name FROM sqlite_master WHERE name = 'journal_tenant_resource'").all()).toEqual([])
})
