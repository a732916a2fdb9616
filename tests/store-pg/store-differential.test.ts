// The same random sequence of writes on both stores: every answer and every resource as read afterwards are equal.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { foldCase } from '../../src/scim/case-fold'
import { URN_ENTERPRISE_USER } from '../../src/scim/constants'
import { ScimError } from '../../src/scim/errors'
import { parseAttrPath } from '../../src/scim/filter'
import { resolveAttribute } from '../../src/scim/filter/resolve'
import type { MemberOp } from '../../src/scim/patch/members'
import type { ResourceStore, StoredResource, WriteTx } from '../../src/service/context'
import { run } from '../../src/service/effect'
import { builtinRegistry, Rng, typeOf } from '../helpers/generate'
import { testPostgres } from '../helpers/postgres'
import { pgHarness, sqliteHarness, type StoreHarness } from './store-harness'

const server = await testPostgres()
const registry = builtinRegistry()
const User = typeOf(registry, 'User')
const Group = typeOf(registry, 'Group')
const NAMES = ['Ann', 'ann', 'Bob', 'Straße', 'STRASSE', 'Ωmega', 'zed', 'Émile', "o'neil", 'x_y%']
const USERS = Array.from({ length: 14 }, (_, i) => `u${String(i).padStart(2, '0')}`)
const GROUPS = Array.from({ length: 5 }, (_, i) => `g${i}`)

/** Everything a step answered, error or value, as plain data. */
async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await p }
  } catch (err) {
    if (err instanceof ScimError) return { status: err.status, scimType: err.scimType }
    throw err
  }
}

/** Runs `steps` random writes on `store` and returns what each answered. */
async function play(store: ResourceStore, seed: number, steps: number): Promise<unknown[]> {
  const rng = new Rng(seed)
  const answers: unknown[] = []
  let clock = 0
  const at = () => new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString()
  const pickUsers = () => USERS.filter(() => rng.chance(0.3))
  /** Existing users mostly; now and then an unknown id, which refuses the whole add. */
  const members = function* (tx: WriteTx) {
    const found = yield* tx.existing(USERS)
    const ids = pickUsers().filter((id) => found.has(id) || rng.chance(0.05))
    return ids.map((value) => ({ value, type: 'User' as const }))
  }
  // Weights: mostly inserts and membership changes, so groups fill up before deletes empty them.
  const KINDS = [0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 4, 4, 5, 5, 6]
  for (let step = 0; step < steps; step++) {
    const when = at()
    const kind = rng.pick(KINDS)
    const job = store.write(function* (tx) {
      switch (kind) {
        case 0: {
          const id = rng.pick(USERS)
          const data: Record<string, unknown> = { userName: `${rng.pick(NAMES)}${rng.int(3)}` }
          if (rng.chance(0.5)) data.displayName = rng.pick(NAMES)
          if (rng.chance(0.4)) data[URN_ENTERPRISE_USER] = { manager: { value: rng.pick(USERS) }, department: 'D' }
          const r: StoredResource = { id, type: 'User', data, version: 1, created: when, lastModified: when }
          return yield* tx.insert(User, r)
        }
        case 1: {
          const id = rng.pick(GROUPS)
          const r: StoredResource = {
            id,
            type: 'Group',
            data: { displayName: rng.pick(NAMES) },
            version: 1,
            created: when,
            lastModified: when,
          }
          return yield* tx.insert(Group, r, yield* members(tx))
        }
        case 2: {
          const g = yield* tx.get(Group, rng.pick(GROUPS))
          if (!g) return 'no group'
          const ops: MemberOp[] = []
          for (let n = rng.int(3) + 1; n > 0; n--) {
            const choice = rng.int(10)
            if (choice === 0) ops.push({ kind: 'clear' })
            else if (choice < 4) ops.push({ kind: 'remove', values: pickUsers() })
            else if (rng.chance(0.1)) ops.push({ kind: 'add', members: [{ value: rng.pick(GROUPS), type: 'Group' }] })
            else ops.push({ kind: 'add', members: yield* members(tx) })
          }
          return yield* tx.applyMemberOps(g, ops, when)
        }
        case 3: {
          const u = yield* tx.get(User, rng.pick(USERS))
          if (!u) return 'no user'
          const data = { ...u.data, displayName: rng.pick(NAMES), userName: `${rng.pick(NAMES)}${rng.int(3)}` }
          return yield* tx.update(User, u, { ...u, data, version: u.version + 1, lastModified: when })
        }
        case 4: {
          const g = yield* tx.get(Group, rng.pick(GROUPS))
          if (!g) return 'no group'
          return yield* tx.update(Group, g, {
            ...g,
            data: { displayName: rng.pick(NAMES) },
            version: g.version + 1,
            lastModified: when,
          })
        }
        case 5: {
          const u = yield* tx.get(User, rng.pick(USERS))
          return u ? yield* tx.delete(User, u, when) : 'no user'
        }
        default: {
          const g = yield* tx.get(Group, rng.pick(GROUPS))
          return g ? yield* tx.delete(Group, g, when) : 'no group'
        }
      }
    })
    answers.push(await outcome(job))
  }
  return answers
}

/** Every resource and membership as the store reads them, and a few sorted lists. */
async function snapshot(store: ResourceStore): Promise<unknown> {
  const rows = []
  for (const id of USERS) rows.push(await run(store.get(User, id)))
  for (const id of GROUPS) rows.push(await run(store.get(Group, id)), await run(store.members(id)))
  const lists = []
  for (const path of ['userName', 'displayName', 'meta.lastModified', 'meta.version', 'groups.display']) {
    const sortBy = resolveAttribute(parseAttrPath(path)!, User)
    for (const descending of [false, true])
      lists.push((await run(store.query(User, { sortBy, descending, startIndex: 1, count: 50 }))).rows.map((r) => r.id))
  }
  lists.push((await run(store.query(Group, { startIndex: 1, count: 50 }))).rows.map((r) => r.id))
  const lookups = []
  for (const name of NAMES) lookups.push((await run(store.findByName(User, foldCase(`${name}0`)))).map((r) => r.id))
  return { rows, lists, lookups }
}

describe.skipIf(!server)('store differential: SQLite and PostgreSQL', () => {
  let sqlite: StoreHarness
  let pg: StoreHarness
  beforeAll(async () => {
    sqlite = sqliteHarness()
    pg = await pgHarness(server!)
  })
  afterAll(async () => {
    await sqlite?.close()
    await pg?.close()
  })

  for (const seed of [1, 2, 3, 4, 5]) {
    test(`seed ${seed}: 300 random writes answer alike and leave the same resources`, async () => {
      await sqlite.reset()
      await pg.reset()
      const a = sqlite.open('default')
      const b = pg.open('default')
      const answersA = await play(a, seed, 300)
      const answersB = await play(b, seed, 300)
      expect(answersB).toEqual(answersA)
      expect(await snapshot(b)).toEqual(await snapshot(a))
    })
  }
})
