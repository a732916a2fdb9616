// Stored tokens: only hashes are kept, and a running server sees a reset within a second.
import { expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { issueToken } from '../../src/cli/token-store'
import { createScimServer } from '../../src/server'
import { openDatabase } from '../../src/store/db'

test('token --reset revokes the old token on a live server without a restart', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'scim-tokens-')), 'scim.db')
  const admin = openDatabase(path)
  const first = issueToken(admin.sqlite, false)
  const { app } = createScimServer({ db: path })
  const status = async (token: string) =>
    (await app.handle(new Request('http://localhost/scim/v2/Users', { headers: { authorization: `Bearer ${token}` } })))
      .status
  expect(await status(first)).toBe(200)
  const second = issueToken(admin.sqlite, true)
  expect((admin.sqlite.query('SELECT value FROM settings').get() as { value: string }).value).not.toContain(second)
  await Bun.sleep(1100)
  expect(await status(first)).toBe(401)
  expect(await status(second)).toBe(200)
})

test('the first token a live server issues itself works at once', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'scim-tokens-')), 'scim.db')
  const { app, sqlite, tenantsChanged } = createScimServer({ db: path })
  const status = async (token: string) =>
    (await app.handle(new Request('http://localhost/scim/v2/Users', { headers: { authorization: `Bearer ${token}` } })))
      .status
  expect(await status('nothing-issued-yet')).toBe(401)
  const token = issueToken(sqlite, false)
  tenantsChanged() // what serve does once it has printed the token
  expect(await status(token)).toBe(200)
})
