// export and import --tenant: one tenant's resources out, and into another tenant, the same file back.
import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CommandError } from '../../src/cli/backup'
import { exportCommand, importCommand, takeTenantFlag } from '../../src/cli/transfer'
import { makeTestApp } from '../helpers/app'
import { readJson, URN_ENTERPRISE, URN_GROUP, URN_USER } from '../helpers/scim'
import { addTenant } from '../helpers/tenants'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function tempFile(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'transfer-'))
  dirs.push(dir)
  return join(dir, name)
}

describe('cli/transfer --tenant', () => {
  test('--tenant NAME is taken out of the words; a bad name is refused', () => {
    expect(takeTenantFlag(['export', '--tenant', 'acme', '--out', 'f'])).toEqual({
      tenant: 'acme',
      rest: ['export', '--out', 'f'],
    })
    expect(takeTenantFlag(['import', 'f', '--tenant=b'])).toEqual({ tenant: 'b', rest: ['import', 'f'] })
    expect(takeTenantFlag(['export'])).toEqual({ tenant: 'default', rest: ['export'] })
    expect(() => takeTenantFlag(['export', '--tenant', 'Bad'])).toThrow(CommandError)
    expect(() => takeTenantFlag(['export', '--tenant'])).toThrow(CommandError)
  })

  test("exports only the tenant's resources; imported into another tenant of the same database, that one exports them alike", async () => {
    const app = makeTestApp({ tenantRefreshMs: 0 })
    const a = addTenant(app, 'acme')
    addTenant(app, 'beta')
    await app.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'default-only@example.com' })
    const boss = await readJson(
      await a.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'boss@example.com' })
    )
    const report = await readJson(
      await a.request('POST', '/scim/v2/Users', {
        schemas: [URN_USER, URN_ENTERPRISE],
        userName: 'report@example.com',
        [URN_ENTERPRISE]: { manager: { value: boss.id } },
      })
    )
    await a.request('POST', '/scim/v2/Groups', {
      schemas: [URN_GROUP],
      displayName: 'team',
      members: [{ value: boss.id }, { value: report.id }],
    })
    const first = tempFile('acme.jsonl')
    await exportCommand(app.server, first, 'acme')
    const lines = readFileSync(first, 'utf8').trim().split('\n')
    expect(lines.length).toBe(3)
    expect(lines.join()).not.toContain('default-only')
    expect(lines.every((l) => JSON.parse(l).meta.location.includes('/tenants/acme/scim/v2/'))).toBe(true)

    const failures: unknown[] = []
    const { failed } = await importCommand(app.server, first, (f) => failures.push(f), 'beta')
    expect(failures).toEqual([])
    expect(failed).toBe(0)
    const second = tempFile('beta.jsonl')
    await exportCommand(app.server, second, 'beta')
    // Ids are unique across tenants: beta's copies have ids of their own, with references following them.
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
    // Imported again, nothing changes; acme is untouched.
    const again = await importCommand(app.server, first, () => {}, 'beta')
    expect(again.summary).toContain('0 created, 0 updated, 3 unchanged')
    expect(again.failed).toBe(0)
  })

  test('an unknown tenant is refused before anything is read or written', async () => {
    const app = makeTestApp({ tenantRefreshMs: 0 })
    await expect(exportCommand(app.server, tempFile('x'), 'nobody')).rejects.toBeInstanceOf(CommandError)
  })
})
