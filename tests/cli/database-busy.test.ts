// Admin commands beside a server that writes: their transactions wait for the write lock (immediate), and a lock held past busy_timeout is one line.
import { describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resetTokens, revokeToken, listTokens } from '../../src/auth/token-admin'
import { sqliteTenantTable } from '../../src/cli/tenant-table'
import { createAdminStore } from '../../src/console/admin-store'
import { run } from '../../src/service/effect'
import { DatabaseError, openDatabase, storageAsDatabaseError } from '../../src/store/db'
import { createTenant } from '../../src/tenants/create'
import { readTenant, deleteTenant } from '../../src/tenants/rows'
import { runBinary } from '../helpers/process'
import { holdWriteLock } from '../helpers/write-lock'

const tenant = (name: string) => ({ name, packs: [], schemas: [], settings: {} })

/** A fresh database file with tenant acme, opened: the connection an admin command has before it writes. */
function database(): { path: string; sqlite: ReturnType<typeof openDatabase>['sqlite'] } {
  const path = join(mkdtempSync(join(tmpdir(), 'scim-busy-')), 'scim.db')
  const { sqlite } = openDatabase(path)
  createTenant(sqlite, tenant('acme'))
  return { path, sqlite }
}

/**
 * Runs `write` while another process holds the write lock and commits after 150 ms. A deferred
 * transaction that reads first could not wait: SQLite refuses its upgrade to a writer at once.
 */
async function whileLocked<T>(path: string, write: () => T | Promise<T>): Promise<T> {
  const lock = holdWriteLock(path, 150)
  await lock.held
  try {
    return await write()
  } finally {
    expect(await lock.done).toBe(0)
  }
}

describe('admin writes beside another writer', () => {
  test('tenant remove (deleteTenant) waits for the lock and removes the tenant', async () => {
    const { path, sqlite } = database()
    expect((await whileLocked(path, () => deleteTenant(sqlite, 'acme'))).tokens).toBe(1)
    expect(readTenant(sqlite, 'acme')).toBeUndefined()
  })

  test('tenant add (createTenant, and the tenant table around it) waits for the lock', async () => {
    const { path, sqlite } = database()
    await whileLocked(path, () => createTenant(sqlite, tenant('beta')))
    expect(readTenant(sqlite, 'beta')).toBeDefined()
    const table = sqliteTenantTable(path, false)
    await whileLocked(path, () => run(table.add(tenant('gamma'), 'head')))
    run(table.close())
    expect(readTenant(sqlite, 'gamma')).toBeDefined()
  })

  test('token --reset (resetTokens) and revoke wait for the lock', async () => {
    const { path, sqlite } = database()
    const issued = await whileLocked(path, () => resetTokens(sqlite, 'acme'))
    expect(listTokens(sqlite, 'acme').map((t) => t.id)).toEqual([issued.record.id])
    expect(await whileLocked(path, () => revokeToken(sqlite, issued.record.id))).toBe(true)
  })

  test('admin add (the admin store) waits for the lock', async () => {
    const { path, sqlite } = database()
    const admins = createAdminStore(sqlite)
    expect(await whileLocked(path, () => admins.save('grace', null, new Date().toISOString()))).toEqual({
      existed: false,
    })
    expect((await admins.list()).map((a) => a.name)).toEqual(['grace'])
  })

  test('SQLITE_BUSY is the one line the commands print; other errors pass through', () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })
    const mapped = storageAsDatabaseError(busy)
    expect(mapped).toBeInstanceOf(DatabaseError)
    expect((mapped as Error).message).toBe('the database is busy; try again')
    const other = new Error('x')
    expect(storageAsDatabaseError(other)).toBe(other)
  })

  test('a full disk is one line too, as SQLite reports it on a write that does not fit', () => {
    const { sqlite } = database()
    // A database that may not grow stands for a disk without room: SQLite answers SQLITE_FULL.
    sqlite.run(
      `PRAGMA max_page_count = ${sqlite.query<{ page_count: number }, []>('PRAGMA page_count').get()!.page_count}`
    )
    let full: unknown
    try {
      sqlite.run('CREATE TABLE filler (x BLOB)')
      for (let i = 0; i < 100; i++) sqlite.run('INSERT INTO filler VALUES (zeroblob(65536))')
    } catch (err) {
      full = err
    }
    expect((full as { code?: string }).code).toStartWith('SQLITE_FULL')
    const mapped = storageAsDatabaseError(full)
    expect(mapped).toBeInstanceOf(DatabaseError)
    expect((mapped as Error).message).toStartWith('the disk holding the database is full')
  })

  test('a lock held past busy_timeout: the command prints one line and exits 1, no stack', async () => {
    const { path, sqlite } = database()
    sqlite.close()
    const lock = holdWriteLock(path, 7000)
    await lock.held
    const { code, output } = await runBinary(['tenant', 'remove', 'acme', '--db', path])
    expect({ code, output }).toEqual({ code: 1, output: 'scim-server: the database is busy; try again\n' })
    await lock.done
  }, 20_000)
})
