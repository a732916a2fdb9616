// import at the service level: each line goes through the write services (journaled), keeping only an identity the server could serve.
import { describe, expect, test } from 'bun:test'
import { run } from '../../src/service/effect'
import { importLine } from '../../src/service/import'
import { makeTestApp } from '../helpers/app'
import { readJson, URN_USER } from '../helpers/scim'

describe('service/import journaling', () => {
  test('an imported line is journaled like any write, with actor and request id null', async () => {
    const t = makeTestApp()
    const line = JSON.stringify({ schemas: [URN_USER], userName: 'imported', title: 'T' })
    expect(await run(importLine(t.server.deps, line, { base: '/scim/v2' }, new Map()))).toBe('created')
    expect(t.server.journal.after('default', 0, 10)).toMatchObject([
      {
        op: 'create',
        actor: null,
        requestId: null,
        changes: [
          { path: 'title', after: 'T' },
          { path: 'userName', after: 'imported' },
        ],
      },
    ])
  })
})

describe('service/import kept identity', () => {
  const meta = {
    resourceType: 'User',
    created: '2026-01-01T00:00:00Z',
    lastModified: '2026-01-02T00:00:00Z',
    version: 'W/"3"',
  }
  const line = (id: string, userName: string, m: Record<string, unknown> = meta) =>
    JSON.stringify({ schemas: [URN_USER], id, userName, meta: m })

  test('an exported id and meta are kept when the server could have served them', async () => {
    const t = makeTestApp()
    const kept: Parameters<typeof importLine>[3] = new Map()
    await run(importLine(t.server.deps, line('user-1@okta:00u1', 'ada'), { base: '/scim/v2' }, kept))
    const read = await readJson(await t.request('GET', '/scim/v2/Users/user-1@okta:00u1'))
    expect(read.meta).toMatchObject({ created: meta.created, lastModified: meta.lastModified })
    expect([...kept.keys()]).toEqual(['user-1@okta:00u1'])
  })

  test('an id that is no URL path segment, or times that are no dateTimes, get a fresh identity', async () => {
    const t = makeTestApp()
    const lines = [
      line('', 'empty'),
      line('a/b', 'slash'),
      line('a b?c', 'space'),
      line('x'.repeat(1025), 'long'),
      line('fine', 'created', { ...meta, created: 'yesterday' }),
      line('fine2', 'modified', { ...meta, lastModified: '2026-02-30T00:00:00Z' }),
    ]
    for (const text of lines)
      expect(await run(importLine(t.server.deps, text, { base: '/scim/v2' }, new Map()))).toBe('created')
    const list = await readJson<{ Resources: { id: string; meta: { created: string; location: string } }[] }>(
      await t.request('GET', '/scim/v2/Users')
    )
    expect(list.Resources).toHaveLength(lines.length)
    for (const u of list.Resources) {
      expect(u.id).toMatch(/^[0-9a-f-]{36}$/)
      expect(u.meta.location).toBe(`http://localhost/scim/v2/Users/${u.id}`)
      expect(Number.isNaN(Date.parse(u.meta.created))).toBe(false)
    }
  })
})
