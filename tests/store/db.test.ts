// Opening the database: only serve creates one, and one that refuses writes is refused at once.
import { describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseError, PAGE_CACHE_KIB, openDatabase } from '../../src/store/db'
import { MIGRATIONS } from '../../src/store/migrations.gen'
import { probeWrite, readinessProblem } from '../../src/store/readiness'

const tmpDb = () => join(mkdtempSync(join(tmpdir(), 'scim-db-')), 'scim.db')

describe('openDatabase', () => {
  test('a file database gets a 64 MiB page cache, and a memory map only when asked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-db-'))
    const plain = openDatabase(join(dir, 'a.db')).sqlite
    expect(plain.query('PRAGMA cache_size').get()).toEqual({ cache_size: -PAGE_CACHE_KIB })
    expect(PAGE_CACHE_KIB).toBe(65536)
    expect(plain.query('PRAGMA mmap_size').get()).toEqual({ mmap_size: 0 })
    plain.close()
    const mapped = openDatabase(join(dir, 'b.db'), 'full', { mmapBytes: 256 * 1024 * 1024 }).sqlite
    expect(mapped.query('PRAGMA mmap_size').get()).toEqual({ mmap_size: 256 * 1024 * 1024 })
    mapped.close()
  })

  test('with create: false, a missing file is an error and stays missing', () => {
    const path = tmpDb()
    expect(() => openDatabase(path, 'full', { create: false })).toThrow(DatabaseError)
    expect(() => openDatabase(path, 'full', { create: false })).toThrow(`no database at ${path}`)
    expect(existsSync(path)).toBe(false)
  })

  test('a postgres:// URL is refused with a sentence (the commands that read SQLite tables), its password masked, no file made', () => {
    const cwd = process.cwd()
    const url = 'postgres://scim:secret@127.0.0.1:5432/scim'
    expect(() => openDatabase(url)).toThrow(DatabaseError)
    expect(() => openDatabase(url)).toThrow('not yet on PostgreSQL (postgres://scim:***@127.0.0.1:5432/scim)')
    expect(existsSync(join(cwd, 'postgres:'))).toBe(false)
  })

  test('with create: false, an existing file opens', () => {
    const path = tmpDb()
    openDatabase(path).sqlite.close()
    const { sqlite } = openDatabase(path, 'full', { create: false })
    expect(readinessProblem(sqlite)).toBeUndefined()
    sqlite.close()
  })
})

describe('the write probe', () => {
  // Root writes 0444 files, so SQLite's own read-only open stands in for a file that refuses writes.
  test('fails on a database opened read-only, where BEGIN IMMEDIATE alone would pass', () => {
    const path = tmpDb()
    openDatabase(path).sqlite.close()
    const ro = new Database(path, { readonly: true })
    ro.run('BEGIN IMMEDIATE')
    ro.run('ROLLBACK')
    expect(() => probeWrite(ro)).toThrow(/readonly/)
    expect(readinessProblem(ro)).toMatch(/^database is not writable: /)
    ro.close()
  })

  test('a schema behind or ahead of this build is not ready', () => {
    const { sqlite } = openDatabase(':memory:')
    const later = { tag: 'later', when: Number.MAX_SAFE_INTEGER, hash: 'x', statements: [] }
    expect(readinessProblem(sqlite, [...MIGRATIONS, later])).toMatch(/1 migration\(s\) behind/)
    expect(readinessProblem(sqlite, MIGRATIONS.slice(0, -1))).toMatch(/1 migration\(s\) ahead/)
    expect(readinessProblem(sqlite, MIGRATIONS)).toBeUndefined()
  })
})

describe('openDatabase refuses another application’s database', () => {
  // A --db typo naming it gave it scim-server's tables and WAL mode without a word.
  test('a file with tables, none of them scim-server’s, is refused and left as it was', () => {
    const path = tmpDb()
    const other = new Database(path, { create: true })
    other.run('CREATE TABLE foo (x)')
    other.close()
    expect(() => openDatabase(path, 'full', { create: false })).toThrow('is a SQLite database of something else')
    const after = new Database(path, { readonly: true })
    expect(after.query("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([{ name: 'foo' }])
    expect(after.query('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'delete' })
    after.close()
  })

  test('an empty SQLite file is a database not yet written: it is migrated', () => {
    const path = tmpDb()
    new Database(path, { create: true }).close()
    const { sqlite } = openDatabase(path, 'full', { create: false })
    expect(sqlite.query("SELECT 1 AS ok FROM sqlite_master WHERE name = 'resources'").get()).toEqual({ ok: 1 })
    sqlite.close()
  })
})
