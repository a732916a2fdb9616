// `scim-server migrate-db` through the compiled binary: the embedded PostgreSQL migrations, the exit codes and the summary.
import { afterAll, describe, expect, test } from 'bun:test'
import { verifyPgJournal } from '../../src/store-pg/journal-verify'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'
import { runBinary } from '../helpers/process'
import { buildSource } from './migrate-db-source'

const server = await testPostgres()

describe.skipIf(!server)('cli/migrate-db through the binary', () => {
  let target: TestDatabase | undefined
  afterAll(async () => {
    await target?.drop()
  })

  test('copies, verifies and says so; a second run into the same database is refused', async () => {
    const source = await buildSource()
    target = await freshDatabase(server!)
    const first = await runBinary(['migrate-db', '--from', source.path, '--to', target.url])
    expect(first.output).toContain('tenant acme: tenants 1, resources 8, group_members 4, tokens 1')
    expect(first.output).toMatch(/journal of tenant default: \d+ entries intact on PostgreSQL, the same head as SQLite/)
    expect(first.output).toContain('every count and journal chain verified')
    expect(first.code).toBe(0)
    const verdict = await verifyPgJournal(target.sql)
    expect(verdict.ok && verdict.tenants.map((t) => t.tenant)).toEqual(['acme', 'default'])

    const again = await runBinary(['migrate-db', '--from', source.path, '--to', target.url])
    expect(again.code).toBe(1)
    expect(again.output).toContain('already holds')
    expect(again.output).toContain('never merges or overwrites')

    const help = await runBinary(['migrate-db', '--help'])
    expect(help.code).toBe(0)
    expect(help.output).toContain('Console sessions are not copied')
  })
})
