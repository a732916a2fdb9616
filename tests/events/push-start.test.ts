// Where a new RFC 8935 receiver starts: at the journal's head when added (default), or at the oldest entry kept.
import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { UsageError } from '../../src/cli/args'
import { runTenantCommand, TENANT_USAGE } from '../../src/cli/tenant-command'
import { setPushUrls } from '../../src/events/push-urls'
import { cleanupsAfterEach } from '../helpers/cleanups'
import { claimsOf } from '../helpers/events-binary'
import { makeTestApp, type TestApp } from '../helpers/app'
import { receiver } from './receiver'

const URN_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const later = cleanupsAfterEach()

/** A server with the database journal on a file, so `tenant set` can run beside it as it does in production. */
function server() {
  const dir = mkdtempSync(join(tmpdir(), 'scim-push-start-'))
  const db = join(dir, 'scim.db')
  const t = makeTestApp({
    db,
    baseUrl: 'https://scim.example.com/scim/v2',
    events: { reloadEveryMs: 0, push: { sleep: async () => {} } },
  })
  later(() => rmSync(dir, { recursive: true, force: true }))
  later(async () => {
    await t.server.deps.events?.close()
    t.server.store.close()
  })
  const tenant = (...argv: string[]) => runTenantCommand(argv, { SCIM_DB: db })
  return { t, db, tenant }
}

async function createUsers(t: TestApp, names: string[]): Promise<string[]> {
  const ids = []
  for (const name of names) {
    const res = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: name })
    expect(res.status).toBe(201)
    ids.push(((await res.json()) as { id: string }).id)
  }
  return ids
}

function listening() {
  const r = receiver([])
  later(r.stop)
  return r
}

const received = (r: ReturnType<typeof receiver>) => r.accepted.map((a) => claimsOf(a.body).sub_id.id)

describe('events/push-start', () => {
  test('a receiver added after 3 writes receives only the later ones', async () => {
    const { t, tenant } = server()
    await createUsers(t, ['a1', 'a2', 'a3'])
    const r = listening()
    await tenant('set', 'default', '--push-url', r.url)
    t.server.deps.events!.reloadPushUrls()
    const later = await createUsers(t, ['a4', 'a5'])
    await r.received(2)
    await t.server.deps.events!.pushIdle()
    expect(received(r)).toEqual(later)
  })

  test('with --push-from oldest it receives every entry kept, the earlier writes first', async () => {
    const { t, tenant } = server()
    const earlier = await createUsers(t, ['b1', 'b2', 'b3'])
    const r = listening()
    await tenant('set', 'default', '--push-url', r.url, '--push-from', 'oldest')
    t.server.deps.events!.reloadPushUrls()
    const later = await createUsers(t, ['b4'])
    await r.received(4)
    await t.server.deps.events!.pushIdle()
    expect(received(r)).toEqual([...earlier, ...later])
  })

  test('receivers already there keep their position when another is added; a removed one added again starts anew', async () => {
    const { t, tenant } = server()
    const events = t.server.deps.events!
    const kept = listening()
    await tenant('set', 'default', '--push-url', kept.url)
    events.reloadPushUrls()
    const first = await createUsers(t, ['c1'])
    await kept.received(1)
    await events.pushIdle()
    // Stopped with c2 not delivered: the receiver is taken off the list while it owes one SET.
    await tenant('set', 'default', '--unset', 'push-url')
    events.reloadPushUrls()
    const owed = await createUsers(t, ['c2'])
    const added = listening()
    await tenant('set', 'default', '--push-url', kept.url, '--push-url', added.url)
    events.reloadPushUrls()
    const last = await createUsers(t, ['c3'])
    await kept.received(2)
    await added.received(1)
    await events.pushIdle()
    expect(owed).toHaveLength(1)
    expect(received(kept)).toEqual([...first, ...last])
    expect(received(added)).toEqual(last)
    // Listed again in a later `tenant set`, a receiver is not new: its position stays.
    await tenant('set', 'default', '--push-url', kept.url, '--push-url', added.url, '--push-from', 'oldest')
    events.reloadPushUrls()
    const next = await createUsers(t, ['c4'])
    await added.received(2)
    await events.pushIdle()
    expect(received(added)).toEqual([...last, ...next])
  })

  test('setPushUrls places new receivers the same way', async () => {
    const { t } = server()
    await createUsers(t, ['d1', 'd2'])
    const head = listening()
    const oldest = listening()
    setPushUrls(t.server.sqlite, 'default', [head.url])
    setPushUrls(t.server.sqlite, 'default', [head.url, oldest.url], 'oldest')
    t.server.deps.events!.reloadPushUrls()
    const later = await createUsers(t, ['d3'])
    await oldest.received(3)
    await head.received(1)
    await t.server.deps.events!.pushIdle()
    expect(received(head)).toEqual(later)
    expect(received(oldest)).toHaveLength(3)
  })

  test('--push-from takes head or oldest, goes with --push-url, and --help explains it', async () => {
    const { tenant } = server()
    await expect(tenant('set', 'default', '--push-url', 'https://x.example/e', '--push-from', 'first')).rejects.toThrow(
      UsageError
    )
    await expect(tenant('set', 'default', '--push-from', 'oldest')).rejects.toThrow('--push-url')
    expect(TENANT_USAGE).toContain('--push-from oldest')
  })
})
