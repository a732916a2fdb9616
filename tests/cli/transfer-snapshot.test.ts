// export beside a server that keeps writing: one moment's resources, so the file imports whole.
import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportCommand, sqliteSnapshot, type TransferServer } from '../../src/cli/transfer'
import { seedResources } from '../../src/embed/seed'
import { createScimServer, type ScimServer } from '../../src/server'
import type { TenantServices } from '../../src/tenants/types'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/**
 * `reader`'s tenants, whose store runs `meanwhile` once, right before the export reads its first
 * page of groups: after every user page, as a server writing beside the export would.
 */
function beforeGroups(reader: ScimServer, meanwhile: () => void): TransferServer['tenants'] {
  let ran = false
  return {
    get(name, generation) {
      const services = reader.tenants.get(name, generation)
      if (!services) return services
      const store = services.deps.store
      const watched = new Proxy(store, {
        get(target, key) {
          if (key !== 'query') return Reflect.get(target, key)
          return (type: { name: string }, q: { keyset?: unknown }) => {
            // The page reads (keyset), not the counts the export takes first for its progress line.
            if (type.name === 'Group' && q.keyset !== undefined && !ran) {
              ran = true
              meanwhile()
            }
            return (target.query as (t: unknown, q: unknown) => unknown)(type, q)
          }
        },
      })
      return { ...services, deps: { ...services.deps, store: watched } } as TenantServices
    },
  }
}

describe('cli/transfer export snapshot', () => {
  test.each([
    ['in one read transaction, every member of an exported group is in the file', true],
    ['page by page, a member added meanwhile is in the group but not in the file', false],
  ])('%s', async (_, snapshot) => {
    const dir = mkdtempSync(join(tmpdir(), 'transfer-snapshot-'))
    dirs.push(dir)
    const db = join(dir, 'scim.db')
    const writer = createScimServer({ db, tokenHashes: [], durability: 'normal' })
    await seedResources(writer.deps, '/scim/v2', { users: [{ userName: 'a' }], groups: [{ displayName: 'all' }] })
    const groupId = writer.sqlite.query<{ id: string }, []>("SELECT id FROM resources WHERE type = 'Group'").get()!.id
    const reader = createScimServer({ db, tokenHashes: [] })
    // Another connection's committed write: a new user, and it in the group.
    const addMember = () => {
      const at = new Date().toISOString()
      writer.sqlite.run(
        `INSERT INTO resources (id, tenant, type, name_ci, data, version, created, last_modified)
         VALUES ('late-user', 'default', 'User', 'late', '{"userName":"late"}', 1, ?1, ?1)`,
        [at]
      )
      writer.sqlite.run(
        "INSERT INTO group_members (group_id, member_id, member_type) VALUES (?1, 'late-user', 'User')",
        [groupId]
      )
    }
    const out = join(dir, 'export.jsonl')
    const server: TransferServer = { tenants: beforeGroups(reader, addMember) }
    if (snapshot) server.snapshot = sqliteSnapshot(reader.sqlite)
    await exportCommand(server, out)
    reader.store.close()
    writer.store.close()

    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; members?: { value: string }[] })
    const ids = new Set(lines.map((r) => r.id))
    const members = lines.find((r) => r.id === groupId)!.members ?? []
    const missing = members.filter((m) => !ids.has(m.value)).map((m) => m.value)
    expect(missing).toEqual(snapshot ? [] : ['late-user'])
  })
})
