// TenantRegistry: one lookup cache and one write queue for all tenants, keys kept apart; rows followed.
import { describe, expect, test } from 'bun:test'
import { limitsWith } from '../../src/scim/limits'
import { runSync } from '../../src/service/effect'
import { openDatabase } from '../../src/store/db'
import { WriteQueue } from '../../src/store/write-queue'
import { deleteTenant, insertTenant, updateTenant } from '../../src/tenants/rows'
import { TenantRegistry, tenantBaseUrl } from '../../src/tenants/registry'
import { sqliteTenantStores } from '../../src/tenants/sqlite-stores'
import { createScimServer } from '../../src/server'
import { syncStore } from '../helpers/sync-store'

function registry(now: () => number = () => 0, cacheBytes?: number) {
  const { sqlite, orm } = openDatabase(':memory:', 'normal')
  const limits = limitsWith(cacheBytes === undefined ? {} : { cacheBytes })
  const tenants = new TenantRegistry({
    stores: sqliteTenantStores({ sqlite, orm, queue: new WriteQueue(sqlite), cacheSize: 1000, limits }),
    now,
    defaults: {
      maxResults: 1000,
      defaultCount: 100,
      cursorTimeout: 3600,
      rateLimit: 0,
      limits,
      packs: [],
      schemas: [],
    },
  })
  return { sqlite, tenants }
}

describe('tenants/registry', () => {
  test('cached name lookups of one tenant never answer for another (one shared cache, keys per tenant)', async () => {
    const { sqlite, tenants } = registry()
    for (const name of ['a', 'b']) insertTenant(sqlite, { name, packs: [], schemas: [], settings: {} })
    tenants.refresh(true)
    const at = new Date().toISOString()
    for (const name of ['a', 'b']) {
      const { store, registry: types } = tenants.require(name).deps
      const type = types.resourceType('User')!
      await store.write((tx) =>
        tx.insert(type, {
          id: `id-${name}`,
          type: 'User',
          data: { userName: 'same' },
          version: 1,
          created: at,
          lastModified: at,
        })
      )
    }
    // Admitted on the second miss, served from the cache on the third and later.
    for (let round = 0; round < 4; round++) {
      for (const name of ['a', 'b']) {
        const { store, registry: types } = tenants.require(name).deps
        expect(runSync(store.findByName(types.resourceType('User')!, 'same')).map((r) => r.id)).toEqual([`id-${name}`])
      }
    }
    expect(tenants.default.deps.store.stats().lookupHits).toBeGreaterThan(0)
  })

  test('--cache-bytes bounds the lookups of all tenants together: 1 KB entries of two tenants in 10 KB keep under 10', async () => {
    const { sqlite, tenants } = registry(() => 0, 10_240)
    const names = ['a', 'b']
    for (const name of names) insertTenant(sqlite, { name, packs: [], schemas: [], settings: {} })
    tenants.refresh(true)
    const at = new Date().toISOString()
    for (const name of names) {
      const { store, registry: types } = tenants.require(name).deps
      const type = types.resourceType('User')!
      await store.write(function* (tx) {
        for (let i = 0; i < 50; i++)
          yield* tx.insert(type, {
            id: `${name}-${i}`,
            type: 'User',
            data: { userName: `u${i}`, title: 'x'.repeat(1000) },
            version: 1,
            created: at,
            lastModified: at,
          })
      })
    }
    const keys = names.flatMap((name) => Array.from({ length: 50 }, (_, i) => [name, `u${i}`] as const))
    const lookAll = (order: (readonly [string, string])[]) => {
      for (const [name, userName] of order) {
        const { store, registry: types } = tenants.require(name).deps
        runSync(store.findByName(types.resourceType('User')!, userName))
      }
    }
    // Admitted on the second miss; a third pass, newest first, counts what stayed.
    lookAll(keys)
    lookAll(keys)
    const before = tenants.default.deps.store.stats().lookupHits
    lookAll([...keys].reverse())
    const kept = tenants.default.deps.store.stats().lookupHits - before
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThanOrEqual(10)
  })

  test("follows the tenants table: a new row is served, a changed row rebuilds that tenant's services, a removed one is gone", () => {
    let clock = 0
    const { sqlite, tenants } = registry(() => clock)
    expect(tenants.get('late')).toBeUndefined()
    insertTenant(sqlite, { name: 'late', packs: [], schemas: [], settings: {} })
    // Not before the refresh interval has passed: the table is read at most every 250 ms.
    expect(tenants.get('late')).toBeUndefined()
    clock += 250
    const first = tenants.get('late')!
    expect(first.deps.settings.maxResults).toBe(1000)
    updateTenant(sqlite, { name: 'late', packs: ['alertmedia'], schemas: [], settings: { maxResults: 5 } })
    clock += 250
    const second = tenants.get('late')!
    expect(second).not.toBe(first)
    expect(second.deps.settings.maxResults).toBe(5)
    expect(second.deps.registry.schemas.length).toBeGreaterThan(first.deps.registry.schemas.length)
    sqlite.run("DELETE FROM tenants WHERE name = 'late'")
    clock += 250
    expect(tenants.get('late')).toBeUndefined()
    expect(tenants.get('default')).toBeDefined()
  })

  test('a named tenant base follows --base-url: https://h/scim/v2 → https://h/tenants/NAME/scim/v2', () => {
    expect(tenantBaseUrl('https://h/scim/v2', 'acme')).toBe('https://h/tenants/acme/scim/v2')
    expect(tenantBaseUrl('https://h/scim/v2', 'default')).toBe('https://h/scim/v2')
    expect(tenantBaseUrl(undefined, 'acme')).toBeUndefined()
  })

  test("a token's generation finds only that life of the tenant, even before the rows are read again", () => {
    let now = 0
    const { sqlite, tenants } = registry(() => now)
    insertTenant(sqlite, { name: 'kappa', packs: [], schemas: [], settings: {} })
    tenants.refresh(true)
    const old = tenants.get('kappa')!.generation!
    expect(tenants.get('kappa', old)?.generation).toBe(old)
    deleteTenant(sqlite, 'kappa')
    insertTenant(sqlite, { name: 'kappa', packs: [], schemas: [], settings: {} })
    const fresh = (sqlite.query("SELECT generation FROM tenants WHERE name = 'kappa'").get() as { generation: string })
      .generation
    expect(fresh).not.toBe(old)
    // Within refreshMs the registry still serves the old life: the new tenant's token makes it read the rows again.
    expect(tenants.get('kappa', fresh)?.generation).toBe(fresh)
    // The removed tenant's token finds nothing, though a tenant of the name exists.
    expect(tenants.get('kappa', old)).toBeUndefined()
    now += 1000
    expect(tenants.get('kappa', old)).toBeUndefined()
    expect(tenants.get('kappa')?.generation).toBe(fresh)
  })
})

