// One server per database file: the second lock on a file fails and names the holder.
import { expect, test } from 'bun:test'
import { mkdtempSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseInUseError, lockDatabase } from '../../src/store/server-lock'
import { openDatabase } from '../../src/store/db'

test('a second lock fails naming file and holder; after release it is free again', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'scim-lock-')), 'scim.db')
  openDatabase(path).sqlite.close()
  const first = lockDatabase(path)
  let error: unknown
  try {
    lockDatabase(path)
  } catch (err) {
    error = err
  }
  expect(error).toBeInstanceOf(DatabaseInUseError)
  expect((error as Error).message).toContain(path)
  expect((error as Error).message).toContain(`pid ${process.pid}`)
  const link = `${path}.link`
  symlinkSync(path, link)
  expect(() => lockDatabase(link)).toThrow(DatabaseInUseError)
  // Other commands open the database itself, which the lock leaves alone.
  const admin = openDatabase(path)
  admin.sqlite.close()
  first.release()
  lockDatabase(path).release()
})
