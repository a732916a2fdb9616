// Token administration: issue, list, revoke and reset over the tokens table, as the CLI and the console use it.
import { expect, test } from 'bun:test'
import { issueTokenRecord, listTokens, resetTokens, revokeToken, TokenAdminError } from '../../src/auth/token-admin'
import { resolveToken, storedTokens } from '../../src/auth/token-registry'
import { hashToken } from '../../src/auth/tokens'
import { issueToken } from '../../src/cli/token-store'
import { openDatabase } from '../../src/store/db'

const NOW = new Date('2026-06-01T12:00:00.000Z')

function database() {
  const { sqlite } = openDatabase(':memory:', 'normal')
  sqlite.run("INSERT INTO tenants (name, created) VALUES ('acme', '2026-01-01T00:00:00Z')")
  return sqlite
}

test('an issued token is stored only as its hash, with its tenant, label, scope and expiry', () => {
  const db = database()
  const expires = new Date('2026-09-01T00:00:00.000Z')
  const { record, token } = issueTokenRecord(db, { tenant: 'acme', label: 'hr-app', scope: 'read', expires }, NOW)
  expect(record).toEqual({
    id: record.id,
    tenant: 'acme',
    label: 'hr-app',
    scope: 'read',
    expires: expires.toISOString(),
  })
  expect(record.id).toMatch(/^[0-9a-f]{12}$/)
  const row = db.query('SELECT * FROM tokens').get() as Record<string, unknown>
  expect(row.hash).toBe(hashToken(token).toString('hex'))
  expect(JSON.stringify(row)).not.toContain(token)
  // Read back with its tenant's generation: the life of the tenant it authenticates for.
  const generation = (db.query("SELECT generation FROM tenants WHERE name = 'acme'").get() as { generation: string })
    .generation
  expect(resolveToken(storedTokens(db), token, NOW.getTime())).toEqual({ ...record, generation })
})

test('defaults: provisioning scope, no label, no expiry', () => {
  const db = database()
  const { record } = issueTokenRecord(db, { tenant: 'default' })
  expect(record).toMatchObject({ tenant: 'default', label: null, scope: 'provision', expires: null })
})

test.each([
  [{ tenant: 'nosuch' }, "no tenant named 'nosuch'"],
  [{ tenant: 'acme', scope: 'admin' }, "scope must be provision, read, metrics, got 'admin'"],
  [{ tenant: 'acme', scope: 'metrics' }, 'metrics tokens belong to the default tenant'],
  [{ tenant: 'acme', label: '' }, 'a token name is 1 to 64 characters'],
  [{ tenant: 'acme', label: 'a\nb' }, 'without control characters'],
  [{ tenant: 'acme', label: 'x'.repeat(65) }, 'a token name is 1 to 64 characters'],
  [{ tenant: 'acme', expires: new Date(NOW.getTime() - 1) }, 'expire in the future'],
])('%p is refused, and nothing is stored', (options, message) => {
  const db = database()
  expect(() => issueTokenRecord(db, options, NOW)).toThrow(TokenAdminError)
  expect(() => issueTokenRecord(db, options, NOW)).toThrow(message)
  expect(db.query('SELECT count(*) AS n FROM tokens').get()).toEqual({ n: 0 })
})

test('a metrics token of the default tenant is allowed', () => {
  expect(issueTokenRecord(database(), { tenant: 'default', scope: 'metrics' }).record.scope).toBe('metrics')
})

test("list shows every token, or one tenant's, without secrets; last used is empty until used", () => {
  const db = database()
  const a = issueTokenRecord(db, { tenant: 'acme', label: 'one' }, new Date('2026-06-01T00:00:00Z')).record
  const b = issueTokenRecord(db, { tenant: 'acme', scope: 'read' }, new Date('2026-06-02T00:00:00Z')).record
  const d = issueTokenRecord(db, { tenant: 'default' }, new Date('2026-05-01T00:00:00Z')).record
  expect(listTokens(db, 'acme')).toEqual([
    { ...a, created: '2026-06-01T00:00:00.000Z', lastUsed: null },
    { ...b, created: '2026-06-02T00:00:00.000Z', lastUsed: null },
  ])
  expect(listTokens(db).map((t) => t.id)).toEqual([a.id, b.id, d.id])
  expect(() => listTokens(db, 'nosuch')).toThrow("no tenant named 'nosuch'")
  expect(Object.keys(listTokens(db)[0]!)).not.toContain('hash')
})

test('revoke deletes one token by id and says whether there was one', () => {
  const db = database()
  const keep = issueTokenRecord(db, { tenant: 'acme' })
  const gone = issueTokenRecord(db, { tenant: 'acme' })
  expect(revokeToken(db, gone.record.id)).toBe(true)
  expect(revokeToken(db, gone.record.id)).toBe(false)
  const source = storedTokens(db, 0)
  expect(resolveToken(source, gone.token)).toBeUndefined()
  expect(resolveToken(source, keep.token)).toBeDefined()
})

test("reset issues one token and revokes that tenant's others, every scope, and no other tenant's", () => {
  const db = database()
  const old = [issueTokenRecord(db, { tenant: 'acme' }), issueTokenRecord(db, { tenant: 'acme', scope: 'read' })]
  const other = issueTokenRecord(db, { tenant: 'default' })
  const fresh = resetTokens(db, 'acme', { label: 'rotated' })
  expect(listTokens(db, 'acme')).toEqual([expect.objectContaining({ id: fresh.record.id, label: 'rotated' })])
  const source = storedTokens(db, 0)
  for (const { token } of old) expect(resolveToken(source, token)).toBeUndefined()
  expect(resolveToken(source, other.token)).toBeDefined()
})

test('a failed reset revokes nothing', () => {
  const db = database()
  issueTokenRecord(db, { tenant: 'acme' })
  expect(() => resetTokens(db, 'acme', { scope: 'nope' })).toThrow(TokenAdminError)
  expect(listTokens(db, 'acme')).toHaveLength(1)
})

test('issueToken (first start, tenant add) goes through the same path: a provisioning token', () => {
  const db = database()
  const first = issueToken(db, false, 'acme')
  const second = issueToken(db, true, 'acme')
  const source = storedTokens(db, 0)
  expect(resolveToken(source, first)).toBeUndefined()
  expect(resolveToken(source, second)).toMatchObject({ tenant: 'acme', scope: 'provision' })
})
