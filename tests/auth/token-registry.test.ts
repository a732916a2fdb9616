// A token grants exactly its own tenant, until it expires or is revoked.
import { expect, test } from 'bun:test'
import { resolveToken, storedTokens } from '../../src/auth/token-registry'
import { issueToken } from '../../src/cli/token-store'
import { openDatabase } from '../../src/store/db'

function database() {
  const { sqlite } = openDatabase(':memory:', 'normal')
  sqlite.run("INSERT INTO tenants (name, created) VALUES ('acme', '2026-01-01T00:00:00Z')")
  return sqlite
}

test('a token resolves to its tenant and scope; an unknown one to nothing', () => {
  const sqlite = database()
  const token = issueToken(sqlite, false, 'acme')
  const source = storedTokens(sqlite)
  expect(resolveToken(source, token)).toMatchObject({ tenant: 'acme', scope: 'provision', expires: null })
  expect(resolveToken(source, `${token}x`)).toBeUndefined()
})

test('an expired token resolves to nothing', () => {
  const sqlite = database()
  const token = issueToken(sqlite, false, 'acme')
  sqlite.run("UPDATE tokens SET expires = '2026-06-01T00:00:00Z'")
  const source = storedTokens(sqlite, 0)
  expect(resolveToken(source, token, Date.parse('2026-05-31T23:59:59Z'))).toBeDefined()
  expect(resolveToken(source, token, Date.parse('2026-06-01T00:00:00Z'))).toBeUndefined()
})

test('a revocation is seen once the records are re-read, as a new map', () => {
  const sqlite = database()
  const token = issueToken(sqlite, false, 'acme')
  const source = storedTokens(sqlite, 0)
  const before = source.byHash()
  issueToken(sqlite, true, 'acme')
  expect(source.byHash()).not.toBe(before)
  expect(resolveToken(source, token)).toBeUndefined()
})
