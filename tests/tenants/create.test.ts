// Adding a tenant and issuing its tokens while another process writes the same database file.
import type { Database } from 'bun:sqlite'
import { afterEach, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { issueTokenRecord } from '../../src/auth/token-admin'
import { openDatabase } from '../../src/store/db'
import { addTenant } from '../../src/tenants/create'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/**
 * `db`, whose first read of the tenants table is followed at once by `outside`, a write of a
 * second connection to the same file (as `tenant add` or `tenant remove` beside the server).
 * The outsider waits for no lock: where the code holds one, it cannot write in between.
 */
function interleaved(outside: (other: Database) => void): { db: Database; wrote: () => boolean } {
  const dir = mkdtempSync(join(tmpdir(), 'tenant-create-'))
  dirs.push(dir)
  const path = join(dir, 'scim.db')
  const { sqlite: db } = openDatabase(path, 'normal')
  const { sqlite: other } = openDatabase(path, 'normal')
  other.run('PRAGMA busy_timeout = 0')
  let done = false
  let wrote = false
  const query = db.query.bind(db)
  db.query = ((sql: string) => {
    const statement = query(sql)
    if (done || !/^SELECT/i.test(sql.trim()) || !/\btenants\b/.test(sql)) return statement
    const get = statement.get.bind(statement)
    statement.get = ((...args: never[]) => {
      const row = get(...args)
      done = true
      try {
        outside(other)
        wrote = true
      } catch (err) {
        if (!/locked|busy/i.test(String(err))) throw err
      }
      return row
    }) as typeof statement.get
    return statement
  }) as typeof db.query
  return { db, wrote: () => wrote }
}

test('a tenant added by another process between the check and the insert is "exists already", not a constraint error', () => {
  const { db, wrote } = interleaved((other) =>
    other.run("INSERT INTO tenants (name, created) VALUES ('acme', '2026-01-01T00:00:00Z')")
  )
  let error: unknown
  try {
    addTenant(db, { name: 'acme', packs: [], schemas: [], settings: {} })
  } catch (err) {
    error = err
  }
  // Either the outsider could not write in between (the add held the lock) or the add says the name is taken.
  if (wrote()) expect(String(error)).toContain('exists already')
  else expect(error).toBeUndefined()
  expect(db.query("SELECT count(*) AS n FROM tenants WHERE name = 'acme'").get()).toEqual({ n: 1 })
})

test('a token issued while another process removes its tenant is refused as for an unknown tenant, not a constraint error', () => {
  const { db, wrote } = interleaved((other) => other.run("DELETE FROM tenants WHERE name = 'acme'"))
  db.run("INSERT INTO tenants (name, created) VALUES ('acme', '2026-01-01T00:00:00Z')")
  let error: unknown
  try {
    issueTokenRecord(db, { tenant: 'acme' })
  } catch (err) {
    error = err
  }
  if (wrote()) expect(String(error)).toContain('acme')
  if (wrote()) expect(error?.constructor.name).not.toBe('SQLiteError')
  else expect(error).toBeUndefined()
  expect(db.query('SELECT count(*) AS n FROM tokens').get()).toEqual({ n: wrote() ? 0 : 1 })
})
