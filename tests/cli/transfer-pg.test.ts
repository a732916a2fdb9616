// export and import --tenant on PostgreSQL: one tenant's resources out, into another tenant, the same file back, as on a SQLite file.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CommandError } from '../../src/cli/backup'
import { runTenantCommand } from '../../src/cli/tenant-command'
import { exportCommand, importCommand, pgTransferServer } from '../../src/cli/transfer'
import type { PgScimServer } from '../../src/server-pg'
import { DatabaseError } from '../../src/store/db'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'
import { URN_ENTERPRISE, URN_GROUP, URN_USER } from '../helpers/scim'

const server = await testPostgres()

const dirs: string[] = []
function tempFile(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'transfer-pg-'))
  dirs.push(dir)
  return join(dir, name)
}
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function addTenant(url: string, name: string): Promise<string> {
  const { lines } = await runTenantCommand(['add', name, '--db', url], {})
  return /^Secret Token: (\S+)$/m.exec(lines.join('\n'))![1]!
}

describe.skipIf(!server)('cli/transfer on PostgreSQL', () => {
  let db: TestDatabase
  let app: PgScimServer
  beforeAll(async () => {
    db = await freshDatabase(server!)
  })
  afterAll(async () => {
    await app?.close()
    await db?.drop()
  })

  test('a database no server has started on is refused with a sentence, and left without tables', async () => {
    const refused = await pgTransferServer({ db: db.url }).catch((e: Error) => e)
    expect(refused).toBeInstanceOf(DatabaseError)
    expect((refused as Error).message).toContain('no scim-server tables yet')
    const [row] = await db.sql`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'resources'`
    expect(row.n).toBe(0)
  })

  test("exports only the tenant's resources; imported into another tenant, that one exports them alike", async () => {
    const acme = await addTenant(db.url, 'acme')
    await addTenant(db.url, 'beta')
    app = await pgTransferServer({ db: db.url })
    const post = async (path: string, body: unknown) => {
      const res = await app.app.handle(
        new Request(`http://localhost/tenants/acme/scim/v2${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${acme}`, 'content-type': 'application/scim+json' },
          body: JSON.stringify(body),
        })
      )
      expect(res.status).toBe(201)
      return (await res.json()) as { id: string }
    }
    const boss = await post('/Users', { schemas: [URN_USER], userName: 'boss@example.com' })
    const report = await post('/Users', {
      schemas: [URN_USER, URN_ENTERPRISE],
      userName: 'report@example.com',
      [URN_ENTERPRISE]: { manager: { value: boss.id } },
    })
    await post('/Groups', {
      schemas: [URN_GROUP],
      displayName: 'team',
      members: [{ value: boss.id }, { value: report.id }],
    })

    const first = tempFile('acme.jsonl')
    await exportCommand(app, first, 'acme')
    const lines = readFileSync(first, 'utf8').trim().split('\n')
    expect(lines.length).toBe(3)
    expect(lines.every((l) => JSON.parse(l).meta.location.includes('/tenants/acme/scim/v2/'))).toBe(true)

    const failures: unknown[] = []
    const { failed } = await importCommand(app, first, (f) => failures.push(f), 'beta')
    expect(failures).toEqual([])
    expect(failed).toBe(0)
    const second = tempFile('beta.jsonl')
    await exportCommand(app, second, 'beta')
    const strip = (text: string) =>
      text
        .trim()
        .split('\n')
        .map((l) => {
          const r = JSON.parse(l)
          return {
            userName: r.userName,
            displayName: r.displayName,
            manager: r[URN_ENTERPRISE]?.manager?.displayName,
            members: r.members?.length,
          }
        })
        .sort((x, y) => String(x.userName ?? x.displayName).localeCompare(String(y.userName ?? y.displayName)))
    expect(strip(readFileSync(second, 'utf8'))).toEqual(strip(readFileSync(first, 'utf8')))
    // Imported again, nothing changes.
    const again = await importCommand(app, first, () => {}, 'beta')
    expect(again.summary).toContain('0 created, 0 updated, 3 unchanged')
    expect(again.failed).toBe(0)
    await expect(exportCommand(app, tempFile('x'), 'nobody')).rejects.toBeInstanceOf(CommandError)
  })
})
