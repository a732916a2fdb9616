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
