// Writes by another process (an admin command, say) reach this server's caches within a second.
import { expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeTestApp } from '../helpers/app'
import { readJson } from '../helpers/scim'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const byName = (name: string) => `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`

test('a lookup cached by the server follows a create, rename and delete made through another connection', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scim-external-'))
  try {
    const db = join(dir, 'scim.db')
    const server = makeTestApp({ db })
    const other = makeTestApp({ db })
    // Looked up three times: cached (a key enters on its second miss), empty.
    for (let i = 0; i < 3; i++)
      expect((await readJson(await server.request('GET', byName('late@x')))).totalResults).toBe(0)
    const total = async () => (await readJson(await server.request('GET', '/scim/v2/Users?count=0'))).totalResults
    expect(await total()).toBe(0)
    const created = await readJson(
      await other.request('POST', '/scim/v2/Users', { schemas: [USER], userName: 'late@x' })
    )
    await Bun.sleep(300)
    expect((await readJson(await server.request('GET', byName('late@x')))).totalResults).toBe(1)
    expect(await total()).toBe(1)
    await other.request('DELETE', `/scim/v2/Users/${created.id}`)
    await Bun.sleep(300)
    expect((await readJson(await server.request('GET', byName('late@x')))).totalResults).toBe(0)
    expect(await total()).toBe(0)
    server.server.store.close()
    other.server.store.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a read by id cached by the server follows an update and a delete made through another connection', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scim-external-'))
  try {
    const db = join(dir, 'scim.db')
    const server = makeTestApp({ db })
    const other = makeTestApp({ db })
    const created = await readJson(
      await server.request('POST', '/scim/v2/Users', { schemas: [USER], userName: 'kept@x' })
    )
    const path = `/scim/v2/Users/${created.id}`
    // Read three times: cached from the second miss on.
    for (let i = 0; i < 3; i++) expect((await readJson(await server.request('GET', path))).displayName).toBeUndefined()
    await other.request('PATCH', path, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Renamed' }],
    })
    await Bun.sleep(300)
    expect((await readJson(await server.request('GET', path))).displayName).toBe('Renamed')
    for (let i = 0; i < 2; i++) await server.request('GET', path)
    await other.request('DELETE', path)
    await Bun.sleep(300)
    expect((await server.request('GET', path)).status).toBe(404)
    server.server.store.close()
    other.server.store.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
