// journal restore at the service level: deleted groups with their members, changed documents, later resources kept.
import { describe, expect, test } from 'bun:test'
import { run } from '../../src/service/effect'
import { restoreSince } from '../../src/service/restore'
import { makeTestApp, type TestApp } from '../helpers/app'
import { URN_ENTERPRISE, URN_GROUP, URN_USER, patchBody, readJson } from '../helpers/scim'

async function post(t: TestApp, path: string, body: object): Promise<string> {
  const res = await t.request('POST', path, body)
  expect(res.status).toBe(201)
  return (await readJson(res)).id
}

function since(t: TestApp, seq: number) {
  return t.server.journal.after('default', seq, 100_000)
}

async function members(t: TestApp, id: string): Promise<string[]> {
  const g = await readJson(await t.request('GET', `/scim/v2/Groups/${id}`))
  return ((g.members ?? []) as { value: string }[]).map((m) => m.value).sort()
}

describe('service/restore', () => {
  test('a deleted group comes back under its id with its members; a renamed one gets its name back', async () => {
    const t = makeTestApp()
    const a = await post(t, '/scim/v2/Users', { schemas: [URN_USER], userName: 'a' })
    const b = await post(t, '/scim/v2/Users', { schemas: [URN_USER], userName: 'b' })
    const inner = await post(t, '/scim/v2/Groups', {
      schemas: [URN_GROUP],
      displayName: 'Inner',
      members: [{ value: a }],
    })
    const outer = await post(t, '/scim/v2/Groups', {
      schemas: [URN_GROUP],
      displayName: 'Outer',
      members: [{ value: inner }, { value: b }],
    })
    const mark = since(t, 0).at(-1)!.seq
    await t.request('DELETE', `/scim/v2/Groups/${inner}`)
    await t.request(
      'PATCH',
      `/scim/v2/Groups/${outer}`,
      patchBody({ op: 'replace', path: 'displayName', value: 'Renamed' })
    )
    await t.request('DELETE', `/scim/v2/Users/${b}`)
    const steps = await run(restoreSince(t.server.deps, since(t, mark), { base: '/scim/v2' }, false))
    expect(steps.filter((s) => s.error)).toEqual([])
    expect(steps.map((s) => [s.action, s.id]).sort()).toEqual(
      [
        ['recreate', b],
        ['recreate', inner],
        ['revert', outer],
        ['members', inner],
        ['members', outer],
      ].sort()
    )
    expect(await members(t, inner)).toEqual([a])
    expect(await members(t, outer)).toEqual([inner, b].sort())
    expect((await readJson(await t.request('GET', `/scim/v2/Groups/${outer}`))).displayName).toBe('Outer')
    // Once more: nothing left to do.
    expect(await run(restoreSince(t.server.deps, since(t, mark), { base: '/scim/v2' }, false))).toEqual([])
  })

  test('a dry run plans the same steps and writes nothing', async () => {
    const t = makeTestApp()
    const a = await post(t, '/scim/v2/Users', { schemas: [URN_USER], userName: 'a', title: 'T' })
    await t.request('PATCH', `/scim/v2/Users/${a}`, patchBody({ op: 'remove', path: 'title' }))
    const before = since(t, 0).length
    const steps = await run(restoreSince(t.server.deps, since(t, 1), { base: '/scim/v2' }, true))
    expect(steps).toMatchObject([{ action: 'revert', id: a, detail: 'title' }])
    expect(since(t, 0)).toHaveLength(before)
  })

  test('what was created after T stays, and gets back what the restored delete took from it', async () => {
    const t = makeTestApp()
    const boss = await post(t, '/scim/v2/Users', { schemas: [URN_USER], userName: 'boss' })
    const g = await post(t, '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'G', members: [{ value: boss }] })
    const mark = since(t, 0).at(-1)!.seq
    const later = await post(t, '/scim/v2/Users', {
      schemas: [URN_USER],
      userName: 'later',
      [URN_ENTERPRISE]: { manager: { value: boss } },
    })
    await t.request(
      'PATCH',
      `/scim/v2/Groups/${g}`,
      patchBody({ op: 'add', path: 'members', value: [{ value: later }] })
    )
    await t.request('DELETE', `/scim/v2/Users/${boss}`)
    const steps = await run(restoreSince(t.server.deps, since(t, mark), { base: '/scim/v2' }, false))
    expect(steps.filter((s) => s.error)).toEqual([])
    expect(await members(t, g)).toEqual([boss, later].sort())
    // `later` exists only since T and stays; the manager the delete cascaded away comes back.
    const got = await readJson(await t.request('GET', `/scim/v2/Users/${later}`))
    expect(got[URN_ENTERPRISE].manager.value).toBe(boss)
    const entries = since(t, mark)
    expect(entries.filter((e) => e.actor === null).map((e) => [e.op, e.resourceId])).toEqual([
      ['create', boss],
      ['replace', later],
      ['patch', g],
    ])
  })

  test('a user that cannot come back (its userName is taken since) is reported; the rest of its group still comes back', async () => {
    const t = makeTestApp()
    const a = await post(t, '/scim/v2/Users', { schemas: [URN_USER], userName: 'a' })
    const b = await post(t, '/scim/v2/Users', { schemas: [URN_USER], userName: 'b' })
    const g = await post(t, '/scim/v2/Groups', {
      schemas: [URN_GROUP],
      displayName: 'G',
      members: [{ value: a }, { value: b }],
    })
    const mark = since(t, 0).at(-1)!.seq
    await t.request('DELETE', `/scim/v2/Users/${a}`)
    await t.request('DELETE', `/scim/v2/Users/${b}`)
    await post(t, '/scim/v2/Users', { schemas: [URN_USER], userName: 'A' })
    // A dry run tells the taken userName too, as the real run will refuse it.
    const planned = await run(restoreSince(t.server.deps, since(t, mark), { base: '/scim/v2' }, true))
    expect(planned.filter((s) => s.error).map((s) => [s.id, s.error!.status])).toEqual([[a, 409]])
    const steps = await run(restoreSince(t.server.deps, since(t, mark), { base: '/scim/v2' }, false))
    expect(steps.filter((s) => s.error).map((s) => [s.id, s.error!.status])).toEqual([[a, 409]])
    expect(await members(t, g)).toEqual([b])
  })

  test('a report whose manager cannot come back is still reverted, the manager left out and reported', async () => {
    const t = makeTestApp()
    const boss = await post(t, '/scim/v2/Users', { schemas: [URN_USER], userName: 'boss' })
    const report = await post(t, '/scim/v2/Users', {
      schemas: [URN_USER, URN_ENTERPRISE],
      userName: 'report',
      title: 'Engineer',
      [URN_ENTERPRISE]: { manager: { value: boss } },
    })
    const mark = since(t, 0).at(-1)!.seq
    // The scoping mistake: the manager goes (its reports lose it), a report is disabled and changed.
    await t.request('DELETE', `/scim/v2/Users/${boss}`)
    await t.request('PATCH', `/scim/v2/Users/${report}`, patchBody({ op: 'Replace', path: 'active', value: 'False' }))
    await t.request('PATCH', `/scim/v2/Users/${report}`, patchBody({ op: 'replace', path: 'title', value: 'Changed' }))
    // The manager's userName is taken again since, so it cannot be recreated.
    await post(t, '/scim/v2/Users', { schemas: [URN_USER], userName: 'boss' })
    const steps = await run(restoreSince(t.server.deps, since(t, mark), { base: '/scim/v2' }, false))
    expect(steps.filter((s) => s.error).map((s) => [s.id, s.detail, s.error!.status])).toEqual([
      [boss, 'boss', 409],
      [report, 'manager', 400],
    ])
    const after = await readJson(await t.request('GET', `/scim/v2/Users/${report}`))
    expect([after.active, after.title, after[URN_ENTERPRISE]?.manager]).toEqual([undefined, 'Engineer', undefined])
  })
})
