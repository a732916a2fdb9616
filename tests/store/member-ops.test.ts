// applyMemberOps reports exactly the members whose membership changed, netted over the ops.
import { expect, test } from 'bun:test'
import type { StoredResource } from '../../src/service/context'
import { openDatabase } from '../../src/store/db'
import { applyMemberOps } from '../../src/store/member-ops'
import { DEFAULT_LIMITS, ElementBudget } from '../../src/scim/limits'
import { parseFilter } from '../../src/scim/filter/parser'
import { resolveValueFilter } from '../../src/scim/filter/resolve'
import { testRegistry, typeNamed } from '../scim/patch/registry'

function setup() {
  const { sqlite } = openDatabase(':memory:', 'normal')
  const add = (id: string, type: string) =>
    sqlite
      .query("INSERT INTO resources (id, type, data, version, created, last_modified) VALUES (?, ?, '{}', 1, 'x', 'x')")
      .run(id, type)
  for (const id of ['a', 'b', 'c', 'd']) add(id, 'User')
  add('h', 'Group')
  add('g', 'Group')
  const group = { id: 'g' } as StoredResource
  const existing = (ids: readonly string[]) => {
    const found = new Map<string, string>()
    for (const id of ids) {
      const row = sqlite.query<{ type: string }, [string]>('SELECT type FROM resources WHERE id = ?').get(id)
      if (row) found.set(id, row.type)
    }
    return found
  }
  const run = (ops: Parameters<typeof applyMemberOps>[2]) =>
    applyMemberOps(sqlite, group, ops, existing)
      .map((c) => `${c.id}:${c.type}`)
      .sort()
  return { run }
}

const members = (...ids: string[]) => ids.map((value) => ({ value }))

test('adds and removes report only real changes; clear then add reports the difference', () => {
  const { run } = setup()
  expect(run([{ kind: 'add', members: members('a', 'c', 'h') }])).toEqual(['a:User', 'c:User', 'h:Group'])
  expect(run([{ kind: 'add', members: members('a') }])).toEqual([])
  expect(run([{ kind: 'remove', values: ['b', 'd'] }])).toEqual([])
  // PUT members [a, b] over [a, c, h]: b joins, c and h leave, a stays.
  expect(run([{ kind: 'clear' }, { kind: 'add', members: members('a', 'b') }])).toEqual(['b:User', 'c:User', 'h:Group'])
  // Added and removed again in one request: no change.
  expect(
    run([
      { kind: 'add', members: members('d') },
      { kind: 'remove', values: ['d'] },
    ])
  ).toEqual([])
  expect(run([{ kind: 'remove', values: ['a', 'd'] }])).toEqual(['a:User'])
})

test('member filters are tested against one read of the members, kept current by the ops in between', () => {
  const { sqlite } = openDatabase(':memory:', 'normal')
  const insert = sqlite.query(
    "INSERT INTO resources (id, type, data, version, created, last_modified) VALUES (?, 'User', ?, 1, 'x', 'x')"
  )
  for (const id of ['a', 'b', 'c', 'd']) insert.run(id, JSON.stringify({ displayName: `n-${id}` }))
  sqlite
    .query(
      "INSERT INTO resources (id, type, data, version, created, last_modified) VALUES ('g', 'Group', '{}', 1, 'x', 'x')"
    )
    .run()
  let memberReads = 0
  // Counts the statements that read the group's members back (the only ones joining resources).
  const counted = new Proxy(sqlite, {
    get(target, key) {
      if (key !== 'query') return Reflect.get(target, key, target)
      return (text: string) => {
        const stmt = target.query(text)
        if (!text.includes('JOIN resources')) return stmt
        return new Proxy(stmt, {
          get(s, k) {
            const v = Reflect.get(s, k, s)
            if (k !== 'all' || typeof v !== 'function') return typeof v === 'function' ? v.bind(s) : v
            return (...args: unknown[]) => {
              memberReads++
              return v.apply(s, args)
            }
          },
        })
      }
    },
  })
  const existing = (ids: readonly string[]) => new Map(ids.map((id) => [id, 'User']))
  const where = (display: string) =>
    ({
      kind: 'removeWhere',
      budget: new ElementBudget(DEFAULT_LIMITS),
      filter: resolveValueFilter(
        parseFilter(`display eq "${display}"`),
        typeNamed(testRegistry(), 'Group').core.attributes.get('members')!
      ),
    }) as const
  const changes = applyMemberOps(
    counted,
    { id: 'g' } as StoredResource,
    [
      { kind: 'add', members: members('a', 'b', 'c') },
      ...Array.from({ length: 50 }, () => where('nobody')),
      where('n-b'),
      { kind: 'add', members: members('d') },
      where('n-d'),
      where('n-d'),
    ],
    existing
  )
  expect(changes.map((c) => c.id).sort()).toEqual(['a', 'c'])
  expect(memberReads).toBe(1)
})
