// applyMemberOps reports exactly the members whose membership changed, netted over the ops.
import { expect, test } from 'bun:test'
import type { StoredResource } from '../../src/service/context'
import { openDatabase } from '../../src/store/db'
import { applyMemberOps } from '../../src/store/member-ops'

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
