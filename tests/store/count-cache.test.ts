// Filtered totals are reused only until the next write: random interleaved writes, each count
// checked against the same filter compiled afresh (which the cache has never seen).
import { expect, test } from 'bun:test'
import { buildRegistry } from '../../src/scim/schema/builtin'
import type { StoredResource } from '../../src/service/context'
import { FilterCache } from '../../src/service/filter-cache'
import { openDatabase } from '../../src/store/db'
import { createResourceStore } from '../../src/store/resource-store'
import { syncStore } from '../helpers/sync-store'

function prng(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
}

test('a filtered total never outlives a write that changes it', async () => {
  const { orm, sqlite } = openDatabase(':memory:', 'normal')
  const store = syncStore(createResourceStore(orm, sqlite))
  const registry = buildRegistry()
  const userType = registry.resourceType('User')!
  const groupType = registry.resourceType('Group')!
  const cached = new FilterCache()
  const rand = prng(3)
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
  const userFilters = [
    'userName sw "a" and active eq true',
    'emails[type eq "work"] or title pr',
    'not (active eq true)',
  ]
  const groupFilters = ['members.value eq "u1" or members.value eq "u2"', 'displayName sw "g"']
  const users = Array.from({ length: 12 }, (_, i) => `u${i}`)
  for (const id of users)
    await store.write((tx) =>
      tx.insert(userType, row(id, 'User', { userName: `${pick(['a', 'b'])}${id}`, active: true }))
    )
  const groups: string[] = []
  let reused = 0

  const total = (type: typeof userType, filter: object) =>
    store.query(type, { filter: filter as never, startIndex: 1, count: 0 }).total
  for (let step = 0; step < 1500; step++) {
    const roll = rand()
    if (roll < 0.25) {
      const id = pick(users)
      await store.write((tx) => {
        const before = tx.get(userType, id)!
        const data = {
          ...before.data,
          active: rand() < 0.5,
          ...(rand() < 0.5 ? { title: 'x' } : {}),
          emails: rand() < 0.5 ? [{ value: 'e@x', type: pick(['work', 'home']) }] : [],
        }
        tx.update(userType, before, { ...before, data, version: before.version + 1 })
      })
    } else if (roll < 0.35) {
      const id = `g${step}`
      await store.write((tx) => tx.insert(groupType, row(id, 'Group', { displayName: `${pick(['g', 'h'])}${step}` })))
      groups.push(id)
    } else if (roll < 0.5 && groups.length > 0) {
      const g = pick(groups)
      const kind = rand() < 0.5 ? 'add' : 'remove'
      await store.write((tx) =>
        tx.applyMemberOps(
          tx.get(groupType, g)!,
          kind === 'add'
            ? [{ kind, members: [{ value: pick(users), type: 'User' }] }]
            : [{ kind, values: [pick(users)] }],
          now
        )
      )
    } else if (roll < 0.55 && groups.length > 0) {
      const g = groups.splice(Math.floor(rand() * groups.length), 1)[0]!
      await store.write((tx) => tx.delete(groupType, tx.get(groupType, g)!, now))
    } else {
      for (const [type, texts] of [
        [userType, userFilters],
        [groupType, groupFilters],
      ] as const) {
        const text = pick(texts)
        const compiled = cached.compile(type, text).resolved
        const first = total(type, compiled)
        if (total(type, compiled) === first) reused++
        expect(first).toBe(total(type, new FilterCache().compile(type, text).resolved))
      }
    }
  }
  expect(reused).toBeGreaterThan(500)
})
