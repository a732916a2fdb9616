// `import FILE` with lines that name the same resource: they run in file order, as one at a time would.
import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportCommand, importCommand } from '../../src/cli/transfer'
import type { LineFailure } from '../../src/service/import'
import { makeTestApp } from '../helpers/app'
import { readJson, URN_GROUP, URN_USER } from '../helpers/scim'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function file(lines: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'import-order-'))
  dirs.push(dir)
  const path = join(dir, 'in.jsonl')
  writeFileSync(path, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`)
  return path
}

describe('cli/transfer import order', () => {
  test('a later line of the same resource replaces what an earlier one made, never a 409; a second run ends alike', async () => {
    const app = makeTestApp()
    const path = file([
      { schemas: [URN_USER], userName: 'ada', title: 'first' },
      { schemas: [URN_USER], userName: 'grace' },
      { schemas: [URN_USER], userName: 'ADA', title: 'second' },
      { schemas: [URN_USER], userName: 'ada', externalId: 'e-1', title: 'third' },
      { schemas: [URN_GROUP], displayName: 'ops' },
      { schemas: [URN_GROUP], displayName: 'Ops', externalId: 'g-1' },
    ])
    const failures: LineFailure[] = []
    const first = await importCommand(app.server, path, (f) => failures.push(f))
    expect(failures).toEqual([])
    expect(first.summary).toContain(': 3 created, 3 updated, 0 unchanged, 0 failed')
    const users = async () =>
      (await readJson(await app.request('GET', '/scim/v2/Users?sortBy=userName'))).Resources.map(
        (u: { id: string; userName: string; title?: string; externalId?: string }) => [u.userName, u.title]
      )
    expect(await users()).toEqual([
      ['ada', 'third'],
      ['grace', undefined],
    ])
    const groups = await readJson(await app.request('GET', '/scim/v2/Groups'))
    expect(groups.Resources.map((g: { externalId?: string }) => g.externalId)).toEqual(['g-1'])
    // The same file again ends where the first run did: its lines replace in the same order.
    const again = await importCommand(app.server, path, (f) => failures.push(f))
    expect(failures).toEqual([])
    expect(again.summary).toContain(': 0 created, ')
    expect(await users()).toEqual([
      ['ada', 'third'],
      ['grace', undefined],
    ])
    expect(await readJson(await app.request('GET', '/scim/v2/Groups'))).toMatchObject({
      Resources: [{ externalId: 'g-1' }],
    })
  })

  test("a resource a later line replaced keeps the version the replace gave it, not the first line's exported one", async () => {
    const app = makeTestApp()
    const meta = {
      resourceType: 'User',
      created: '2026-01-01T00:00:00Z',
      lastModified: '2026-01-01T00:00:00Z',
      version: 'W/"3"',
    }
    const path = file([
      { schemas: [URN_USER], id: 'u1', userName: 'ada', title: 'old', meta },
      { schemas: [URN_USER], id: 'u2', userName: 'grace', meta },
      { schemas: [URN_USER], id: 'u1', userName: 'ada', title: 'new' },
    ])
    await importCommand(app.server, path, () => {})
    const ada = await readJson(await app.request('GET', '/scim/v2/Users/u1'))
    expect(ada.title).toBe('new')
    expect(ada.meta.version).toBe('W/"4"')
    expect(ada.meta.lastModified).not.toBe(meta.lastModified)
    // The untouched one is served as exported.
    expect((await readJson(await app.request('GET', '/scim/v2/Users/u2'))).meta).toMatchObject({ version: 'W/"3"' })
    const versions = (await app.journal('default', 0, 10))
      .filter((e) => e.resourceId === 'u1')
      .map((e) => e.versionAfter)
    expect(versions).toEqual([3, 4])
  })
})

describe('cli/transfer export → import of groups the server accepted', () => {
  test('two groups of one displayName and two groups in each other come back whole: the files are identical', async () => {
    const from = makeTestApp()
    const created = async (path: string, body: unknown) => (await readJson(await from.request('POST', path, body))).id
    const user = await created('/scim/v2/Users', { schemas: [URN_USER], userName: 'u1' })
    await created('/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'Sales', members: [{ value: user }] })
    await created('/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'Sales' })
    const a = await created('/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'A' })
    const b = await created('/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'B', members: [{ value: a }] })
    const cycle = await from.request('PATCH', `/scim/v2/Groups/${a}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: [{ value: b }] }],
    })
    expect(cycle.status).toBeLessThan(300)
    const dir = mkdtempSync(join(tmpdir(), 'import-groups-'))
    dirs.push(dir)
    await exportCommand(from.server, join(dir, 'first.jsonl'))
    const to = makeTestApp()
    const failures: LineFailure[] = []
    const imported = await importCommand(to.server, join(dir, 'first.jsonl'), (f) => failures.push(f))
    expect(failures).toEqual([])
    expect(imported.summary).toContain(': 5 created, 0 updated, 0 unchanged, 0 failed')
    await exportCommand(to.server, join(dir, 'second.jsonl'))
    expect(readFileSync(join(dir, 'second.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'first.jsonl'), 'utf8'))
    // Run again, the file changes nothing.
    const again = await importCommand(to.server, join(dir, 'first.jsonl'), (f) => failures.push(f))
    expect(failures).toEqual([])
    expect(again.summary).toContain(': 0 created, 0 updated, 5 unchanged, 0 failed')
  })

  test('a group that names a resource no line creates still fails whole, and the group it waits on with it', async () => {
    const to = makeTestApp()
    const path = file([
      { schemas: [URN_GROUP], id: 'g-a', displayName: 'A', members: [{ value: 'g-b' }] },
      { schemas: [URN_GROUP], id: 'g-b', displayName: 'B', members: [{ value: 'g-a' }, { value: 'nowhere' }] },
    ])
    const failures: LineFailure[] = []
    const imported = await importCommand(to.server, path, (f) => failures.push(f))
    expect(failures.map((f) => f.line)).toEqual([1, 2])
    expect(imported.summary).toContain(': 0 created, 0 updated, 0 unchanged, 2 failed')
    expect((await readJson(await to.request('GET', '/scim/v2/Groups'))).totalResults).toBe(0)
  })
})
