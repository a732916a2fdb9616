// pgFilterToSql / pgOrderBySql on a real PostgreSQL select the same resources, in the same order, as the SQLite store.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql, type SQL } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/bun-sql'
import { PgDialect } from 'drizzle-orm/pg-core'
import rfcFilters from '../fixtures/filter/rfc7644-3.4.2.2.json'
import { ScimError } from '../../src/scim/errors'
import { parseAttrPath, parseFilter } from '../../src/scim/filter'
import { resolveAttribute, resolveFilter } from '../../src/scim/filter/resolve'
import type { ResourceType } from '../../src/scim/schema/types'
import { openDatabase, type OpenedDatabase } from '../../src/store/db'
import { filterToSql, orderBySql } from '../../src/store/filter-sql'
import { pgFilterToSql, pgOrderBySql } from '../../src/store-pg/filter-sql'
import { applyPgMigrations } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { STORE_DATASET } from '../fixtures/filter/store-dataset'
import {
  builtinRegistry,
  type Dataset,
  generateDataset,
  randomFilter,
  Rng,
  sqlIds,
  storeDataset,
  typeOf,
  URN_ACME,
} from '../helpers/generate'
import { storePgDataset } from '../helpers/pg-dataset'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const URN_ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

/** The filters of tests/store/filter-sql.test.ts, which pin the SQLite store's semantics case by case. */
const STORE_CASES: [string, 'User' | 'Group'][] = [
  ...[
    'userName eq "bjensen"',
    'userName sw "B"',
    'userName co "\\\\b_"',
    'userName gt "bz"',
    'title co "%_"',
    'title sw "50%"',
    'title ew "off"',
    'title ne "50off"',
    'not (title eq "50off")',
    'title eq null',
    'externalId eq "ext-1"',
    'externalId sw "Ext"',
    'externalId ew ""',
    'active eq true',
    'active ne true',
    'active pr',
    'emails pr',
    'emails.type ne "work"',
    'emails[type eq "home" and value co "example"]',
    'emails.type eq "home" and emails.value co "example"',
    'emails[type eq "home" and value sw "jim"]',
    'emails[not (primary eq true)]',
    'emails[primary eq "True"].value ew "example.com"',
    'meta.created gt "2011-06-01T00:00:00Z"',
    'meta.created eq "2011-01-01"',
    'meta.version eq "W/\\"10\\""',
    'meta.resourceType eq "User"',
    'meta[created lt "2012-01-01" and version eq "W/\\"3\\""]',
    `${URN_ENTERPRISE}:department eq "SALES"`,
    `${URN_ENTERPRISE}:manager eq "u2"`,
    `${URN_ENTERPRISE}:manager[displayName ne "x"]`,
    `${URN_ENTERPRISE}:manager.displayName ne "x"`,
    'groups.display eq "tour guides"',
    'groups[value eq "g1" and type eq "direct"]',
    'groups pr',
    'not (groups pr)',
    'meta pr',
    'schemas eq "urn:ietf:params:scim:schemas:core:2.0:User"',
    `${URN_ACME}:hiredAt gt "2021-06-01T00:00:00Z"`,
    `${URN_ACME}:level ge 5 and ${URN_ACME}:score lt 4.5`,
    `${URN_ACME}:contractor eq false`,
    `${URN_ACME}:tags co "b_"`,
    `${URN_ACME}:codes[value eq "a1" and kind eq "y"]`,
    'userName eq "straße.1"',
  ].map((f): [string, 'User'] => [f, 'User']),
  ...[
    'displayName eq "TOUR GUIDES"',
    'members.value eq "u2"',
    'members eq "G1"',
    'members[type eq "group"]',
    'members.display eq "bjensen"',
    'members[display sw "tour" and type eq "Group"]',
    'members.type ne "User"',
    'not (members.display co "jim")',
  ].map((f): [string, 'Group'] => [f, 'Group']),
  ...rfcFilters.map((c): [string, 'User'] => [c.filter, 'User']),
]

const RANDOM_FILTERS = Number(process.env.DIFF_FILTERS ?? 1500)

const server = await testPostgres()

/** One dataset written to both stores. */
interface Pair {
  lite: OpenedDatabase
  pg: TestDatabase
  orm: ReturnType<typeof drizzle>
}

async function openPair(ds: Dataset): Promise<Pair> {
  const pg = await freshDatabase(server!)
  await applyPgMigrations(pg.sql, MIGRATIONS)
  await storePgDataset(pg.sql, ds)
  const lite = openDatabase(':memory:')
  storeDataset(lite, ds)
  return { lite, pg, orm: drizzle({ client: pg.sql }) }
}

