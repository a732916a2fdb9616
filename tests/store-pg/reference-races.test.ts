// Two replicas on one database: a delete racing a write that references the deleted row ends in a 400 or a cascade, never a 500 or a dangling reference.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { URN_ENTERPRISE_USER } from '../../src/scim/constants'
import { ScimError } from '../../src/scim/errors'
import type { StoredResource } from '../../src/service/context'
import { awaited, run } from '../../src/service/effect'
import { checkAgainstOthers } from '../../src/service/write-checks'
import { builtinRegistry, typeOf } from '../helpers/generate'
import { testPostgres } from '../helpers/postgres'
import { pgHarness, type StoreHarness } from './store-harness'

const server = await testPostgres()
const registry = builtinRegistry()
const User = typeOf(registry, 'User')
const Group = typeOf(registry, 'Group')
const at = (minute: number) => `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`
const row = (type: 'User' | 'Group', id: string, data: Record<string, unknown>): StoredResource => ({
  id,
  type,
  data,
  version: 1,
  created: at(0),
  lastModified: at(0),
})

/** A gate a job waits at, and the promise that says it got there. */
function gate() {
  let open!: () => void
  let reached!: () => void
  return {
    opened: new Promise<void>((r) => (open = r)),
    reachedAt: new Promise<void>((r) => (reached = r)),
    open: () => open(),
    reached: () => reached(),
  }
}

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'done',
    (err: unknown) => (err instanceof ScimError ? `${err.status} ${err.scimType}` : `not a SCIM error: ${String(err)}`)
  )

describe.skipIf(!server)('store-pg: references raced by a delete on another replica', () => {
  let h: StoreHarness
  let tenants = 0
  beforeAll(async () => {
    h = await pgHarness(server!)
  })
  afterAll(async () => {
    await h?.close()
  })

  /** Two stores of a fresh tenant, as two replicas have, with users u1, m1 and group g1. */
  async function replicas() {
    const tenant = `t${++tenants}`
    // Ids are unique across tenants (the primary key): each test's carry its tenant.
    const k = (name: string) => `${name}.${tenant}`
    const a = h.open(tenant)
    const b = h.open(tenant)
    await a.write(function* (tx) {
      yield* tx.insert(User, row('User', k('u1'), { userName: k('u1') }))
      yield* tx.insert(User, row('User', k('m1'), { userName: k('m1') }))
      yield* tx.insert(Group, row('Group', k('g1'), { displayName: k('g1') }))
    })
    /** Deletes `id` on replica b, waiting at `g` (its row lock held) before it commits. */
    const deleting = (id: string, g: ReturnType<typeof gate>) =>
      b.write(function* (tx) {
        yield* tx.delete(User, (yield* tx.get(User, id))!, at(2))
        g.reached()
        yield* awaited(g.opened)
      })
    /** Until `job` waits for a row lock, or has ended without waiting. */
    const waitForLock = async (job: Promise<unknown>) => {
      let ended = false
      void job.finally(() => (ended = true))
      while (!ended && (await h.lockWaiters!()) === 0) await Bun.sleep(5)
    }
    return { k, a, b, deleting, waitForLock }
  }

  test('adding a member the other replica is deleting: 400 invalidValue once the delete commits, never a foreign-key 500', async () => {
    const { k, a, deleting, waitForLock } = await replicas()
    const g = gate()
    const deleted = deleting(k('u1'), g)
    await g.reachedAt
    const added = outcome(
      a.write(function* (tx) {
        const group = (yield* tx.get(Group, k('g1')))!
        return yield* tx.applyMemberOps(group, [{ kind: 'add', members: [{ value: k('u1'), type: 'User' }] }], at(3))
      })
    )
    await waitForLock(added)
    g.open()
    await deleted
    expect(await added).toBe('400 invalidValue')
    expect(await run(a.members(k('g1')))).toEqual([])
  })

  test('a group created with a member the other replica is deleting: 400, and no group', async () => {
    const { k, a, deleting, waitForLock } = await replicas()
    const g = gate()
    const deleted = deleting(k('u1'), g)
    await g.reachedAt
    const created = outcome(
      a.write(function* (tx) {
        yield* tx.insert(Group, row('Group', k('g2'), { displayName: k('g2') }), [{ value: k('u1'), type: 'User' }])
      })
    )
    await waitForLock(created)
    g.open()
    await deleted
    expect(await created).toBe('400 invalidValue')
    expect(await run(a.get(Group, k('g2')))).toBeUndefined()
  })

  test('a user created with a manager the other replica is deleting: 400, never a dangling manager', async () => {
    const { k, a, deleting, waitForLock } = await replicas()
    const g = gate()
    const deleted = deleting(k('m1'), g)
    await g.reachedAt
    const data = { userName: k('r1'), [URN_ENTERPRISE_USER]: { manager: { value: k('m1') } } }
    const created = outcome(
      a.write(function* (tx) {
        yield* checkAgainstOthers(tx, User, undefined, data, k('r1'))
        yield* tx.insert(User, row('User', k('r1'), data))
      })
    )
    await waitForLock(created)
    g.open()
    await deleted
    expect(await created).toBe('400 invalidValue')
    expect(await run(a.get(User, k('r1')))).toBeUndefined()
  })

  test('the add first: the delete waits for it, then its cascade removes the member and changes the group', async () => {
    const { k, a, b, waitForLock } = await replicas()
    const g = gate()
    const added = a.write(function* (tx) {
      const group = (yield* tx.get(Group, k('g1')))!
      yield* tx.applyMemberOps(group, [{ kind: 'add', members: [{ value: k('u1'), type: 'User' }] }], at(3))
      yield* tx.update(Group, group, { ...group, version: 2, lastModified: at(3) })
      // A manager reference, taken in the same transaction.
      yield* checkAgainstOthers(
        tx,
        User,
        undefined,
        { userName: k('r1'), [URN_ENTERPRISE_USER]: { manager: { value: k('u1') } } },
        k('r1')
      )
      yield* tx.insert(
        User,
        row('User', k('r1'), { userName: k('r1'), [URN_ENTERPRISE_USER]: { manager: { value: k('u1') } } })
      )
      g.reached()
      yield* awaited(g.opened)
    })
    await g.reachedAt
    const deleted = outcome(
      b.write(function* (tx) {
        const u = yield* tx.get(User, k('u1'))
        return u ? yield* tx.delete(User, u, at(4)) : undefined
      })
    )
    await waitForLock(deleted)
    g.open()
    await added
    expect(await deleted).toBe('done')
    expect(await run(a.members(k('g1')))).toEqual([])
    const group = (await run(a.get(Group, k('g1'))))!
    expect([group.version, group.lastModified]).toEqual([3, at(4)])
    expect((await run(a.get(User, k('r1'))))!.data[URN_ENTERPRISE_USER]).toBeUndefined()
  })
})
