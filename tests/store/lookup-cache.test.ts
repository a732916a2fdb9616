// The lookup cache never serves a stale answer: random interleaved writes and reads, checked
// against uncached SQL after every step.
import { expect, test } from 'bun:test'
import { buildRegistry } from '../../src/scim/schema/builtin'
import type { MemberOp } from '../../src/scim/patch/members'
import type { StoredResource } from '../../src/service/context'
import { openDatabase } from '../../src/store/db'
import { LookupCache } from '../../src/store/lookup-cache'
import { createResourceStore } from '../../src/store/resource-store'
import { syncStore } from '../helpers/sync-store'

function prng(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
}

/** A store on a fresh in-memory database with a small cache, and a way to insert by name. */
function freshStore() {
  const { orm, sqlite } = openDatabase(':memory:', 'normal')
  const store = syncStore(createResourceStore(orm, sqlite, { cacheSize: 64 }))
  const registry = buildRegistry()
  const userType = registry.resourceType('User')!
  const groupType = registry.resourceType('Group')!
  const now = new Date().toISOString()
  const insert = (type: typeof userType, id: string, data: Record<string, unknown>) =>
    store.write((tx) => tx.insert(type, { id, type: type.name, data, version: 1, created: now, lastModified: now }))
  return { store, sqlite, userType, groupType, now, insert }
}

test('interleaved creates, renames, externalId changes and deletes never leave a stale lookup', async () => {
  const { store, sqlite, userType: type, now } = freshStore()
  const rand = prng(7)
  const names = Array.from({ length: 12 }, (_, i) => `Name${i}@Example.com`)
  const externals = Array.from({ length: 6 }, (_, i) => `ext-${i}`)
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!
  const truthByName = sqlite.query<{ id: string }, [string]>(
    "SELECT id FROM resources WHERE type = 'User' AND name_ci = ? ORDER BY rowid"
  )
  const truthByExternal = sqlite.query<{ id: string }, [string]>(
    "SELECT id FROM resources WHERE type = 'User' AND external_id = ? ORDER BY rowid"
  )
  let n = 0

  for (let step = 0; step < 3000; step++) {
    const roll = rand()
    const rows = sqlite.query<{ id: string }, []>('SELECT id FROM resources').all()
    if (roll < 0.3) {
      const row: StoredResource = {
        id: `id${n++}`,
        type: 'User',
        data: { userName: pick(names), externalId: pick(externals) },
        version: 1,
        created: now,
        lastModified: now,
      }
      await store.write((tx) => tx.insert(type, row)).catch(() => undefined) // duplicate userName: 409, fine
    } else if (roll < 0.5 && rows.length > 0) {
      const id = pick(rows).id
      await store
        .write((tx) => {
          const before = tx.get(type, id)!
          const data =
            rand() < 0.5 ? { ...before.data, userName: pick(names) } : { ...before.data, externalId: pick(externals) }
          tx.update(type, before, { ...before, data, version: before.version + 1 })
        })
        .catch(() => undefined)
    } else if (roll < 0.6 && rows.length > 0) {
      const id = pick(rows).id
      await store.write((tx) => tx.delete(type, tx.get(type, id)!, now))
    } else {
      const name = pick(names)
      expect(store.findByName(type, name.toLowerCase()).map((r) => r.id)).toEqual(
        truthByName.all(name.toLowerCase()).map((r) => r.id)
      )
      const ext = pick(externals)
      expect(store.findByExternalId(type, ext).map((r) => r.id)).toEqual(truthByExternal.all(ext).map((r) => r.id))
    }
  }
  const { lookupHits, lookupMisses } = store.stats()
  expect(lookupHits).toBeGreaterThan(0)
  expect(lookupMisses).toBeGreaterThan(0)
})