describe.skipIf(!server)('store-pg/filter-sql', () => {
  const registry = builtinRegistry(true)
  const rng = new Rng(14)
  const ds = generateDataset(rng, 600, 30)
  let pairs: Pair[] = []
  let big: Pair
  let lite: OpenedDatabase
  let orm: ReturnType<typeof drizzle>

  beforeAll(async () => {
    big = await openPair(ds)
    pairs = [big, await openPair(STORE_DATASET)]
    lite = big.lite
    orm = big.orm
  })
  afterAll(async () => {
    for (const p of pairs) await p.pg.drop()
  })

  async function pgIds(pair: Pair, type: string, where: SQL): Promise<string[]> {
    const rows = await pair.orm.execute<{ id: string }>(sql`SELECT id FROM resources WHERE type = ${type} AND ${where}`)
    return rows.map((r) => r.id).sort()
  }

  /** Both stores' ids for `text`, or undefined when the resolver rejects it (both stores never see it). */
  async function both(text: string, typeName: string, pair = big): Promise<[string[], string[]] | undefined> {
    const type = typeOf(registry, typeName)
    let resolved
    try {
      resolved = resolveFilter(parseFilter(text), type)
    } catch (err) {
      if (err instanceof ScimError && err.scimType === 'invalidFilter') return undefined
      throw err
    }
    return [
      sqlIds(pair.lite, typeName, filterToSql(resolved, type)),
      await pgIds(pair, typeName, pgFilterToSql(resolved, type)),
    ]
  }

  test.each(STORE_CASES)('%s (%s) matches what SQLite matches, on both datasets', async (text, typeName) => {
    for (const pair of pairs) {
      const got = await both(text, typeName, pair)
      expect(got).toBeDefined()
      expect(got![1]).toEqual(got![0])
    }
  })

  test('the tests/store cases select what they pin there (u1–u3, g1–g2)', async () => {
    const small = pairs[1]!
    const expected: [string, string, string[]][] = [
      ['userName co "\\\\b_"', 'User', ['u3']],
      ['title co "%_"', 'User', ['u1']],
      ['title ne "50off"', 'User', ['u1', 'u3']],
      ['emails[type eq "home" and value co "example"]', 'User', []],
      ['emails.type eq "home" and emails.value co "example"', 'User', ['u1', 'u2']],
      ['meta.version eq "W/\\"10\\""', 'User', ['u2']],
      [`${URN_ENTERPRISE}:manager eq "u2"`, 'User', ['u1']],
      ['groups[value eq "g1" and type eq "direct"]', 'User', ['u1', 'u2']],
      ['not (groups pr)', 'User', ['u3']],
      ['members eq "G1"', 'Group', ['g2']],
      ['members[display sw "tour" and type eq "Group"]', 'Group', ['g2']],
    ]
    for (const [text, typeName, ids] of expected) expect((await both(text, typeName, small))?.[1]).toEqual(ids)
  })

  test(`${RANDOM_FILTERS} random filters: PostgreSQL and SQLite select the same resources`, async () => {
    const failures: string[] = []
    let compared = 0
    let proper = 0
    for (let i = 0; i < RANDOM_FILTERS; i++) {
      const typeName = i % 6 === 5 ? 'Group' : 'User'
      const text = randomFilter(rng, ds, typeName)
      let got: [string[], string[]] | undefined
      try {
        got = await both(text, typeName)
      } catch (err) {
        failures.push(`${typeName} ${text}: ${String((err as { cause?: unknown }).cause ?? err)}`)
        continue
      }
      if (!got) continue
      compared++
      const all = typeName === 'User' ? ds.users.length : ds.groups.length
      if (got[0].length > 0 && got[0].length < all) proper++
      if (got[0].join() !== got[1].join())
        failures.push(`${typeName} ${text}: sqlite ${got[0].length}, pg ${got[1].length}`)
    }
    if (failures.length > 0) console.log(failures.slice(0, 10).join('\n'))
    expect(failures).toEqual([])
    expect(compared).toBeGreaterThan(RANDOM_FILTERS * 0.65)
    expect(proper).toBeGreaterThan(RANDOM_FILTERS * 0.25)
  }, 60_000)

  async function orders(path: string, order: 'ascending' | 'descending', type: ResourceType): Promise<string[][]> {
    const ra = resolveAttribute(parseAttrPath(path)!, type)
    const liteRows = lite.orm.all<{ id: string }>(
      sql`SELECT id FROM resources WHERE type = ${type.name} ORDER BY ${sql.join(orderBySql(ra, type, order), sql`, `)}, id`
    )
    const pgRows = await orm.execute<{ id: string }>(
      sql`SELECT id FROM resources WHERE type = ${type.name} ORDER BY ${sql.join(pgOrderBySql(ra, type, order), sql`, `)}, id COLLATE "C"`
    )
    return [liteRows.map((r) => r.id), pgRows.map((r) => r.id)]
  }

  test.each([
    'userName',
    'name.familyName',
    'title',
    'displayName',
    'emails',
    'emails.type',
    'groups.display',
    'meta.version',
    'meta.created',
    'externalId',
    'active',
    `${URN_ACME}:hiredAt`,
    `${URN_ACME}:score`,
    `${URN_ENTERPRISE}:manager`,
  ])('sortBy %s: the same order as SQLite, missing values last ascending and first descending', async (path) => {
    const User = typeOf(registry, 'User')
    for (const order of ['ascending', 'descending'] as const) {
      const [lite, pg] = await orders(path, order, User)
      expect(pg).toEqual(lite)
    }
  })

  test('sortBy members.display on groups: the same order as SQLite', async () => {
    const [liteOrder, pgOrder] = await orders('members.display', 'ascending', typeOf(registry, 'Group'))
    expect(pgOrder).toEqual(liteOrder)
  })

  test("numbers compare with every digit JavaScript reads in them (beyond float8→numeric's 15), as on SQLite", async () => {
    const at = (id: string, level: number, score: number) => ({
      id,
      userName: id,
      meta: {
        resourceType: 'User',
        created: '2026-01-01T00:00:00.000Z',
        lastModified: '2026-01-01T00:00:00.000Z',
        version: 'W/"1"',
      },
      [URN_ACME]: { level, score },
    })
    const numbers = await openPair({
      users: [
        at('n1', 9007199254740992, 0.30000000000000004),
        at('n2', 9007199254740000, 0.3),
        at('n3', 123456789012345680, 1e-7),
      ],
      groups: [],
    })
    pairs.push(numbers)
    const cases: [string, string[]][] = [
      [`${URN_ACME}:level eq 9007199254740992`, ['n1']],
      [`${URN_ACME}:level gt 9007199254740000`, ['n1', 'n3']],
      [`${URN_ACME}:level eq 123456789012345680`, ['n3']],
      [`${URN_ACME}:score eq 0.30000000000000004`, ['n1']],
      [`${URN_ACME}:score eq 0.3`, ['n2']],
      [`${URN_ACME}:score eq 1e-7`, ['n3']],
      [`${URN_ACME}:score lt 0.30000000000000004`, ['n2', 'n3']],
    ]
    for (const [text, ids] of cases) {
      const [lite, pg] = (await both(text, 'User', numbers))!
      expect({ text, lite, pg }).toEqual({ text, lite: ids, pg: ids })
    }
  })

  test('client text only ever travels as a bound parameter, JSON paths included', () => {
    const User = typeOf(registry, 'User')
    const evil = `x') OR 1=1 --`
    const where = pgFilterToSql(
      resolveFilter(parseFilter(`title eq ${JSON.stringify(evil)} or ${URN_ENTERPRISE}:department co "d"`), User),
      User
    )
    const q = orm.select().from(sql`resources`).where(where).toSQL()
    expect(q.sql).not.toContain('1=1')
    expect(q.sql).not.toContain('department')
    expect(q.params).toContain(evil)
    expect(q.params).toContain(URN_ENTERPRISE)
    expect(q.params).toContain('department')
  })

  test('attributes that exist but are not stored are invalidFilter, not silently dropped', () => {
    const User = typeOf(registry, 'User')
    for (const text of ['meta.location eq "x"', 'groups.$ref pr']) {
      expect(() => pgFilterToSql(resolveFilter(parseFilter(text), User), User)).toThrow(ScimError)
    }
  })
})

test('an or of tests over one multi-valued attribute is one EXISTS, as in the SQLite store', () => {
  const registry = builtinRegistry(true)
  const pgDialect = new PgDialect()
  const exists = (text: string, typeName: string) => {
    const type = typeOf(registry, typeName)
    const q = pgDialect.sqlToQuery(pgFilterToSql(resolveFilter(parseFilter(text), type), type))
    return q.sql.match(/EXISTS \(/g)?.length ?? 0
  }
  const anyOf = (n: number, leaf: (i: number) => string) => Array.from({ length: n }, (_, i) => leaf(i)).join(' or ')
  expect(
    exists(
      anyOf(10, (i) => `groups.display co "g${i}"`),
      'User'
    )
  ).toBe(1)
  expect(
    exists(
      anyOf(10, (i) => `members[display co "u${i}" and type eq "User"]`),
      'Group'
    )
  ).toBe(1)
  expect(
    exists(
      anyOf(40, (i) => `emails.value ew "${i}.com"`),
      'User'
    )
  ).toBe(1)
  expect(
    exists('groups.display eq "x" or userName eq "b" or groups.display ne "y" or emails.type eq null', 'User')
  ).toBe(4)
})
