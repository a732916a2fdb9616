// `scim-server tenant ...` against a database file: add, list, show, set, remove, and what each refuses.
import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { UsageError } from '../../src/cli/args'
import { runTenantCommand, TenantError } from '../../src/cli/tenant-command'
import { openDatabase } from '../../src/store/db'
import { readTenant } from '../../src/tenants/rows'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tenant-cli-'))
  dirs.push(dir)
  return join(dir, 'scim.db')
}

const run = (db: string, ...argv: string[]) => runTenantCommand(argv, { SCIM_DB: db }).then((o) => o.lines.join('\n'))

describe('cli/tenant-command', () => {
  test.each([
    [['list', '--rate-limit', '5']],
    [['show', 'acme', '--clear-packs']],
    [['remove', 'acme', '--schema-pack', 'alvao']],
    [['add', 'acme', '--unset', 'rate-limit']],
    [['set', 'acme', '--yes']],
  ])('tenant %p with a flag it does not take is a usage mistake naming the flag', async (argv) => {
    const db = tempDb()
    await run(db, 'add', 'other')
    const flag = argv.find((w) => w.startsWith('--'))!
    await expect(run(db, ...argv)).rejects.toThrow(`does not take ${flag}`)
  })

  test('set --push-url stores the receivers, later settings keep them, --unset push-url clears them', async () => {
    const db = tempDb()
    await run(db, 'add', 'acme')
    await run(db, 'set', 'acme', '--push-url', 'https://app.example/events', '--push-url', 'http://127.0.0.1:9/e')
    await run(db, 'set', 'acme', '--rate-limit', '5')
    const { sqlite } = openDatabase(db)
    expect(readTenant(sqlite, 'acme')?.settings).toEqual({
      rateLimit: 5,
      pushUrls: ['https://app.example/events', 'http://127.0.0.1:9/e'],
    })
    sqlite.close()
    await expect(run(db, 'set', 'acme', '--push-url', 'ftp://x/y')).rejects.toThrow(UsageError)
    await run(db, 'set', 'acme', '--unset', 'push-url')
    const again = openDatabase(db).sqlite
    expect(readTenant(again, 'acme')?.settings).toEqual({ rateLimit: 5 })
    again.close()
  })

  test('set --allow-from stores the ranges, shows them, refuses a bad or empty one, --unset allow-from clears them', async () => {
    const db = tempDb()
    await run(db, 'add', 'acme')
    const shown = await run(
      db,
      'set',
      'acme',
      '--allow-from',
      '192.0.2.0/24,2001:db8::/32',
      '--allow-from',
      '192.0.2.0/24'
    )
    expect(shown).toContain('allowFrom=192.0.2.0/24 2001:db8::/32')
    const { sqlite } = openDatabase(db)
    expect(readTenant(sqlite, 'acme')?.settings).toEqual({ allowFrom: ['192.0.2.0/24', '2001:db8::/32'] })
    sqlite.close()
    await expect(run(db, 'set', 'acme', '--allow-from', '192.0.2.0/33')).rejects.toThrow('--allow-from: ')
    await expect(run(db, 'set', 'acme', '--allow-from', ' , ')).rejects.toThrow('--allow-from needs an address')
    await run(db, 'set', 'acme', '--unset', 'allow-from')
    const again = openDatabase(db).sqlite
    expect(readTenant(again, 'acme')?.settings).toEqual({})
    again.close()
  })

  test('add creates the database, the row and a token, printing the Tenant URL path and the Secret Token', async () => {
    const db = tempDb()
    const out = await run(db, 'add', 'acme', '--schema-pack', 'alertmedia', '--max-results', '50')
    expect(out).toContain('Tenant URL:   /tenants/acme/scim/v2')
    expect(out).toMatch(/Secret Token: \S{20,}/)
    const { sqlite } = openDatabase(db)
    expect(readTenant(sqlite, 'acme')).toMatchObject({ packs: ['alertmedia'], settings: { maxResults: 50 } })
    expect(sqlite.query("SELECT count(*) AS n FROM tokens WHERE tenant = 'acme'").get()).toEqual({ n: 1 })
    sqlite.close()
  })

  test('list shows every tenant, the default one included, with packs and counts; show one', async () => {
    const db = tempDb()
    await run(db, 'add', 'acme', '--schema-pack', 'alvao')
    await run(db, 'add', 'beta')
    const lines = (await run(db, 'list')).split('\n')
    expect(lines[0]).toMatch(/^NAME\s+PACKS\s+USERS\s+GROUPS\s+TOKENS$/)
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['acme', 'beta', 'default'])
    expect(lines[1]).toMatch(/^acme\s+alvao\s+0\s+0\s+1$/)
    expect(await run(db, 'show', 'acme')).toContain('Packs:        alvao')
  })

  test('set replaces packs, adds schema documents validated as serve does, and sets or unsets settings', async () => {
    const db = tempDb()
    await run(db, 'add', 'acme')
    const schema = join(db, '..', 'badge.json')
    writeFileSync(
      schema,
      JSON.stringify({
        id: 'urn:example:badge',
        name: 'Badge',
        attributes: [{ name: 'badge', type: 'string', multiValued: false }],
      })
    )
    await run(db, 'set', 'acme', '--schema-pack', 'h5mag', '--schema', schema, '--rate-limit', '5', '--strict-patch')
    const { sqlite } = openDatabase(db)
    const after = readTenant(sqlite, 'acme')!
    expect(after.packs).toEqual(['h5mag'])
    expect(after.schemas.map((s) => [s.target, s.schema.id])).toEqual([['User', 'urn:example:badge']])
    expect(after.settings).toEqual({ rateLimit: 5, strictPatch: true })
    sqlite.close()
    await run(db, 'set', 'acme', '--unset', 'rate-limit', '--unset', 'strict-patch', '--clear-packs')
    const { sqlite: again } = openDatabase(db)
    expect(readTenant(again, 'acme')).toMatchObject({ packs: [], settings: {} })
    again.close()
    writeFileSync(schema, '{"id": "not-a-urn"}')
    await expect(run(db, 'set', 'acme', '--schema', schema)).rejects.toBeInstanceOf(UsageError)
  })

  test('remove refuses without --yes, saying what it deletes; the default tenant is never removed', async () => {
    const db = tempDb()
    await run(db, 'add', 'acme')
    const refused = await run(db, 'remove', 'acme').catch((e: Error) => e)
    expect(refused).toBeInstanceOf(TenantError)
    expect((refused as Error).message).toContain('0 users, 0 groups, 0 memberships, 1 tokens and 0 journal entries')
    expect(await run(db, 'remove', 'acme', '--yes')).toContain('tenant acme removed')
    await expect(run(db, 'show', 'acme')).rejects.toBeInstanceOf(TenantError)
    await expect(run(db, 'remove', 'default', '--yes')).rejects.toBeInstanceOf(TenantError)
  })

  test('refuses names outside the pattern, unknown packs, a taken name, and a missing database (except add)', async () => {
    const db = tempDb()
    for (const name of ['Acme', '-a', 'a_b', 'a'.repeat(64)])
      await expect(run(db, 'add', name)).rejects.toBeInstanceOf(UsageError)
    await expect(run(db, 'add', 'acme', '--schema-pack', 'nope')).rejects.toBeInstanceOf(UsageError)
    await expect(run(db, 'list')).rejects.toThrow('no database at')
    await run(db, 'add', 'acme')
    await expect(run(db, 'add', 'acme')).rejects.toBeInstanceOf(TenantError)
    await expect(run(db, 'add', 'default')).rejects.toBeInstanceOf(TenantError)
  })
})
