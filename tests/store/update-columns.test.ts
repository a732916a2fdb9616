// An update writes the index pages of the lookup columns it changes, and no others.
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hashToken } from '../../src/auth/tokens'
import { createScimServer } from '../../src/server'
import { MODIFIED_INDEX } from '../../src/store/tables'
import { URN_PATCH_OP } from '../helpers/entra'

const dir = mkdtempSync(join(tmpdir(), 'scim-update-columns-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const TOKEN = 'update-columns-token'
const USERS = 2000
const PATCHES = 100

/** A WAL frame: the page and its 24-byte header (whose first 4 bytes are the page number), after the file's 32-byte header. */
const FRAME_BYTES = 4096 + 24
const WAL_HEADER_BYTES = 32
/** The indexes of userName and externalId, which a PATCH of the family name must leave alone. */
const LOOKUP_INDEXES = [
  'resources_tenant_user_name_unique',
  'resources_tenant_type_name',
  'resources_tenant_type_external_id',
]

async function send(app: { handle(r: Request): Promise<Response> }, method: string, path: string, body: unknown) {
  const init = {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify(body),
  }
  return app.handle(new Request(`http://localhost/scim/v2${path}`, init))
}

test("Entra's user PATCH (familyName only) writes no page of the userName and externalId indexes", async () => {
  const db = join(dir, 'frames.db')
  // No journal: its appends would add their own pages to every commit and hide the resource's.
  const server = createScimServer({ db, tokenHashes: [hashToken(TOKEN)], journaling: false })
  const ids: string[] = []
  for (let i = 0; i < USERS; i++) {
    const user = { userName: `user${i}@example.com`, externalId: `ext-${i}`, name: { familyName: 'F' }, active: true }
    const res = await send(server.app, 'POST', '/Users', user)
    ids.push(((await res.json()) as { id: string }).id)
  }
  server.sqlite.run('PRAGMA wal_checkpoint(TRUNCATE)')
  expect(statSync(`${db}-wal`).size).toBe(0)

  // One at a time, so each is a commit of its own, spread over the users as Entra's cycle is.
  for (let i = 0; i < PATCHES; i++) {
    const op = { op: 'Replace', path: 'name.familyName', value: `Family ${i}` }
    const res = await send(server.app, 'PATCH', `/Users/${ids[(i * 7919) % USERS]}`, {
      schemas: [URN_PATCH_OP],
      Operations: [op],
    })
    expect(res.status).toBe(200)
  }
  // Which B-tree each frame the PATCHes wrote belongs to (dbstat names the page's table or index).
  const wal = readFileSync(`${db}-wal`)
  const owner = new Map<number, string>()
  for (const r of server.sqlite.query<{ name: string; pageno: number }, []>('SELECT name, pageno FROM dbstat').all())
    owner.set(r.pageno, r.name)
  const written = new Map<string, number>()
  for (let at = WAL_HEADER_BYTES; at + FRAME_BYTES <= wal.length; at += FRAME_BYTES) {
    const name = owner.get(wal.readUInt32BE(at)) ?? 'free'
    written.set(name, (written.get(name) ?? 0) + 1)
  }
  // The row's page, and the last-modified index (the entry leaves its place for the newest end).
  // Each lookup index the SET named as well, changed or not, added one frame a PATCH.
  for (const index of LOOKUP_INDEXES) expect(written.get(index)).toBeUndefined()
  expect(written.get('resources')).toBeGreaterThanOrEqual(PATCHES)
  expect(written.get(MODIFIED_INDEX)).toBeGreaterThanOrEqual(PATCHES)
  await server.store.close()
})
