// filterToSql / sortKeySql on a real in-memory SQLite: column mapping, bound parameters, RFC 7644 §3.4.2.2/§3.4.2.3 semantics.
import { beforeAll, describe, expect, test } from 'bun:test'
import { sql, type SQL } from 'drizzle-orm'
import { DEFAULT_FILTER_LIMITS, parseFilter, parseAttrPath } from '../../src/scim/filter'
import { resolveAttribute, resolveFilter } from '../../src/scim/filter/resolve'
import { evaluateFilter } from '../../src/scim/filter/evaluate'
import { filterToSql, orderBySql, sortKeySql } from '../../src/store/filter-sql'
import { escapeLike } from '../../src/store/filter-sql-ops'
import { openDatabase, type OpenedDatabase } from '../../src/store/db'
import { resources } from '../../src/store/tables'
import { ScimError } from '../../src/scim/errors'
import { STORE_DATASET } from '../fixtures/filter/store-dataset'
import { builtinRegistry, sqlIds, storeDataset, typeOf, URN_ENTERPRISE, type Dataset } from '../helpers/generate'

const registry = builtinRegistry()
const User = typeOf(registry, 'User')
const Group = typeOf(registry, 'Group')
/** Wildcards in text, ne on missing values, memberships: the dataset the PostgreSQL filter tests share. */
const ds: Dataset = STORE_DATASET
// What the HTTP layer would render: groups[] on users, display on members.
const rendered: Dataset = {
  users: ds.users.map((u) => ({
    ...u,
    groups: ds.groups
      .filter((g) => (g.members as { value: string }[]).some((m) => m.value === u.id))
      .map((g) => ({ value: g.id, display: g.displayName, type: 'direct' })),
  })),
  groups: ds.groups.map((g) => ({
    ...g,
    members: (g.members as { value: string; type: string }[]).map((m) => ({
      ...m,
      display: ((r) => r.displayName ?? r.userName)([...ds.users, ...ds.groups].find((r) => r.id === m.value)!),
    })),
  })),
}

let db: OpenedDatabase
beforeAll(() => {
  db = openDatabase(':memory:')
  storeDataset(db, ds)
})

const where = (text: string, type = User): SQL => filterToSql(resolveFilter(parseFilter(text), type), type)
const ids = (text: string, type = User): string[] => sqlIds(db, type.name, where(text, type))
const toSQL = (w: SQL) => db.orm.select({ id: resources.id }).from(resources).where(w).toSQL()

