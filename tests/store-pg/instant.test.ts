// instantMsSql reads a stored dateTime as the same instant datetime.ts instantOf (and SQLite's unixepoch) reads.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/bun-sql'
import { instantOf } from '../../src/scim/datetime'
import { instantMsSql } from '../../src/store-pg/instant'
import { randomDate, Rng, writtenDate } from '../helpers/generate'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()

const EDGES = [
  '2011-05-13T04:42:34Z',
  '2023-02-31T00:00:00Z', // rolls over to 3 March, as SQLite does
  '2024-01-01T24:00:00Z', // the next midnight
  '2024-01-01T24:00:01Z', // invalid
  '0000-01-01T00:00:00Z',
  '0000-02-29T12:00:00-14:00',
  '2011-05-13T04:42:34.0005 +05:30 ',
  '2022-01-03T14:03:04.0005Z', // rounds in double precision: 04.000 s
  '2020-01-01T00:00:00.9999-08:00', // the fraction is capped at .999
  '2020-01-01T00:00:00.123456789',
  '2020-01-01T00:00:00z',
  '2020-01-01',
  '2020-13-01T00:00:00Z',
  '2020-01-01T00:00:00+15:00',
  '2020-01-01T00:00:60Z',
  '2020-01-01T00:00:00+02:0',
  'nope',
  '',
]

describe.skipIf(!server)('store-pg/instant', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await freshDatabase(server!)
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('edge cases and 400 generated dateTimes: the same milliseconds as instantOf, NULL where it is undefined', async () => {
    const rng = new Rng(2026)
    const texts = [
      ...EDGES,
      ...Array.from({ length: 400 }, () => (rng.chance(0.5) ? writtenDate(rng) : randomDate(rng))),
    ]
    const orm = drizzle({ client: db.sql })
    const rows = await orm.execute<{ ms: string | null }>(
      sql`SELECT ${instantMsSql(sql`t.v`)}::text AS ms FROM unnest(${sql.param(texts)}::text[]) WITH ORDINALITY AS t(v, n) ORDER BY t.n`
    )
    const got = rows.map((r) => (r.ms === null ? undefined : Number(r.ms)))
    expect(got).toEqual(texts.map((t) => instantOf(t)))
  })
})

// Under an ICU collation PostgreSQL's regex \d is any Unicode digit, which the ::int casts after
// the shape test refuse (a failed cast fails the whole query): the shape must say ASCII digits.
describe.skipIf(!server)('store-pg/instant on a database whose default collation is ICU', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await freshDatabase(server!, "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('digits of other scripts are no dateTime (NULL, as instantOf reads them), not a failed query', async () => {
    const texts = ['٢٠٢٠-01-01T00:00:00Z', '２０２０-01-01T00:00:00Z', '2020-01-01T00:00:00.١Z', '2020-01-01T00:00:00Z']
    const orm = drizzle({ client: db.sql })
    const rows = await orm.execute<{ ms: string | null }>(
      sql`SELECT ${instantMsSql(sql`t.v`)}::text AS ms FROM unnest(${sql.param(texts)}::text[]) WITH ORDINALITY AS t(v, n) ORDER BY t.n`
    )
    const got = rows.map((r) => (r.ms === null ? undefined : Number(r.ms)))
    expect(got).toEqual(texts.map((t) => instantOf(t)))
  })
})
