// A command run beside a server never migrates the database under a server of an older version.
import { describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openCommandDatabase } from '../../src/cli/command-db'
import { DatabaseError } from '../../src/store/db'
import { applyMigrations, migrationStatus } from '../../src/store/migrate'
import { MIGRATIONS } from '../../src/store/migrations.gen'
import { lockDatabase } from '../../src/store/server-lock'

/** A database as the build before this one left it: every migration but the last. */
function olderDatabase(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'command-db-')), 'scim.db')
  const db = new Database(path, { create: true })
  db.run('PRAGMA journal_mode = WAL')
  applyMigrations(db, MIGRATIONS.slice(0, -1))
  db.close()
  return path
}

const pendingIn = (path: string) => {
  const db = new Database(path, { readonly: true })
  try {
    return migrationStatus(db, MIGRATIONS).pending.length
  } finally {
    db.close()
  }
}

describe('cli/command-db', () => {
  test('behind this build and held by a server (an older one): refused, nothing migrated', () => {
    const path = olderDatabase()
    const server = lockDatabase(path)
    try {
      expect(() => openCommandDatabase(path)).toThrow(DatabaseError)
      expect(() => openCommandDatabase(path)).toThrow('1 migration(s) behind this scim-server')
      expect(pendingIn(path)).toBe(1)
    } finally {
      server.release()
    }
  })

  test('behind this build with no server on it: migrated, as before', () => {
    const path = olderDatabase()
    openCommandDatabase(path).sqlite.close()
    expect(pendingIn(path)).toBe(0)
  })

  test('up to date and held by a server: opened (the everyday case)', () => {
    const path = olderDatabase()
    openCommandDatabase(path).sqlite.close()
    const server = lockDatabase(path)
    try {
      const { sqlite } = openCommandDatabase(path)
      expect(sqlite.query('SELECT count(*) AS n FROM resources').get()).toEqual({ n: 0 })
      sqlite.close()
    } finally {
      server.release()
    }
  })
})
