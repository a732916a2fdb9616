// journal verify and export open the database to read it only: a backup keeps its bytes, a database behind is refused.
import { afterEach, describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { backupDatabase } from '../../src/cli/backup'
import { seedResources } from '../../src/embed/seed'
import { createScimServer } from '../../src/server'
import { DatabaseError } from '../../src/store/db'
import { openReadOnlyDatabase } from '../../src/store/db-readonly'
import { applyMigrations } from '../../src/store/migrate'
import { MIGRATIONS } from '../../src/store/migrations.gen'
import { journal } from '../helpers/journal-command'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'db-readonly-'))
  dirs.push(dir)
  return dir
}

const sha = (path: string) => new Bun.CryptoHasher('sha256').update(readFileSync(path)).digest('hex')

describe('openReadOnlyDatabase', () => {
  // The write probe rewrote a row of it: verifying an archived backup changed the backup.
  test('journal verify and export of a backup leave every byte of it as it was', async () => {
    const dir = tempDir()
    const live = join(dir, 'scim.db')
    const server = createScimServer({ db: live, tokenHashes: [] })
    await seedResources(server.deps, '/scim/v2', { users: [{ userName: 'a' }, { userName: 'b' }] })
    const db = join(dir, 'backup.db')
    await backupDatabase(live, db)
    server.store.close()
    const before = sha(db)
    expect((await journal('verify', '--db', db)).output).toContain('journal intact: 2 entries')
    expect((await journal('export', '--db', db)).code).toBe(0)
    expect(sha(db)).toBe(before)
  })

  test('a database behind this version is refused: reading it writes nothing, and migrating would', () => {
    const db = join(tempDir(), 'scim.db')
    const older = new Database(db, { create: true })
    applyMigrations(older, MIGRATIONS.slice(0, -1))
    older.close()
    const before = sha(db)
    expect(() => openReadOnlyDatabase(db)).toThrow(DatabaseError)
    expect(() => openReadOnlyDatabase(db)).toThrow('1 migration(s) behind')
    expect(sha(db)).toBe(before)
  })

  test('another application’s database and a missing file are refused', () => {
    const dir = tempDir()
    const other = new Database(join(dir, 'other.db'), { create: true })
    other.run('CREATE TABLE foo (x)')
    other.close()
    expect(() => openReadOnlyDatabase(join(dir, 'other.db'))).toThrow('is a SQLite database of something else')
    expect(() => openReadOnlyDatabase(join(dir, 'none.db'))).toThrow('no database at')
  })
})
