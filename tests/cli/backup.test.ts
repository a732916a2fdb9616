// `backup FILE` of something that is no database, and `restore FILE` of a database whose latest commits are still in its -wal.
import { afterEach, describe, expect, test } from 'bun:test'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { backupDatabase, CommandError, describeDatabase, restoreDatabase } from '../../src/cli/backup'
import { seedResources } from '../../src/embed/seed'
import { createScimServer } from '../../src/server'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/**
 * The files a server leaves at `image` when it stops without a checkpoint (a crash, kill -9): the
 * main file and its -wal, copied while the server still holds them, so the -wal holds every commit.
 */
async function crashImage(image: string, users: number): Promise<void> {
  const live = `${image}.live`
  const server = createScimServer({ db: live, tokenHashes: [] })
  const userNames = Array.from({ length: users }, (_, i) => ({ userName: `u${i}` }))
  await seedResources(server.deps, '/scim/v2', { users: userNames })
  copyFileSync(live, image)
  copyFileSync(`${live}-wal`, `${image}-wal`)
  server.store.close()
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'restore-'))
  dirs.push(dir)
  return dir
}

describe('cli/backup restore', () => {
  test('a file with its commits in its -wal is restored with them, and undoing the restore gets them back', async () => {
    const dir = tempDir()
    const db = join(dir, 'scim.db')
    await crashImage(db, 3)
    const backup = join(dir, 'backup.db')
    await crashImage(backup, 5)
    expect(restoreDatabase(db, backup)).toContain(': 5 users, 0 groups; the replaced database is kept as ')
    expect(describeDatabase(db)).toEqual({ users: 5, groups: 0 })

    // The replaced file was set aside with its -wal: restoring it puts the 3 users back.
    const aside = readdirSync(dir).find((f) => /^scim\.db\.replaced-[\dT-]+Z$/.test(f))!
    expect(existsSync(join(dir, `${aside}-wal`))).toBe(true)
    expect(restoreDatabase(db, join(dir, aside))).toContain(': 3 users, 0 groups')
    expect(describeDatabase(db)).toEqual({ users: 3, groups: 0 })
    expect(readdirSync(dir).filter((f) => f.includes('.restoring-'))).toEqual([])
  })

  // `--db /var/lib/scim-server` (the state directory) was renamed aside whole, a file put in its place.
  test('a --db that is a directory or no SQLite file is refused and left as it was', async () => {
    const dir = tempDir()
    const backup = join(dir, 'backup.db')
    await crashImage(backup, 2)
    const state = join(dir, 'state')
    mkdirSync(state)
    writeFileSync(join(state, 'keep.txt'), 'x')
    const notes = join(dir, 'notes.txt')
    writeFileSync(notes, 'not a database')
    for (const target of [state, notes]) {
      const err = (() => {
        try {
          restoreDatabase(target, backup)
        } catch (e) {
          return e
        }
      })()
      expect(err).toBeInstanceOf(CommandError)
      expect((err as Error).message).toContain('--db names the database file')
    }
    expect(readdirSync(state)).toEqual(['keep.txt'])
    expect(readFileSync(notes, 'utf8')).toBe('not a database')
    // Nothing was set aside or left half-copied beside them.
    expect(readdirSync(dir).filter((f) => /\.(replaced|restoring)-/.test(f))).toEqual([])
  })

  test('an empty file at --db is a database not yet written: it is replaced', async () => {
    const dir = tempDir()
    const backup = join(dir, 'backup.db')
    await crashImage(backup, 2)
    const db = join(dir, 'scim.db')
    writeFileSync(db, '')
    expect(restoreDatabase(db, backup)).toContain(': 2 users, 0 groups')
  })
})

describe('cli/backup backup', () => {
  test('a --db that is no SQLite database, or a directory, is a CommandError naming it; nothing is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backup-'))
    dirs.push(dir)
    const junk = join(dir, 'junk.txt')
    writeFileSync(junk, 'not a database')
    for (const db of [junk, dir]) {
      const refused = backupDatabase(db, join(dir, 'copy.db'))
      await expect(refused).rejects.toBeInstanceOf(CommandError)
      await expect(refused).rejects.toThrow(`cannot back up ${db}: `)
    }
    expect(existsSync(join(dir, 'copy.db'))).toBe(false)
  })
})