test('a lookup is cached from its second miss on, and a write still invalidates it', async () => {
  const { store, userType: type, insert, now } = freshStore()
  await insert(type, 'a', { userName: 'once' })
  const counts = () => {
    const { lookupHits, lookupMisses } = store.stats()
    return [lookupHits, lookupMisses]
  }
  // One-off lookups of many different names never enter the cache.
  for (let i = 0; i < 500; i++) store.findByName(type, `absent-${i}`)
  expect(counts()).toEqual([0, 500])
  store.findByName(type, 'once')
  store.findByName(type, 'once')
  expect(counts()).toEqual([0, 502])
  expect(store.findByName(type, 'once').map((r) => r.id)).toEqual(['a'])
  expect(counts()).toEqual([1, 502])
  await store.write((tx) => tx.delete(type, tx.get(type, 'a')!, now))
  expect(store.findByName(type, 'once')).toEqual([])
  expect(counts()).toEqual([1, 503])
})

test('lookups inside a write see its uncommitted rows but never cache them, so a failed job leaves no trace', async () => {
  const { store, userType: type, insert } = freshStore()
  await insert(type, 'a', { userName: 'kept' })
  for (let i = 0; i < 2; i++) store.findByName(type, 'kept')
  const failed = store.write((tx) => {
    const before = tx.get(type, 'a')!
    tx.update(type, before, { ...before, data: { userName: 'rolled-back' }, version: 2 })
    // Often enough that a cached lookup would have admitted the uncommitted row.
    for (let i = 0; i < 3; i++) expect(store.findByName(type, 'rolled-back').map((r) => r.version)).toEqual([2])
    throw new Error('job fails after its update')
  })
  await expect(failed).rejects.toThrow('job fails')
  for (let i = 0; i < 3; i++) {
    expect(store.findByName(type, 'kept').map((r) => r.version)).toEqual([1])
    expect(store.findByName(type, 'rolled-back')).toEqual([])
  }
})

test('an entry read before a membership change is reloaded with its groups, not served with stale ones', async () => {
  const { store, userType, groupType, insert, now } = freshStore()
  await insert(userType, 'u', { userName: 'member' })
  await insert(groupType, 'g', { displayName: 'Sales' })
  for (let i = 0; i < 3; i++) store.findByName(userType, 'member')
  expect(store.stats().lookupHits).toBe(1)
  await store.write((tx) =>
    tx.applyMemberOps(tx.get(groupType, 'g')!, [{ kind: 'add', members: [{ value: 'u', type: 'User' }] }], now)
  )
  const [row] = store.findByName(userType, 'member')
  expect(store.stats().lookupHits).toBe(1)
  // Fresh groups came with the row: groupsOf answers from them without another query.
  expect(store.groupsOf(row!)).toBe(row!.groupsRead!)
  expect(row!.groupsRead!).toEqual([{ value: 'g', type: 'Group', display: 'Sales' }])
  store.findByName(userType, 'member')
  expect(store.stats().lookupHits).toBe(2)
})

test('a read by id is cached from its second miss on, and every write that changes the row as served forgets it', async () => {
  const { store, userType, groupType, insert, now } = freshStore()
  await insert(userType, 'u', { userName: 'reader' })
  await insert(groupType, 'g', { displayName: 'Sales' })
  for (let i = 0; i < 3; i++) expect(store.get(userType, 'u')!.version).toBe(1)
  expect(store.stats().lookupHits).toBe(1)
  // The user's groups change through the group: the user's cached form goes.
  await store.write((tx) =>
    tx.applyMemberOps(tx.get(groupType, 'g')!, [{ kind: 'add', members: [{ value: 'u', type: 'User' }] }], now)
  )
  const read = store.get(userType, 'u')!
  expect(read.version).toBe(2)
  expect(read.groupsRead).toEqual([{ value: 'g', type: 'Group', display: 'Sales' }])
  // A rename of the group changes the display the user serves.
  for (let i = 0; i < 2; i++) store.get(userType, 'u')
  await store.write((tx) => {
    const g = tx.get(groupType, 'g')!
    tx.update(groupType, g, { ...g, data: { displayName: 'Support' }, version: g.version + 1 })
  })
  expect(store.get(userType, 'u')!.groupsRead).toEqual([{ value: 'g', type: 'Group', display: 'Support' }])
  // A miss is cached too, and the insert of that id forgets it.
  for (let i = 0; i < 3; i++) expect(store.get(userType, 'late')).toBeUndefined()
  await insert(userType, 'late', { userName: 'late' })
  expect(store.get(userType, 'late')!.data.userName).toBe('late')
  await store.write((tx) => tx.delete(userType, tx.get(userType, 'late')!, now))
  expect(store.get(userType, 'late')).toBeUndefined()
})