describe('a server of many tenants: the shared lookup cache', () => {
  test('is bounded by --cache-bytes, not by 10,000 entries: 3 tenants × 4,000 users all stay cached', async () => {
    const server = createScimServer({ db: ':memory:', durability: 'normal' })
    const names = ['a', 'b', 'c']
    for (const name of names) insertTenant(server.sqlite, { name, packs: [], schemas: [], settings: {} })
    server.tenantsChanged()
    const at = new Date().toISOString()
    const stores = names.map((name) => {
      const { store, registry: types } = server.tenants.require(name).deps
      return { store: syncStore(store), type: types.resourceType('User')! }
    })
    for (const { store, type } of stores)
      await store.write((tx) => {
        for (let i = 0; i < 4000; i++)
          tx.insert(type, {
            id: `${type.name}-${i}-${Math.random()}`,
            type: 'User',
            data: { userName: `u${i}@example.com` },
            version: 1,
            created: at,
            lastModified: at,
          })
      })
    // A key is admitted on its second miss; the third pass is answered from the cache or not.
    for (let pass = 0; pass < 2; pass++)
      for (const { store, type } of stores) for (let i = 0; i < 4000; i++) store.findByName(type, `u${i}@example.com`)
    const before = server.store.stats().lookupHits
    for (const { store, type } of stores) for (let i = 0; i < 4000; i++) store.findByName(type, `u${i}@example.com`)
    expect(server.store.stats().lookupHits - before).toBe(12_000)
    server.store.close()
  })
})
