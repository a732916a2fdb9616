// How a PostgreSQL URL is told apart from a SQLite path, and shown with no password in it.
import { describe, expect, test } from 'bun:test'
import { isPostgresUrl, shownPostgresUrl } from '../../src/store-pg/url'

describe('store-pg/url', () => {
  test('postgres:// and postgresql:// name PostgreSQL; a path does not', () => {
    expect([isPostgresUrl('postgres://h/db'), isPostgresUrl('POSTGRESQL://h/db'), isPostgresUrl('./scim.db')]).toEqual([
      true,
      true,
      false,
    ])
  })

  test.each([
    ['in the user part', 'postgres://scim:S3cretQ@127.0.0.1:5432/scim', 'postgres://scim:***@127.0.0.1:5432/scim'],
    [
      'as ?password=',
      'postgres://scim@127.0.0.1:1/scim?password=S3cretQ',
      'postgres://scim@127.0.0.1:1/scim?password=***',
    ],
    [
      'as ?sslpassword= beside other parameters',
      'postgresql://h/db?sslmode=require&sslpassword=S3cretQ&application_name=x',
      'postgresql://h/db?sslmode=require&sslpassword=***&application_name=x',
    ],
    ['PASSWORD in any case', 'postgres://h/db?PASSWORD=S3cretQ', 'postgres://h/db?PASSWORD=***'],
  ])('a password %s is masked', (_where, url, shown) => {
    expect(shownPostgresUrl(url)).toBe(shown)
    expect(shownPostgresUrl(url)).not.toContain('S3cretQ')
  })

  test('a URL that does not parse is shown as no more than its scheme', () => {
    expect(shownPostgresUrl('postgres://scim:S3cret@[bad')).toBe('postgres://…')
  })
})
