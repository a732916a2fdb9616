// refoldNames: name_ci keys written with toLowerCase become foldCase keys, once, without failing on new collisions.
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, type OpenedDatabase } from '../../src/store/db'
import { refoldNames } from '../../src/store/refold'

const dir = mkdtempSync(join(tmpdir(), 'scim-refold-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A database as an older build left it: keys lowered with toLowerCase, no record of a refold. */
function oldDatabase(users: string[], groups: string[] = []): OpenedDatabase {
  const db = openDatabase(':memory:')
  db.sqlite.run("DELETE FROM settings WHERE key = 'name_ci_fold'")
  const insert = db.sqlite.prepare(
    "INSERT INTO resources (id, type, name_ci, data, version, created, last_modified) VALUES (?, ?, ?, ?, 1, '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z')"
  )
  for (const [i, userName] of users.entries())
    insert.run(`u${i}`, 'User', userName.toLowerCase(), JSON.stringify({ userName }))
  for (const [i, displayName] of groups.entries()) {
    insert.run(`g${i}`, 'Group', displayName.toLowerCase(), JSON.stringify({ displayName }))
  }
  return db
}

const keys = (db: OpenedDatabase) =>
  Object.fromEntries(
    db.sqlite
      .query<{ id: string; k: string }, []>('SELECT id, name_ci AS k FROM resources ORDER BY id')
      .all()
      .map((r) => [r.id, r.k])
  )

describe('store/refold', () => {
  test('refolds non-ASCII keys of users and groups once, and records it', () => {
    const db = oldDatabase(['ΟΔΟΣ', 'Straße', 'plain'], ['ΟΔΟΣ'])
    const lines: string[] = []
    expect(refoldNames(db.sqlite, (l) => lines.push(l))).toEqual({ refolded: 3, kept: [] })
    expect(keys(db)).toEqual({ g0: 'οδοσ', u0: 'οδοσ', u1: 'strasse', u2: 'plain' })
    expect(lines).toEqual([])
    db.sqlite.run("UPDATE resources SET name_ci = 'οδος' WHERE id = 'u0'")
    expect(refoldNames(db.sqlite, () => {})).toEqual({ refolded: 0, kept: [] }) // recorded: not again
    expect(keys(db).u0).toBe('οδος')
  })

  test('two users that now fold alike both stay, one keeps its old key, one line is logged', () => {
    const db = oldDatabase(['ΟΔΟΣ', 'οδοσ', 'STRASSE', 'Straße'])
    const lines: string[] = []
    expect(refoldNames(db.sqlite, (l) => lines.push(l))).toEqual({ refolded: 0, kept: ['u0', 'u3'] })
    expect(keys(db)).toEqual({ u0: 'οδος', u1: 'οδοσ', u2: 'strasse', u3: 'straße' })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('u0, u3')
  })

  test('openDatabase refolds an existing file when it opens it', () => {
    const path = join(dir, 'old.db')
    const first = openDatabase(path)
    first.sqlite.run("DELETE FROM settings WHERE key = 'name_ci_fold'")
    first.sqlite.run(
      "INSERT INTO resources (id, type, name_ci, data, version, created, last_modified) VALUES ('u', 'User', 'straße', '{\"userName\":\"Straße\"}', 1, 'x', 'x')"
    )
    first.sqlite.close()
    const again = openDatabase(path)
    expect(keys(again)).toEqual({ u: 'strasse' })
    again.sqlite.close()
  })
})
