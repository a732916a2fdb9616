// One contract for both stores, through the one ResourceStore interface: SQLite and PostgreSQL give the same results.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { diffDocuments } from '../../src/journal/diff'
import type { JournalDraft } from '../../src/journal/types'
import { foldCase } from '../../src/scim/case-fold'
import { URN_ENTERPRISE_USER } from '../../src/scim/constants'
import { ScimError } from '../../src/scim/errors'
import { parseAttrPath, parseFilter } from '../../src/scim/filter'
import { resolveAttribute, resolveFilter } from '../../src/scim/filter/resolve'
import type { ResourceStore, StoredResource } from '../../src/service/context'
import { awaited, run } from '../../src/service/effect'
import { builtinRegistry, typeOf } from '../helpers/generate'
import { testPostgres } from '../helpers/postgres'
import { pgHarness, sqliteHarness, type StoreHarness } from './store-harness'

const server = await testPostgres()
const registry = builtinRegistry()
const User = typeOf(registry, 'User')
const Group = typeOf(registry, 'Group')
const T0 = '2026-01-01T00:00:00.000Z'
const at = (minute: number) => `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`

function row(type: 'User' | 'Group', id: string, data: Record<string, unknown>, minute = 0): StoredResource {
  return { id, type, data, version: 1, created: T0, lastModified: at(minute) }
}
const user = (id: string, userName: string, more: Record<string, unknown> = {}, minute = 0) =>
  row('User', id, { userName, ...more }, minute)
const group = (id: string, displayName: string, minute = 0) => row('Group', id, { displayName }, minute)

function created(r: StoredResource): JournalDraft {
  return {
    at: r.lastModified,
    actor: null,
    requestId: null,
    op: 'create',
    resourceType: r.type,
    resourceId: r.id,
    versionBefore: null,
    versionAfter: r.version,
    changes: diffDocuments(undefined, r.data),
    compat: [],
    cascade: false,
  }
}

/** The error a job was refused with. */
async function refusal(p: Promise<unknown>): Promise<ScimError> {
  try {
    await p
  } catch (err) {
    if (err instanceof ScimError) return err
    throw err
  }
  throw new Error('the write was not refused')
}

const filterOf = (text: string) => resolveFilter(parseFilter(text), User)
const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id)
/** What a resource is without the time of the read: its version, document and groups. */
const shown = (r: StoredResource | undefined) =>
  r && { id: r.id, version: r.version, data: r.data, lastModified: r.lastModified, groups: r.groupsRead }
/** What `shown` gives for `r` when it is a user in no group. */
const ungrouped = (r: StoredResource) => ({ ...shown(r)!, groups: [] })

const kinds: [string, () => Promise<StoreHarness | undefined>][] = [
  ['SQLite', async () => sqliteHarness()],
  ['PostgreSQL', async () => (server ? await pgHarness(server) : undefined)],
]

