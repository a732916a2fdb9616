// xsd:dateTime reading (RFC 7643 §2.3.5): strict calendar checks, a zone-less value is UTC.
import { describe, expect, test } from 'bun:test'
import { parseDateTime } from '../../src/scim/datetime'
import { parseFilter } from '../../src/scim/filter'
import { evaluateFilter } from '../../src/scim/filter/evaluate'
import { resolveFilter } from '../../src/scim/filter/resolve'
import { coerceResource } from '../../src/scim/schema/coerce'
import { createRegistry } from '../../src/scim/schema/registry'
import type { SchemaDocument } from '../../src/scim/schema/types'
import { catchScimError } from '../helpers/scim'
import { testRegistry, typeNamed } from './patch/registry'

describe('scim/datetime parseDateTime', () => {
  test.each([
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T23:59:59Z', Date.UTC(2000, 1, 29, 23, 59, 59)],
    ['2011-05-13T04:42:34.5Z', Date.UTC(2011, 4, 13, 4, 42, 34, 500)],
    ['2011-05-13T04:42:34.123456Z', Date.UTC(2011, 4, 13, 4, 42, 34, 123)],
    ['2020-01-01T08:00:00+02:00', Date.UTC(2020, 0, 1, 6)],
    ['2020-01-01T00:00:00-14:00', Date.UTC(2020, 0, 1, 14)],
  ])('reads %s', (text, ms) => {
    expect(parseDateTime(text)).toBe(ms)
  })

  test('years below 100 stay themselves (Date.UTC would read 99 as 1999)', () => {
    expect(new Date(parseDateTime('0099-01-01T00:00:00Z')!).getUTCFullYear()).toBe(99)
  })

  test('a value without a zone is read as UTC, never as local time', () => {
    expect(parseDateTime('2024-01-15T10:30:00')).toBe(Date.UTC(2024, 0, 15, 10, 30))
  })

  test.each([
    '2024-02-30T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-00-10T00:00:00Z',
    '2024-01-00T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T23:60:00Z',
    '2024-01-01T23:59:60Z',
    '2024-01-01T00:00:00+15:00',
    '2024-01-01T00:00:00+01:60',
    '0000-01-01T00:00:00Z',
    '2024-01-01',
    '2024-01-01 00:00:00Z',
    '2024-1-01T00:00:00Z',
    '2024-01-01T00:00:00.Z',
    '1',
    '',
  ])('rejects %p', (text) => {
    expect(parseDateTime(text)).toBeUndefined()
  })
})

describe('scim/datetime readers agree', () => {
  const reg = testRegistry()
  const USER = typeNamed(reg, 'User')

  test('the in-memory filter reads a stored zone-less dateTime as UTC, whatever the local zone', () => {
    const saved = process.env.TZ
    process.env.TZ = 'America/New_York'
    try {
      const user = { userName: 'u', meta: { created: '2024-01-15T10:30:00' } }
      const f = resolveFilter(parseFilter('meta.created eq "2024-01-15T10:30:00Z"'), USER)
      expect(evaluateFilter(f, user)).toBe(true)
    } finally {
      process.env.TZ = saved
    }
  })

  test.each(['2024-02-30T00:00:00Z', '2024-01-01T25:00:00Z'])('coercion rejects %s with invalidValue naming the attribute', (hired) => {
    const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User'
    const schema: SchemaDocument = {
      id: ACME,
      attributes: [{ name: 'hired', type: 'dateTime', multiValued: false, required: false, mutability: 'readWrite', returned: 'default' }],
    }
    const withAcme = createRegistry(
      [...reg.schemas.map((s) => s.document), schema],
      reg.resourceTypes.map((t) => (t.name === 'User' ? { ...t.document, schemaExtensions: [{ schema: ACME, required: false }] } : t.document))
    )
    const err = catchScimError(() => coerceResource(typeNamed(withAcme, 'User'), { userName: 'u', [ACME]: { hired } }, { mode: 'create' }))
    expect(err.scimType).toBe('invalidValue')
    expect(err.detail).toContain(`${ACME}:hired`)
  })
})
