// instantOf must read every text exactly as SQLite's unixepoch(x, 'subsec') behind DATE_TIME_GLOB does.
import { Database } from 'bun:sqlite'
import { describe, expect, test } from 'bun:test'
import { DATE_TIME_GLOB, instantOf } from '../../src/scim/date-time'
import { Rng } from '../helpers/generate'

const db = new Database(':memory:')
const sqlite = db.query<{ v: number | null }, [string, string]>(`SELECT CASE WHEN ?1 GLOB ?2 THEN unixepoch(?1, 'subsec') END AS v`)
const inSql = (text: string): number | null => sqlite.get(text, DATE_TIME_GLOB)!.v

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** Mostly valid dateTimes, with every field sometimes out of range and odd zones and fractions. */
function randomText(rng: Rng): string {
  const year = rng.pick([0, 1, 99, 1970, 2024, 9999])
  const field = (max: number, over: number) => (rng.chance(0.1) ? rng.int(over) : rng.int(max))
  const date = `${pad(year, 4)}-${pad(field(12, 14) || 1)}-${pad(field(28, 33) + (rng.chance(0.9) ? 1 : 0))}`
  const time = `${pad(field(24, 26))}:${pad(field(60, 62))}:${pad(field(60, 62))}`
  const fraction = rng.pick(['', '', '.5', '.0005', '.0004999', '.9999', `.${rng.int(1e9)}`, '.', '.123456789012345678'])
  const zone = rng.pick(['', 'Z', 'z', ' Z', 'Z ', '+02:00', '-05:30', '+14:00', '+15:00', '-00:00', '+05:60', '+0500', 'ZZ', ' '])
  return rng.pick(['T', 'T', 'T', ' ', 't']) === 'T' ? `${date}T${time}${fraction}${zone}` : `${date} ${time}${zone}`
}

describe('scim/date-time', () => {
  test('examples', () => {
    expect(instantOf('2024-03-01T10:00:00+02:00')).toBe(Date.UTC(2024, 2, 1, 8))
    expect(instantOf('2024-03-01T08:00:00')).toBe(Date.UTC(2024, 2, 1, 8)) // zone-less is UTC
    expect(instantOf('2024-01-01T00:00:00.0005Z')).toBe(Date.UTC(2024, 0, 1, 0, 0, 0, 1))
    expect(instantOf('0001-01-01T00:00:00Z')).toBe(-62135596800000) // not 1901: years below 100 are years
    for (const bad of ['2024-01-01', 'now', '2459000.5', '2024-01-01T23:59:60Z', '10000-01-01T00:00:00Z', '-0001-01-01T00:00:00Z']) {
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