test('interleaved writes to users and groups never leave a stale read by id', async () => {
  const { store, sqlite, userType, groupType, now } = freshStore()
  const rand = prng(11)
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!
  const truth = sqlite.query<{ version: number; data: string }, [string]>(
    'SELECT version, data FROM resources WHERE id = ?'
  )
  const ids = { User: Array.from({ length: 8 }, (_, i) => `u${i}`), Group: ['g0', 'g1', 'g2'] }
  let n = 0
  for (let step = 0; step < 3000; step++) {
    const roll = rand()
    const isGroup = rand() < 0.4
    const type = isGroup ? groupType : userType
    const id = pick(isGroup ? ids.Group : ids.User)
    await store
      .write((tx) => {
        const before = tx.get(type, id)
        if (roll < 0.25) {
          const data = isGroup ? { displayName: `G${n++}` } : { userName: `n${n++}` }
          if (!before) tx.insert(type, { id, type: type.name, data, version: 1, created: now, lastModified: now })
          else tx.update(type, before, { ...before, data, version: before.version + 1 })
        } else if (roll < 0.35 && before) tx.delete(type, before, now)
        else if (roll < 0.55) {
          const g = tx.get(groupType, pick(ids.Group))
          const value = pick(ids.User)
          const op: MemberOp =
            rand() < 0.6 ? { kind: 'add', members: [{ value, type: 'User' }] } : { kind: 'remove', values: [value] }
          if (g) tx.applyMemberOps(g, [op], now)
        }
      })
      .catch(() => undefined)
    for (const probe of [pick(ids.User), pick(ids.Group)]) {
      const t = probe.startsWith('g') ? groupType : userType
      const want = truth.get(probe)
      const got = store.get(t, probe)
      expect(got === undefined ? undefined : { version: got.version, data: got.data }).toEqual(
        want === null ? undefined : { version: want.version, data: JSON.parse(want.data) }
      )
      if (got && t === userType) expect(got.groupsRead).toEqual(store.groupsOf({ ...got, groupsRead: undefined }))
    }
  }
  expect(store.stats().lookupHits).toBeGreaterThan(0)
})

test('stores of two tenants sharing one lookup cache never answer a read by id with the other tenant’s row', async () => {
  const { orm, sqlite } = openDatabase(':memory:', 'normal')
  sqlite.run("INSERT INTO tenants (name, created) VALUES ('b', '2026-01-01T00:00:00.000Z')")
  const lookups = new LookupCache(1000, 1 << 20)
  const a = syncStore(createResourceStore(orm, sqlite, { tenant: 'default', lookups }))
  const b = syncStore(createResourceStore(orm, sqlite, { tenant: 'b', lookups }))
  const type = buildRegistry().resourceType('User')!
  const now = new Date().toISOString()
  await a.write((tx) =>
    tx.insert(type, { id: 'x', type: 'User', data: { userName: 'x' }, version: 1, created: now, lastModified: now })
  )
  for (let i = 0; i < 3; i++) {
    expect(a.get(type, 'x')?.id).toBe('x')
    expect(b.get(type, 'x')).toBeUndefined()
  }
  expect(a.stats().lookupHits).toBeGreaterThan(0)
})
