// The journal against the binary: entries of every kind, verify and each tampering, export, retention, restore.
import { describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { copyFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { journalOf } from '../../src/journal/journal'
import { openDatabase } from '../../src/store/db'
import { freePort, runBinary, spawnBinary, type Child } from '../helpers/process'
import { URN_ENTERPRISE, URN_GROUP, URN_PATCH_OP, URN_USER } from '../helpers/entra'

const TOKEN = 'journal-e2e-token'

interface Server {
  child: Child
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>
  stop(): Promise<void>
}

async function serve(db: string, extra: string[] = []): Promise<Server> {
  const port = await freePort()
  const child = await spawnBinary([
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--db',
    db,
    '--token',
    TOKEN,
    '--durability',
    'normal',
    ...extra,
  ])
  await child.waitFor('Database:')
  return {
    child,
    async call(method, path, body) {
      const res = await fetch(`http://127.0.0.1:${port}/scim/v2${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json; charset=utf-8' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      return { status: res.status, json: text ? JSON.parse(text) : undefined }
    },
    async stop() {
      child.proc.kill('SIGTERM')
      await child.proc.exited
    },
  }
}

const journal = (db: string, ...args: string[]) => runBinary(['journal', ...args, '--db', db])
const tmpDb = () => join(mkdtempSync(join(tmpdir(), 'scim-journal-')), 'scim.db')

async function newUser(s: Server, userName: string, extra: object = {}): Promise<string> {
  const res = await s.call('POST', '/Users', { schemas: [URN_USER], userName, active: true, ...extra })
  expect(res.status).toBe(201)
  return res.json.id
}

/** A database with one change of every kind, written by 32 concurrent writers as well. */
async function provisioned(): Promise<string> {
  const db = tmpDb()
  const s = await serve(db)
  try {
    const boss = await newUser(s, 'boss')
    const report = await newUser(s, 'report', { [URN_ENTERPRISE]: { manager: { value: boss } } })
    const g = (await s.call('POST', '/Groups', { schemas: [URN_GROUP], displayName: 'G', members: [{ value: boss }] }))
      .json.id
    await Promise.all(Array.from({ length: 32 }, (_, i) => newUser(s, `w${i}`)))
    await s.call('PATCH', `/Users/${report}`, {
      schemas: [URN_PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    })
    await s.call('PUT', `/Groups/${g}`, { schemas: [URN_GROUP], displayName: 'G2', members: [{ value: boss }] })
    expect((await s.call('DELETE', `/Users/${boss}`)).status).toBe(204)
  } finally {
    await s.stop()
  }
  return db
}

describe('scim-server journal', () => {
  test('verify passes on a journal written by 32 concurrent writers; export holds every kind of change, cascades included', async () => {
    const db = await provisioned()
    const verified = await journal(db, 'verify')
    expect(verified.code).toBe(0)
    // 3 creates + 32 creates + patch + replace + delete + 2 cascades (group left, report's manager).
    expect(verified.output).toContain('journal intact: 40 entries')
    const exported = await journal(db, 'export', '--format', 'jsonl')
    expect(exported.code).toBe(0)
    const entries = exported.output
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(entries).toHaveLength(40)
    expect(new Set(entries.map((e) => `${e.op}${e.cascade ? '+cascade' : ''}`))).toEqual(
      new Set(['create', 'patch', 'replace', 'delete', 'patch+cascade'])
    )
    expect(entries.every((e) => e.actor === entries[0].actor && e.actor)).toBe(true)
    expect(entries.find((e) => e.op === 'patch' && !e.cascade).compat.length).toBeGreaterThan(0)
    const cef = await journal(db, 'export', '--format', 'cef', '--since', entries[38].at)
    const lines = cef.output.trim().split('\n')
    expect(lines.length).toBeGreaterThanOrEqual(2)
    for (const line of lines)
      expect(line).toMatch(/^CEF:0\|scim-server\|scim-server\|[^|]+\|(delete|patch)\|User|Group/)
    expect(cef.output).toContain('suser=')
  }, 60_000)

  test.each([
    ['edited', "UPDATE journal SET changes = '[]' WHERE seq = 5", 'entry 5', /edited/],
    ['deleted', 'DELETE FROM journal WHERE seq = 5', 'entry 6', /deleted/],
    [
      'reordered',
      'UPDATE journal SET seq = -5 WHERE seq = 5; UPDATE journal SET seq = 5 WHERE seq = 6; UPDATE journal SET seq = 6 WHERE seq = -5',
      'entry 5',
      /./,
    ],
    ['truncated', 'DELETE FROM journal WHERE seq > 38', 'entry 40', /newest entries were deleted/],
  ])(
    'verify exits non-zero naming the first bad entry when an entry was %s',
    async (_, tamper, named, why) => {
      const db = await provisioned()
      const copy = join(mkdtempSync(join(tmpdir(), 'scim-journal-')), 'tampered.db')
      copyFileSync(db, copy)
      const raw = new Database(copy)
      raw.run(tamper)
      raw.close()
      const { code, output } = await journal(copy, 'verify')
      expect(code).toBe(1)
      expect(output).toContain(named)
      expect(output).toMatch(why)
      expect(output).not.toContain('    at ')
    },
    60_000
  )

  test('--journal-retention prunes old entries; verify still proves the kept ones from the checkpoint', async () => {
    const db = tmpDb()
    const { sqlite } = openDatabase(db)
    const { appender } = journalOf(sqlite)
    const day = 86_400_000
    const now = Date.now()
    sqlite.transaction(() => {
      for (let i = 0; i < 25; i++)
        appender.append('default', {
          // 2,400 days ago up to today, 100 days apart: the last four are within 400 days.
          at: new Date(now - (24 - i) * 100 * day).toISOString(),
          actor: null,
          requestId: null,
          op: 'create',
          resourceType: 'User',
          resourceId: `u${i}`,
          versionBefore: null,
          versionAfter: 1,
          changes: [],
          compat: [],
          cascade: false,
        })
    })()
    sqlite.close()
    const s = await serve(db, ['--journal-retention', '400d'])
    await newUser(s, 'fresh')
    await s.stop()
    const { code, output } = await journal(db, 'verify')
    expect(code).toBe(0)
    // Entries 22 to 25 (0 to 300 days old) and the new one stay; 1 to 21 went.
    expect(output).toContain('tenant default: 5 entries intact, pruned up to entry 21')
  }, 60_000)

  test('restore brings back a mass delete: users with their ids, memberships and manager; disabled users enabled', async () => {
    const db = tmpDb()
    const s = await serve(db)
    try {
      const ids: string[] = []
      for (let i = 0; i < 20; i++) ids.push(await newUser(s, `user${i}`, { displayName: `User ${i}` }))
      const lead = ids[0]!
      await s.call('PATCH', `/Users/${ids[1]}`, {
        schemas: [URN_PATCH_OP],
        Operations: [{ op: 'add', path: `${URN_ENTERPRISE}:manager`, value: lead }],
      })
      const group = async (name: string, members: string[]) =>
        (
          await s.call('POST', '/Groups', {
            schemas: [URN_GROUP],
            displayName: name,
            members: members.map((value) => ({ value })),
          })
        ).json.id as string
      const all = await group('All', ids)
      const some = await group('Some', ids.slice(0, 5))
      await Bun.sleep(5)
      const since = new Date().toISOString()
      await Bun.sleep(5)
      // The scoping mistake: 15 users deleted, 3 disabled.
      for (const id of ids.slice(0, 15)) expect((await s.call('DELETE', `/Users/${id}`)).status).toBe(204)
      for (const id of ids.slice(15, 18))
        await s.call('PATCH', `/Users/${id}`, {
          schemas: [URN_PATCH_OP],
          Operations: [{ op: 'replace', path: 'active', value: false }],
        })
      // Made after T by someone else, and kept by the restore.
      const later = await newUser(s, 'later')
      await s.call('PATCH', `/Groups/${all}`, {
        schemas: [URN_PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: later }] }],
      })

      const dry = await journal(db, 'restore', '--tenant', 'default', '--since', since, '--dry-run')
      expect(dry.code).toBe(0)
      expect(dry.output).toContain('dry run: 15 recreated, 3 reverted, 2 memberships restored')
      expect((await s.call('GET', `/Users/${lead}`)).status).toBe(404)

      const done = await journal(db, 'restore', '--tenant', 'default', '--since', since)
      expect(done.output).toContain('15 recreated, 3 reverted, 2 memberships restored')
      expect(done.code).toBe(0)
      await Bun.sleep(300)
      for (const [i, id] of ids.entries()) {
        const u = await s.call('GET', `/Users/${id}`)
        expect(u.status).toBe(200)
        expect(u.json).toMatchObject({ userName: `user${i}`, displayName: `User ${i}`, active: true })
      }
      expect((await s.call('GET', `/Users/${ids[1]}`)).json[URN_ENTERPRISE].manager.value).toBe(lead)
      const members = async (g: string) =>
        ((await s.call('GET', `/Groups/${g}`)).json.members as { value: string }[]).map((m) => m.value).sort()
      expect(await members(all)).toEqual([...ids, later].sort())
      expect(await members(some)).toEqual(ids.slice(0, 5).sort())
      // Running it again finds nothing left to do.
      const again = await journal(db, 'restore', '--tenant', 'default', '--since', since)
      expect(again.output).toContain('0 recreated, 0 reverted, 0 memberships restored')
    } finally {
      await s.stop()
    }
    const verified = await journal(db, 'verify')
    expect(verified.code).toBe(0)
    const restored = (await journal(db, 'export', '--format', 'jsonl')).output
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.actor === null)
    expect(restored.filter((e) => e.op === 'create')).toHaveLength(15)
  }, 90_000)

  test('usage mistakes are one line and exit 2', async () => {
    for (const args of [
      ['journal', 'frob'],
      ['journal', 'restore', '--since', 'x'],
      ['journal', 'export', '--format', 'xml'],
    ]) {
      const { code, output } = await runBinary(args)
      expect(code).toBe(2)
      expect(output.trim().split('\n')).toHaveLength(1)
    }
  }, 30_000)
})
