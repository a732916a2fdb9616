// A user read with its groups (one statement) never shows stale groups: random interleaved
// membership changes, group renames and deletes, checked against uncached SQL after every step.
import { expect, test } from 'bun:test'
import { buildRegistry } from '../../src/scim/schema/builtin'
import type { StoredResource } from '../../src/service/context'
import { openDatabase } from '../../src/store/db'
import { createResourceStore } from '../../src/store/resource-store'
import { syncStore } from '../helpers/sync-store'

function prng(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
}

test('groups read with a user, also through the lookup cache, are never stale', async () => {
  const { orm, sqlite } = openDatabase(':memory:', 'normal')
  const store = syncStore(createResourceStore(orm, sqlite, { cacheSize: 64 }))
  const registry = buildRegistry()
  const userType = registry.resourceType('User')!
  const groupType = registry.resourceType('Group')!
  const rand = prng(11)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!
  const now = new Date().toISOString()
  const row = (id: string, type: string, data: Record<string, unknown>): StoredResource => ({
    id,
    type,
    data,
    version: 1,
    created: now,
    lastModified: now,
  })
  const truth = sqlite.query<{ value: string; display: string }, [string]>(
    "SELECT m.group_id AS value, json_extract(g.data, '$.displayName') AS display FROM group_members m JOIN resources g ON g.id = m.group_id WHERE m.member_id = ?"
  )
  const sorted = (refs: readonly { value: string; display?: string }[]) =>
    refs.map((r) => `${r.value}=${r.display}`).sort()

  const users = Array.from({ length: 8 }, (_, i) => `u${i}`)
  for (const id of users)
    await store.write((tx) =>
      tx.insert(userType, row(id, 'User', { userName: `${id}@example.com`, externalId: `x-${id}` }))
    )
  let groups: string[] = []
  let n = 0
  let prefetchedUsed = 0

  for (let step = 0; step < 2000; step++) {
    const roll = rand()
    if (roll < 0.1 || groups.length === 0) {
      const id = `g${n++}`
      await store.write((tx) =>
        tx.insert(groupType, row(id, 'Group', { displayName: `Group ${id}` }), [{ value: pick(users), type: 'User' }])
      )
      groups.push(id)
    } else if (roll < 0.3) {
      const g = pick(groups)
      await store.write((tx) =>
        tx.applyMemberOps(
          tx.get(groupType, g)!,
          [{ kind: 'add', members: [{ value: pick(users), type: 'User' }] }],
          now
        )
      )
    } else if (roll < 0.4) {
      const g = pick(groups)
      await store.write((tx) =>
        tx.applyMemberOps(tx.get(groupType, g)!, [{ kind: 'remove', values: [pick(users)] }], now)
      )
    } else if (roll < 0.47) {
      const g = pick(groups)
      await store.write((tx) => {
        const before = tx.get(groupType, g)!
        tx.update(groupType, before, {
          ...before,
          data: { displayName: `Renamed ${step}` },
          version: before.version + 1,
        })
      })
    } else if (roll < 0.5) {
      const g = pick(groups)
      await store.write((tx) => tx.delete(groupType, tx.get(groupType, g)!, now))
      groups = groups.filter((x) => x !== g)
    } else {
      const u = pick(users)
      const read = [
        store.get(userType, u)!,
        ...store.findByName(userType, `${u}@example.com`),
        ...store.findByExternalId(userType, `x-${u}`),
      ]
      for (const r of read) {
        if (r.groupsRead !== undefined && store.groupsOf(r) === r.groupsRead) prefetchedUsed++
        expect(sorted(store.groupsOf(r))).toEqual(sorted(truth.all(u)))
      }
    }
  }
  // The snapshot path was exercised, not only the fallback query.
  expect(prefetchedUsed).toBeGreaterThan(100)
})