for (const [kind, make] of kinds) {
  describe.skipIf(kind === 'PostgreSQL' && !server)(`store contract: ${kind}`, () => {
    let harness: StoreHarness
    let tenants = 0
    /** A store over a tenant of its own (ids are unique across tenants, so the tables start empty). */
    const fresh = (): ResourceStore => harness.open(`t${++tenants}`)
    const insertAll = (store: ResourceStore, rows: StoredResource[]) =>
      store.write(function* (tx) {
        for (const r of rows) yield* tx.insert(r.type === 'User' ? User : Group, r)
      })

    beforeAll(async () => {
      harness = (await make())!
    })
    afterAll(async () => {
      await harness?.close()
    })
    beforeEach(async () => {
      await harness.reset()
    })

    test('a store of a tenant removed since it was opened writes nothing: 404, no row, no journal entry', async () => {
      const store = harness.open('gone')
      const error = await refusal(insertAll(store, [user('u-gone', 'gone@example.com')]))
      expect(error.status).toBe(404)
      expect(await run(store.get(User, 'u-gone'))).toBeUndefined()
      expect(await harness.verify('gone')).toMatchObject({ ok: true })
    })

    test('create, get, replace, delete', async () => {
      const store = fresh()
      const ann = user('u1', 'Ann', { title: 'Engineer' })
      await store.write((tx) => tx.insert(User, ann))
      expect(shown(await run(store.get(User, 'u1')))).toEqual(ungrouped(ann))
      expect(await run(store.get(Group, 'u1'))).toBeUndefined()
      const replaced = { ...ann, data: { userName: 'Ann', title: 'Manager' }, version: 2, lastModified: at(1) }
      await store.write(function* (tx) {
        return yield* tx.update(User, (yield* tx.get(User, 'u1'))!, replaced)
      })
      expect(shown(await run(store.get(User, 'u1')))).toEqual(ungrouped(replaced))
      const cascades = await store.write(function* (tx) {
        return yield* tx.delete(User, (yield* tx.get(User, 'u1'))!, at(2))
      })
      expect(cascades).toEqual([])
      expect(await run(store.get(User, 'u1'))).toBeUndefined()
    })

    // What a uniqueness check and a delete's journal entry read inside a job: on PostgreSQL the
    // pool's other connections would not see the job's uncommitted rows.
    test("a job's query and members read through its own transaction: they see its writes", async () => {
      const store = fresh()
      const seen = await store.write(function* (tx) {
        yield* tx.insert(User, user('u1', 'ann', { title: 'T' }))
        yield* tx.insert(Group, group('g1', 'Ops'), [{ value: 'u1', type: 'User' }])
        const titled = yield* tx.query(User, { filter: filterOf('title eq "T"'), startIndex: 1, count: 0 })
        return { total: titled.total, members: yield* tx.members('g1') }
      })
      expect(seen).toEqual({ total: 1, members: [{ value: 'u1', type: 'User', display: 'ann' }] })
    })

    test('a job that throws changes nothing', async () => {
      const store = fresh()
      const failed = store.write(function* (tx) {
        yield* tx.insert(User, user('u1', 'ann'))
        throw ScimError.invalidValue('changed my mind')
      })
      expect((await refusal(failed)).status).toBe(400)
      expect(await run(store.get(User, 'u1'))).toBeUndefined()
    })

    test('uniqueness: a folded userName or an id taken is 409 uniqueness, per tenant', async () => {
      const store = fresh()
      await insertAll(store, [user('u1', 'Straße')])
      const sameName = await refusal(insertAll(store, [user('u2', 'STRASSE')]))
      expect([sameName.status, sameName.scimType]).toEqual([409, 'uniqueness'])
      const sameId = await refusal(insertAll(store, [group('u1', 'Admins')]))
      expect([sameId.status, sameId.scimType]).toEqual([409, 'uniqueness'])
      expect(await run(store.get(User, 'u2'))).toBeUndefined()
      // Groups may share a displayName; another tenant may reuse a userName.
      await insertAll(store, [group('g1', 'Ops'), group('g2', 'ops')])
      await insertAll(fresh(), [user('v1', 'Straße')])
      expect(ids(await run(store.findByName(User, 'strasse')))).toEqual(['u1'])
    })

    test('lookups: folded userName and displayName, exact externalId, in insertion order', async () => {
      const store = fresh()
      await insertAll(store, [
        user('u1', 'Straße', { externalId: 'E1' }),
        group('g1', 'Ops'),
        group('g2', 'OPS'),
        user('u2', 'bob', { externalId: 'e1' }),
      ])
      expect(ids(await run(store.findByName(User, foldCase('STRASSE'))))).toEqual(['u1'])
      expect(ids(await run(store.findByName(Group, foldCase('ops'))))).toEqual(['g1', 'g2'])
      expect(ids(await run(store.findByExternalId(User, 'E1')))).toEqual(['u1'])
      expect(ids(await run(store.findByExternalId(User, 'e1')))).toEqual(['u2'])
      expect(await run(store.findByName(User, 'nobody'))).toEqual([])
    })

    test('query: filter, sort, startIndex/count, totals, keyset cursors, byte budget', async () => {
      const store = fresh()
      const titles = ['Engineer', 'engineer', 'Manager', 'VP Sales', undefined, 'Senior Engineer']
      await insertAll(
        store,
        titles.map((title, i) =>
          user(`u${i}`, `user${(7 * i) % 6}`, title === undefined ? {} : { title, emails: [{ value: `x${i}@a.b` }] }, i)
        )
      )
      const all = await run(store.query(User, { startIndex: 1, count: 10 }))
      expect(all.total).toBe(6)
      // No sortBy: folded userName order.
      expect(ids(all.rows)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5'])
      const eng = filterOf('title co "eng"')
      expect(ids((await run(store.query(User, { filter: eng, startIndex: 1, count: 10 }))).rows)).toEqual([
        'u0',
        'u1',
        'u5',
      ])
      const byTitle = resolveAttribute(parseAttrPath('title')!, User)
      const sorted = await run(store.query(User, { sortBy: byTitle, descending: true, startIndex: 2, count: 3 }))
      // caseExact:false text sorts folded; descending puts the resource without a title first.
      expect([sorted.total, ids(sorted.rows)]).toEqual([6, ['u3', 'u5', 'u2']])
      const ascending = await run(store.query(User, { sortBy: byTitle, startIndex: 1, count: 10 }))
      expect(ids(ascending.rows)).toEqual(['u0', 'u1', 'u2', 'u5', 'u3', 'u4'])
      const withEmail = await run(store.query(User, { filter: filterOf('emails pr'), startIndex: 1, count: 0 }))
      expect(withEmail).toEqual({ total: 5, rows: [] })
      const after = await run(store.query(User, { keyset: { id: 'u1', direction: 'after' }, startIndex: 1, count: 2 }))
      expect([after.total, ids(after.rows)]).toEqual([6, ['u2', 'u3']])
      const before = await run(
        store.query(User, {
          filter: eng,
          keyset: { id: 'u5', direction: 'before' },
          startIndex: 1,
          count: 5,
        })
      )
      expect([before.total, ids(before.rows)]).toEqual([3, ['u1', 'u0']])
      // About 70 bytes a document: the second passes the budget and is the last returned.
      const budget = await run(store.query(User, { startIndex: 1, count: 10, maxBytes: 100 }))
      expect(ids(budget.rows)).toEqual(['u0', 'u1'])
      expect(ids(await run(store.recentlyModified(User, 2)))).toEqual(['u5', 'u4'])
      expect(await run(store.modifiedSince(User, at(3)))).toBe(2)
    })

    test('query totals at every paging edge: last page part full, past the end, a full page, no match, a cut budget', async () => {
      const store = fresh()
      await insertAll(
        store,
        Array.from({ length: 5 }, (_, i) => user(`p${i}`, `pager${i}`, i < 3 ? { title: 'T' } : {}, i))
      )
      const page = async (startIndex: number, count: number, more: { title?: boolean; maxBytes?: number } = {}) => {
        const { total, rows } = await run(
          store.query(User, {
            filter: more.title ? filterOf('title eq "T"') : undefined,
            startIndex,
            count,
            maxBytes: more.maxBytes,
          })
        )
        return [total, ids(rows)]
      }
      expect(await page(1, 10)).toEqual([5, ['p0', 'p1', 'p2', 'p3', 'p4']])
      expect(await page(4, 10)).toEqual([5, ['p3', 'p4']])
      expect(await page(3, 2)).toEqual([5, ['p2', 'p3']])
      expect(await page(5, 1)).toEqual([5, ['p4']])
      expect(await page(6, 10)).toEqual([5, []])
      expect(await page(100, 3)).toEqual([5, []])
      expect(await page(2, 10, { title: true })).toEqual([3, ['p1', 'p2']])
      expect(await page(4, 10, { title: true })).toEqual([3, []])
      expect(await page(1, 10, { maxBytes: 1 })).toEqual([5, ['p0']])
      expect(await page(2, 2, { maxBytes: 1 })).toEqual([5, ['p1']])
      // A read the budget ended says so (a cursor page then has a next one); one it did not, not.
      expect((await run(store.query(User, { startIndex: 1, count: 10, maxBytes: 1 }))).cut).toBe(true)
      expect((await run(store.query(User, { startIndex: 1, count: 10, maxBytes: 1_000_000 }))).cut).toBe(false)
      const none = await run(store.query(User, { filter: filterOf('title eq "none"'), startIndex: 1, count: 10 }))
      expect(none).toMatchObject({ total: 0, rows: [] })
      expect(none.cut).toBeFalsy()
      const past = await run(store.query(User, { filter: filterOf('title eq "none"'), startIndex: 3, count: 10 }))
      expect(past).toMatchObject({ total: 0, rows: [] })
    })

    test('one shape of query with new values each time finds what each value names', async () => {
      const store = fresh()
      const other = fresh()
      await insertAll(store, [
        user('s1', 'alpha', { title: 'Engineer', active: true, emails: [{ value: 'x1@a.b' }] }, 1),
        user('s2', 'beta', { title: 'Banana', active: false, emails: [{ value: 'x2@a.b' }] }, 3),
        user('s3', 'alpine', { title: 'Engineer', active: false }, 5),
      ])
      await insertAll(other, [user('o1', 'alto', { title: 'Engineer' })])
      // In folded userName order: alpha, alpine, beta.
      const found = async (text: string, on = store) =>
        ids((await run(on.query(User, { filter: filterOf(text), startIndex: 1, count: 10 }))).rows)
      for (const [text, want] of [
        ['userName sw "al"', ['s1', 's3']],
        ['userName sw "be"', ['s2']],
        ['userName sw "zz"', []],
        ['title co "ng"', ['s1', 's3']],
        ['title co "ana"', ['s2']],
        ['emails[value eq "x1@a.b"]', ['s1']],
        ['emails[value eq "x2@a.b"]', ['s2']],
        ['title eq "Engineer" and userName eq "alpine"', ['s3']],
        ['title eq "Banana" and userName eq "beta"', ['s2']],
        ['title eq "Banana" and userName eq "alpine"', []],
        ['meta.lastModified gt "2026-01-01T00:02:00Z"', ['s3', 's2']],
        ['meta.lastModified gt "2026-01-01T00:04:00Z"', ['s3']],
        ['active eq true', ['s1']],
        ['active eq false', ['s3', 's2']],
      ] as const)
        expect([text, await found(text)]).toEqual([text, [...want]])
      expect(await found('userName sw "al"', other)).toEqual(['o1'])
      const after = (id: string) =>
        run(store.query(User, { keyset: { id, direction: 'after' }, startIndex: 1, count: 5 }))
      expect(ids((await after('s1')).rows)).toEqual(['s2', 's3'])
      expect(ids((await after('s2')).rows)).toEqual(['s3'])
    })

    test('members: rows with display, version bumps of the users and groups that show a change', async () => {
      const store = fresh()
      await insertAll(store, [user('u1', 'ann', { displayName: 'Ann A' }), user('u2', 'bob'), user('u3', 'cy')])
      const added = await store.write((tx) =>
        tx.insert(Group, group('g1', 'Ops', 1), [
          { value: 'u2', type: 'User' },
          { value: 'u1', type: 'User' },
        ])
      )
      expect(added).toEqual([
        { id: 'u2', type: 'User', added: true },
        { id: 'u1', type: 'User', added: true },
      ])
      expect(await run(store.members('g1'))).toEqual([
        { value: 'u2', type: 'User', display: 'bob' },
        { value: 'u1', type: 'User', display: 'Ann A' },
      ])
      expect(await run(store.memberPage('g1', 1))).toEqual({
        total: 2,
        rows: [{ value: 'u2', type: 'User', display: 'bob' }],
      })
      // A user's groups are part of it as served: joining gave u1 a new version.
      const u1 = await run(store.get(User, 'u1'))
      expect([u1!.version, u1!.lastModified, u1!.groupsRead]).toEqual([
        2,
        at(1),
        [{ value: 'g1', type: 'Group', display: 'Ops' }],
      ])
      expect(await run(store.groupsOf((await run(store.get(User, 'u3')))!))).toEqual([])
      const g1 = (await run(store.get(Group, 'g1')))!
      const moved = await store.write((tx) =>
        tx.applyMemberOps(
          g1,
          [
            {
              kind: 'add',
              members: [
                { value: 'u3', type: 'User' },
                { value: 'u2', type: 'User' },
              ],
            },
            { kind: 'remove', values: ['u1', 'u9'] },
          ],
          at(2)
        )
      )
      expect(moved).toEqual([
        { id: 'u3', type: 'User', added: true },
        { id: 'u1', type: 'User', added: false },
      ])
      expect((await run(store.members('g1'))).map((m) => m.value)).toEqual(['u2', 'u3'])
      expect([(await run(store.get(User, 'u1')))!.version, (await run(store.get(User, 'u2')))!.version]).toEqual([3, 2])
      // Re-adding and removing the absent change nothing.
      const none = await store.write((tx) =>
        tx.applyMemberOps(
          g1,
          [
            { kind: 'add', members: [{ value: 'u3', type: 'User' }] },
            { kind: 'remove', values: ['u1'] },
          ],
          at(3)
        )
      )
      expect(none).toEqual([])
      // A member's new display name is part of the group as served: the group gets a new version.
      const u2 = (await run(store.get(User, 'u2')))!
      await store.write((tx) =>
        tx.update(User, u2, { ...u2, data: { userName: 'bobby' }, version: u2.version + 1, lastModified: at(4) })
      )
      const after = (await run(store.get(Group, 'g1')))!
      expect([after.version, after.lastModified]).toEqual([2, at(4)])
      expect((await run(store.members('g1')))[0]).toEqual({ value: 'u2', type: 'User', display: 'bobby' })
      const unknown = await refusal(
        store.write((tx) =>
          tx.applyMemberOps(after, [{ kind: 'add', members: [{ value: 'nope', type: 'User' }] }], at(5))
        )
      )
      expect([unknown.status, unknown.scimType]).toEqual([400, 'invalidValue'])
      const self = await refusal(
        store.write((tx) =>
          tx.applyMemberOps(after, [{ kind: 'add', members: [{ value: 'g1', type: 'Group' }] }], at(5))
        )
      )
      expect(self.status).toBe(400)
      expect(await store.write((tx) => tx.existing(['u1', 'g1', 'nope']))).toEqual(
        new Map([
          ['u1', 'User'],
          ['g1', 'Group'],
        ])
      )
      const removedAll = await store.write((tx) => tx.applyMemberOps(after, [{ kind: 'clear' }], at(6)))
      expect(removedAll.map((c) => [c.id, c.added])).toEqual([
        ['u2', false],
        ['u3', false],
      ])
    })

    test('members a removal or clear takes are reported in id order, whatever order the database returns them in', async () => {
      const store = fresh()
      await insertAll(store, [user('u1', 'ann'), user('u2', 'bob'), user('u3', 'cy'), group('g1', 'Ops')])
      const add = (ids: string[]) => ({
        kind: 'add' as const,
        members: ids.map((value) => ({ value, type: 'User' as const })),
      })
      // Rows go in as u3, u1, u2: a table walked in insertion order returns them so.
      const g1 = (await run(store.get(Group, 'g1')))!
      await store.write((tx) => tx.applyMemberOps(g1, [add(['u3', 'u1', 'u2'])], at(1)))
      const removed = await store.write((tx) =>
        tx.applyMemberOps(g1, [{ kind: 'remove', values: ['u2', 'u3', 'u1'] }], at(2))
      )
      expect(removed.map((c) => c.id)).toEqual(['u1', 'u2', 'u3'])
      await store.write((tx) => tx.applyMemberOps(g1, [add(['u3', 'u1', 'u2'])], at(3)))
      const cleared = await store.write((tx) => tx.applyMemberOps(g1, [{ kind: 'clear' }], at(4)))
      expect(cleared.map((c) => c.id)).toEqual(['u1', 'u2', 'u3'])
    })

    test('delete cascades: groups lose the member, reports lose their manager, each with a new version', async () => {
      const store = fresh()
      const manager = (value: string) => ({ [URN_ENTERPRISE_USER]: { manager: { value } } })
      await insertAll(store, [
        user('boss', 'boss'),
        user('r1', 'r1', manager('boss')),
        user('r2', 'r2', { [URN_ENTERPRISE_USER]: { manager: { value: 'boss' }, department: 'Ops' } }),
        user('r3', 'r3', manager('r1')),
      ])
      await store.write((tx) =>
        tx.insert(Group, group('g1', 'Ops'), [
          { value: 'boss', type: 'User' },
          { value: 'r1', type: 'User' },
        ])
      )
      const cascades = await store.write(function* (tx) {
        return yield* tx.delete(User, (yield* tx.get(User, 'boss'))!, at(9))
      })
      const byId = [...cascades].sort((a, b) => a.id.localeCompare(b.id))
      expect(byId).toEqual([
        {
          type: 'Group',
          id: 'g1',
          versionBefore: 1,
          versionAfter: 2,
          changes: [{ path: 'members[value eq "boss"]', before: { value: 'boss', type: 'User' } }],
        },
        {
          type: 'User',
          id: 'r1',
          versionBefore: 2,
          versionAfter: 3,
          changes: [{ path: `${URN_ENTERPRISE_USER}:manager.value`, before: 'boss' }],
        },
        {
          type: 'User',
          id: 'r2',
          versionBefore: 1,
          versionAfter: 2,
          changes: [{ path: `${URN_ENTERPRISE_USER}:manager.value`, before: 'boss' }],
        },
      ])
      expect((await run(store.get(User, 'r1')))!.data).toEqual({ userName: 'r1' })
      expect((await run(store.get(User, 'r2')))!.data).toEqual({
        userName: 'r2',
        [URN_ENTERPRISE_USER]: { department: 'Ops' },
      })
      expect((await run(store.get(User, 'r3')))!.data).toEqual({ userName: 'r3', ...manager('r1') })
      expect(await run(store.members('g1'))).toEqual([{ value: 'r1', type: 'User', display: 'r1' }])
      expect((await run(store.get(Group, 'g1')))!.lastModified).toBe(at(9))
      // Deleting a group: its members' `groups` change, with a new version each; no cascade.
      const groupGone = await store.write(function* (tx) {
        return yield* tx.delete(Group, (yield* tx.get(Group, 'g1'))!, at(10))
      })
      expect(groupGone).toEqual([])
      const r1 = (await run(store.get(User, 'r1')))!
      expect([r1.version, r1.groupsRead]).toEqual([4, []])
    })

    test("concurrent updates of one row: each job reads the last one's result, no update is lost", async () => {
      const store = fresh()
      await insertAll(store, [user('u1', 'ann', { title: '0' })])
      const bump = () =>
        store.write(function* (tx) {
          const before = (yield* tx.get(User, 'u1'))!
          const n = Number(before.data.title) + 1
          yield* tx.update(User, before, {
            ...before,
            data: { ...before.data, title: String(n) },
            version: before.version + 1,
          })
        })
      await Promise.all(Array.from({ length: 8 }, bump))
      const after = (await run(store.get(User, 'u1')))!
      expect([after.data.title, after.version]).toEqual(['8', 9])
    })

    test('a second writer of a locked row waits for the first to commit, then reads its result', async () => {
      if (!harness.lockWaiters) return // SQLite runs one job at a time: nobody ever waits
      // Two stores of one tenant, as two replicas have: one store's own jobs share a transaction.
      const tenant = `t${++tenants}`
      const store = harness.open(tenant)
      const replica = harness.open(tenant)
      await insertAll(store, [user('u1', 'ann', { title: 'first' })])
      let release!: () => void
      const held = new Promise<void>((r) => (release = r))
      let locked!: () => void
      const hasLock = new Promise<void>((r) => (locked = r))
      const first = store.write(function* (tx) {
        const before = (yield* tx.get(User, 'u1'))!
        locked()
        yield* awaited(held)
        yield* tx.update(User, before, { ...before, data: { ...before.data, title: 'second' }, version: 2 })
      })
      await hasLock
      const second = replica.write(function* (tx) {
        return (yield* tx.get(User, 'u1'))!.data.title
      })
      while ((await harness.lockWaiters()) === 0) await Bun.sleep(5)
      release()
      await first
      expect(await second).toBe('second')
    })

    test('journal: 32 concurrent writers over two tenants, every chain verifies', async () => {
      const a = fresh()
      const b = fresh()
      await Promise.all(
        Array.from({ length: 32 }, (_, i) =>
          (i % 2 === 0 ? a : b).write(function* (tx) {
            const r = user(`j${i}`, `j${i}`, { title: `T${i}` })
            yield* tx.insert(User, r)
            yield* tx.journal(created(r))
            yield* tx.journal(() => ({ ...created(r), op: 'patch', versionBefore: 1, versionAfter: 1, cascade: true }))
          })
        )
      )
      for (const tenant of [`t${tenants - 1}`, `t${tenants}`]) {
        const verdict = await harness.verify(tenant)
        expect(verdict.ok).toBe(true)
        if (verdict.ok) expect(verdict.tenants.map((t) => [t.tenant, t.count])).toEqual([[tenant, 32]])
      }
      expect((await harness.verify()).ok).toBe(true)
    })
  })
}
