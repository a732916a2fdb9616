// xsd:dateTime (RFC 7643 §2.3.5): strict calendar checks, zone-less is UTC, instants read exactly as SQLite reads them.
import { Database } from 'bun:sqlite'
import { describe, expect, test } from 'bun:test'
import { DATE_TIME_GLOB, instantOf, parseDateTime } from '../../src/scim/datetime'
import { Rng } from '../helpers/generate'
import { parseFilter } from '../../src/scim/filter'
import { evaluateFilter } from '../../src/scim/filter/evaluate'
import { resolveFilter } from '../../src/scim/filter/resolve'
import { coerceResource } from '../../src/scim/schema/coerce'
import { createRegistry } from '../../src/scim/schema/registry'
import type { SchemaDocument } from '../../src/scim/schema/types'
import { catchScimError } from '../helpers/scim'
import { testRegistry, typeNamed } from './patch/registry'
import { attribute } from '../helpers/schema'

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

  test.each(['2024-02-30T00:00:00Z', '2024-01-01T25:00:00Z'])(
    'coercion rejects %s with invalidValue naming the attribute',
    (hired) => {
      const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User'
      const schema: SchemaDocument = {
        id: ACME,
        attributes: [attribute('hired', 'dateTime')],
      }
      const withAcme = createRegistry(
        [...reg.schemas.map((s) => s.document), schema],
        reg.resourceTypes.map((t) =>
          t.name === 'User' ? { ...t.document, schemaExtensions: [{ schema: ACME, required: false }] } : t.document
        )
      )
      const err = catchScimError(() =>
        coerceResource(typeNamed(withAcme, 'User'), { userName: 'u', [ACME]: { hired } }, { mode: 'create' })
      )
      expect(err.scimType).toBe('invalidValue')
      expect(err.detail).toContain(`${ACME}:hired`)
    }
  )
})

const db = new Database(':memory:')
const sqlite = db.query<{ v: number | null }, [string, string]>(
  `SELECT CASE WHEN ?1 GLOB ?2 THEN unixepoch(?1, 'subsec') END AS v`
)
const inSql = (text: string): number | null => sqlite.get(text, DATE_TIME_GLOB)!.v

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** Mostly valid dateTimes, with every field sometimes out of range and odd zones and fractions. */
function randomText(rng: Rng): string {
  const year = rng.pick([0, 1, 99, 1970, 2024, 9999])
  const field = (max: number, over: number) => (rng.chance(0.1) ? rng.int(over) : rng.int(max))
  const date = `${pad(year, 4)}-${pad(field(12, 14) || 1)}-${pad(field(28, 33) + (rng.chance(0.9) ? 1 : 0))}`
  const time = `${pad(field(24, 26))}:${pad(field(60, 62))}:${pad(field(60, 62))}`
  const fraction = rng.pick([
    '',
    '',
    '.5',
    '.0005',
    '.0004999',
    '.9999',
    `.${rng.int(1e9)}`,
    '.',
    '.123456789012345678',
  ])
  const zone = rng.pick([
    '',
    'Z',
    'z',
    ' Z',
    'Z ',
    '+02:00',
    '-05:30',
    '+14:00',
    '+15:00',
    '-00:00',
    '+05:60',
    '+0500',
    'ZZ',
    ' ',
  ])
  return rng.pick(['T', 'T', 'T', ' ', 't']) === 'T' ? `${date}T${time}${fraction}${zone}` : `${date} ${time}${zone}`
}

describe('scim/date-time', () => {
  test('examples', () => {
    expect(instantOf('2024-03-01T10:00:00+02:00')).toBe(Date.UTC(2024, 2, 1, 8))
    expect(instantOf('2024-03-01T08:00:00')).toBe(Date.UTC(2024, 2, 1, 8)) // zone-less is UTC
    expect(instantOf('2024-01-01T00:00:00.0005Z')).toBe(Date.UTC(2024, 0, 1, 0, 0, 0, 1))
    expect(instantOf('0001-01-01T00:00:00Z')).toBe(-62135596800000) // not 1901: years below 100 are years
    for (const bad of [
      '2024-01-01',
      'now',
      '2459000.5',
      '2024-01-01T23:59:60Z',
      '10000-01-01T00:00:00Z',
      '-0001-01-01T00:00:00Z',
    ]) {
      expect(instantOf(bad)).toBeUndefined()
      expect(inSql(bad)).toBeNull()
    }
  })

  test('agrees with SQLite on 20000 generated texts', () => {
    const rng = new Rng(3339)
    const failures: string[] = []
    let valid = 0
    for (let i = 0; i < 20_000; i++) {
      const text = randomText(rng)
      const js = instantOf(text)
      const sq = inSql(text)
      if (js !== undefined) valid++
      if ((js === undefined ? null : js / 1000) !== sq) failures.push(`${JSON.stringify(text)}: js ${js} sql ${sq}`)
    }
    expect(failures.slice(0, 10)).toEqual([])
    expect(valid).toBeGreaterThan(5000)
  })
})

test('a strictly valid dateTime names the instant SQLite reads from the same text', () => {
  const rng = new Rng(9865)
  const between = (lo: number, hi: number) => lo + rng.int(hi - lo + 1)
  for (let i = 0; i < 5000; i++) {
    const zone = rng.pick(['', 'Z', `+${pad(between(0, 14))}:${pad(between(0, 59))}`, `-${pad(between(0, 13))}:30`])
    const frac = rng.pick(['', '.5', `.${pad(between(0, 999), 3)}`, `.${pad(between(0, 9999999), 7)}`])
    const text = `${pad(between(1, 9999), 4)}-${pad(between(1, 12))}-${pad(between(1, 28))}T${pad(between(0, 23))}:${pad(between(0, 59))}:${pad(between(0, 59))}${frac}${zone}`
    const strict = parseDateTime(text)
    if (strict === undefined) continue
    expect(`${text} ${strict}`).toBe(`${text} ${inSql(text) === null ? 'none' : Math.round(inSql(text)! * 1000)}`)
  }
})