describe('store/filter-sql', () => {
  test.each([
    ['userName eq "bjensen"', ['u1']],
    ['userName sw "B"', ['u1']],
    ['userName co "\\\\b_"', ['u3']],
    ['userName gt "bz"', ['u2']],
    ['title co "%_"', ['u1']],
    ['title sw "50%"', ['u1']],
    ['title ew "off"', ['u1', 'u2']],
    ['title ne "50off"', ['u1', 'u3']],
    ['not (title eq "50off")', ['u1', 'u3']],
    ['title eq null', ['u3']],
    ['externalId eq "ext-1"', []],
    ['externalId sw "Ext"', ['u1']],
    ['externalId ew ""', ['u1']],
    ['active eq true', ['u1']],
    ['active ne true', ['u2', 'u3']],
    ['active pr', ['u1', 'u2']],
    ['emails pr', ['u1', 'u2']],
    ['emails.type ne "work"', ['u1', 'u2', 'u3']],
    ['emails[type eq "home" and value co "example"]', []],
    ['emails.type eq "home" and emails.value co "example"', ['u1', 'u2']],
    ['emails[type eq "home" and value sw "jim"]', ['u2']],
    ['emails[not (primary eq true)]', ['u1', 'u2']],
    ['emails[primary eq "True"].value ew "example.com"', ['u1']],
    ['meta.created gt "2011-06-01T00:00:00Z"', ['u2', 'u3']],
    ['meta.created eq "2011-01-01"', ['u1']],
    ['meta.version eq "W/\\"10\\""', ['u2']],
    ['meta.resourceType eq "User"', ['u1', 'u2', 'u3']],
    ['meta[created lt "2012-01-01" and version eq "W/\\"3\\""]', ['u1']],
    [`${URN_ENTERPRISE}:department eq "SALES"`, ['u1']],
    [`${URN_ENTERPRISE}:manager eq "u2"`, ['u1']],
    [`${URN_ENTERPRISE}:manager[displayName ne "x"]`, ['u1']],
    [`${URN_ENTERPRISE}:manager.displayName ne "x"`, ['u1', 'u2', 'u3']],
    ['groups.display eq "tour guides"', ['u1', 'u2']],
    ['groups[value eq "g1" and type eq "direct"]', ['u1', 'u2']],
    ['groups pr', ['u1', 'u2']],
    ['not (groups pr)', ['u3']],
  ])('User %s → %p', (text, expected) => {
    expect(ids(text)).toEqual(expected)
    // The same answer as the in-memory oracle.
    const resolved = resolveFilter(parseFilter(text), User)
    expect(rendered.users.filter((u) => evaluateFilter(resolved, u)).map((u) => u.id)).toEqual(expected)
  })

  test.each([
    ['displayName eq "TOUR GUIDES"', ['g1']],
    ['members.value eq "u2"', ['g1']],
    ['members eq "G1"', ['g2']],
    ['members[type eq "group"]', ['g2']],
    ['members.display eq "bjensen"', ['g1']],
    ['members[display sw "tour" and type eq "Group"]', ['g2']],
    ['members.type ne "User"', ['g2']],
    ['not (members.display co "jim")', ['g2']],
  ])('Group %s → %p', (text, expected) => {
    expect(ids(text, Group)).toEqual(expected)
    const resolved = resolveFilter(parseFilter(text), Group)
    expect(rendered.groups.filter((g) => evaluateFilter(resolved, g)).map((g) => g.id)).toEqual(expected)
  })

  test('promoted userName compares name_ci with a JS-folded parameter (non-ASCII folds correctly)', () => {
    const q = toSQL(where('userName eq "ÉMILE"'))
    expect(q.sql).toContain('"resources"."name_ci" = ?')
    expect(q.params).toEqual(['émile'])
  })

  test('client text only ever travels as a bound parameter, JSON paths included', () => {
    const evil = `x') OR 1=1 --`
    const q = toSQL(where(`title eq ${JSON.stringify(evil)} or emails[value co ${JSON.stringify(evil)}]`))
    expect(q.sql).not.toContain('1=1')
    expect(q.params).toContain(evil)
    expect(q.params).toContain(`%${escapeLike(evil)}%`)
    const ext = toSQL(where(`${URN_ENTERPRISE}:department eq "x"`))
    expect(ext.params).toContain(`$."${URN_ENTERPRISE}"."department"`)
    expect(ext.sql).not.toContain('department')
  })

  test('caseExact:false JSON strings use lower()/LIKE ESCAPE; caseExact:true uses instr/substr', () => {
    expect(toSQL(where('title eq "x"')).sql).toContain('lower(json_extract(')
    expect(toSQL(where('title co "x"')).sql).toContain(`LIKE ? ESCAPE '\\'`)
    expect(toSQL(where('externalId co "x"')).sql).toContain('instr("resources"."external_id", ?) > 0')
    expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b')
  })

  test('attributes that exist but are not stored are invalidFilter, not silently dropped', () => {
    for (const text of ['meta.location eq "x"', 'groups.$ref pr']) {
      expect(() => where(text)).toThrow(ScimError)
    }
    expect(() => where('members.$ref pr', Group)).toThrow(/members\.\$ref/)
  })

  function sorted(path: string, order: 'ascending' | 'descending' = 'ascending', type = User): string[] {
    const ra = resolveAttribute(parseAttrPath(path)!, type)
    const rows = db.orm.all<{ id: string }>(
      sql`SELECT id FROM resources WHERE type = ${type.name} ORDER BY ${sql.join(orderBySql(ra, type, order), sql`, `)}, id`
    )
    return rows.map((r) => r.id)
  }

  test('sortKeySql: folded strings, missing values last ascending and first descending (RFC 7644 §3.4.2.3)', () => {
    expect(sorted('userName')).toEqual(['u3', 'u1', 'u2'])
    expect(sorted('name.familyName')).toEqual(['u1', 'u2', 'u3'])
    expect(sorted('name.familyName', 'descending')).toEqual(['u3', 'u2', 'u1'])
    expect(sorted('title')).toEqual(['u1', 'u2', 'u3'])
  })

  test('sortKeySql: multi-valued sorts by the primary element, else the first', () => {
    // u1's primary is bjensen@example.com (2nd element); u2 has no primary, so jim@example.com (1st).
    expect(sorted('emails')).toEqual(['u1', 'u2', 'u3'])
    // Both keys are "work" (u1's primary, u2's first), so id breaks the tie; u1's first element would be "home".
    expect(sorted('emails.type')).toEqual(['u1', 'u2', 'u3'])
    expect(sorted('groups.display', 'descending')).toEqual(['u3', 'u1', 'u2'])
  })

  test('sortKeySql: meta.version sorts by the integer, meta.created by instant', () => {
    expect(sorted('meta.version')).toEqual(['u1', 'u3', 'u2'])
    expect(sorted('meta.created', 'descending')).toEqual(['u3', 'u2', 'u1'])
    expect(sorted('members.display', 'ascending', Group)).toEqual(['g1', 'g2'])
    expect(() => sortKeySql(resolveAttribute({ name: 'name' }, User), User)).toThrow(ScimError)
  })
})

describe('store/filter-sql: an or of tests over one multi-valued attribute', () => {
  const exists = (w: SQL) => toSQL(w).sql.match(/EXISTS \(/g)?.length ?? 0
  const anyOf = (n: number, leaf: (i: number) => string) => Array.from({ length: n }, (_, i) => leaf(i)).join(' or ')

  // One correlated EXISTS per term made 95 `groups.display co` terms take 9 s on 3,000 users
  // (SQLite's cost grew with the square of the terms); one EXISTS over the rows is linear.
  test.each([
    ['groups.display co', User, 10, (i: number) => `groups.display co "g${i}"`],
    ['members.display co', Group, 10, (i: number) => `members.display co "u${i}"`],
    ['members[...]', Group, 10, (i: number) => `members[display co "u${i}" and type eq "User"]`],
    ['groups.value', User, 40, (i: number) => `groups.value eq "g${i}"`],
    ['emails.value', User, 40, (i: number) => `emails.value ew "${i}.com"`],
    ['emails[...]', User, 40, (i: number) => `emails[type eq "home" and value co "${i}"]`],
  ] as const)('%s: one EXISTS for %i terms', (_, type, n, leaf) => {
    expect(exists(where(anyOf(n, leaf), type))).toBe(1)
  })

  test('more display terms than DEFAULT_FILTER_LIMITS allows are invalidFilter; other membership terms are not capped', () => {
    const max = DEFAULT_FILTER_LIMITS.maxMemberDisplayTerms!
    expect(() => where(anyOf(max + 1, (i) => `groups.display co "g${i}"`))).toThrow(/at most 10/)
    expect(() =>
      where(
        anyOf(max + 1, (i) => `members[display eq "u${i}"]`),
        Group
      )
    ).toThrow(ScimError)
    expect(() => where(`${anyOf(max, (i) => `members[display eq "u${i}"]`)} or members.display pr`, Group)).toThrow(
      ScimError
    )
    expect(ids(anyOf(100, (i) => `groups.value eq "g${i}"`))).toEqual(ids('groups pr'))
  })

  test('ne and eq null keep their "no elements" rows, and other terms stay beside the shared EXISTS', () => {
    const text = 'groups.display eq "x" or userName eq "bjensen" or groups.display ne "y" or emails.type eq null'
    expect(exists(where(text))).toBe(4) // groups: any + none; emails: any + none
    for (const t of [
      'groups.display co "a" or groups.display co "e"',
      'groups.display ne "x" or groups.value eq "g1"',
      'members.display co "j" or members.value eq "u3" or displayName eq "x"',
      'emails.type eq null or emails.value co "jim"',
      'emails[type eq "home"] or emails[value co "barbara"] or emails.value co "jim"',
    ]) {
      const type = t.startsWith('members') ? Group : User
      const data = type === User ? rendered.users : rendered.groups
      const expected = data
        .filter((r) => evaluateFilter(resolveFilter(parseFilter(t), type), r))
        .map((r) => r.id as string)
      expect(ids(t, type)).toEqual(expected.sort())
    }
  })
})
