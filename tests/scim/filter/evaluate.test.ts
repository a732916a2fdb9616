// RFC 7644 §3.4.2.2 filter semantics in memory, and the PATCH element selector (§3.5.2).
import { describe, expect, test } from 'bun:test'
import { parseFilter } from '../../../src/scim/filter'
import { evaluateFilter, isPresent, matchesElement } from '../../../src/scim/filter/evaluate'
import { resolveFilter, resolveValueFilter } from '../../../src/scim/filter/resolve'
import { builtinRegistry, typeOf, URN_ENTERPRISE } from '../../helpers/generate'

const registry = builtinRegistry()
const User = typeOf(registry, 'User')
const Group = typeOf(registry, 'Group')

// Shaped like RFC 7643 §8.2 (abridged), as the HTTP layer renders it.
const bjensen = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', URN_ENTERPRISE],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: 'bjensen',
  userName: 'bjensen@example.com',
  name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
  displayName: 'Babs Jensen',
  title: '',
  userType: 'Employee',
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  roles: [{ value: 'admin', primary: true }],
  groups: [{ value: 'e9e30dba-f08f-4109-8486-d5c6a331660a', display: 'Tour Guides', type: 'direct' }],
  [URN_ENTERPRISE]: {
    employeeNumber: '701984',
    department: 'Tour Operations',
    manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' },
  },
  meta: {
    resourceType: 'User',
    created: '2010-01-23T04:56:22Z',
    lastModified: '2011-05-13T04:42:34.000Z',
    version: 'W/"3"',
    location: 'https://example.com/v2/Users/2819c223',
  },
}
const bare = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: 'b',
  userName: 'Bare',
  emails: [],
  displayName: null,
  meta: { resourceType: 'User' },
}
const tourGuides = {
  id: 'e9e30dba-f08f-4109-8486-d5c6a331660a',
  displayName: 'Tour Guides',
  members: [
    { value: '2819c223-7f76-453a-919d-413861904646', display: 'bjensen@example.com', type: 'User' },
    { value: '902c246b-6245-4190-8e05-00816be7344a', display: 'Mandy Pepperidge', type: 'User' },
  ],
  meta: {
    resourceType: 'Group',
    created: '2010-01-23T04:56:22Z',
    lastModified: '2011-05-13T04:42:34Z',
    version: 'W/"9"',
  },
}

const matches = (text: string, resource: Record<string, unknown> = bjensen, type = User): boolean =>
  evaluateFilter(resolveFilter(parseFilter(text), type), resource)

describe('scim/filter/evaluate', () => {
  test.each([
    ['userName eq "BJENSEN@example.com"', true],
    ['userName sw "bj"', true],
    ['name.familyName co "ens"', true],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "B"', true],
    ['title pr', false],
    ['userType pr', true],
    ['meta.lastModified gt "2011-05-13T04:42:33Z"', true],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', true],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', false],
    ['meta.lastModified le "2011-05-13T06:42:34+02:00"', true],
    ['title pr and userType eq "Employee"', false],
    ['title pr or userType eq "employee"', true],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', true],
    ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', false],
    ['userType eq "Employee" and (emails.type eq "work")', true],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', true],
    ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', true],
  ])('RFC 7644 §3.4.2.2 example %s → %p', (text, expected) => {
    expect(matches(text)).toBe(expected)
  })

  test('a value path needs one element satisfying the whole inner filter; dotted paths may use different elements', () => {
    expect(matches('emails[type eq "home" and value co "example.com"]')).toBe(false)
    expect(matches('emails.type eq "home" and emails.value co "example.com"')).toBe(true)
    expect(matches('emails[type eq "home" and not (primary eq true)]')).toBe(true)
  })

  test('caseExact:false folds; caseExact:true (id, externalId, meta.version) does not (RFC 7643 §2.2)', () => {
    expect(matches('displayName eq "BABS JENSEN"')).toBe(true)
    expect(matches('externalId eq "BJENSEN"')).toBe(false)
    expect(matches('externalId eq "bjensen"')).toBe(true)
    expect(matches('id sw "2819C223"')).toBe(false)
    expect(matches('meta.version eq "W/\\"3\\""')).toBe(true)
    expect(matches('meta.version eq "w/\\"3\\""')).toBe(false)
  })

  test('missing attributes: eq false, ne TRUE (our choice), pr false on missing/null/""/[]', () => {
    expect(matches('nickName eq "x"')).toBe(false)
    expect(matches('nickName ne "x"')).toBe(true)
    expect(matches('emails.display ne "x"')).toBe(true)
    expect(matches('emails.type ne "work"', bare)).toBe(true)
    expect(matches('emails pr', bare)).toBe(false)
    expect(matches('displayName pr', bare)).toBe(false)
    expect(matches('title pr')).toBe(false)
    expect(matches('not (nickName eq "x")')).toBe(true)
  })

  test('eq null means not present and ne null means present (RFC 7643 §2.5)', () => {
    expect(matches('title eq null')).toBe(true)
    expect(matches('title ne null')).toBe(false)
    expect(matches('displayName ne null')).toBe(true)
    expect(matches('emails eq null', bare)).toBe(true)
  })

  test('ordering: strings lexical after folding, dateTime as instants', () => {
    expect(matches('name.givenName gt "BARB"')).toBe(true)
    expect(matches('name.givenName lt "barbara"')).toBe(false)
    expect(matches('name.givenName le "BARBARA"')).toBe(true)
    // Stored without milliseconds, compared as the same instant.
    expect(matches('meta.created eq "2010-01-23T04:56:22.000Z"')).toBe(true)
    expect(matches('meta.created gt "2010-01-23"')).toBe(true)
  })

  test('caseExact:false values fold with full Unicode case folding, not toLowerCase', () => {
    const greek = { ...bare, userName: 'ΟΔΟΣ', displayName: 'Straße', emails: [{ value: 'ﬁnn@example.com' }] }
    expect(matches('userName eq "οδοσ"', greek)).toBe(true) // toLowerCase gives οδος
    expect(matches('displayName eq "STRASSE"', greek)).toBe(true)
    expect(matches('emails.value sw "FINN"', greek)).toBe(true)
    expect(matches('displayName eq "strase"', greek)).toBe(false)
  })

  test('stored dateTimes are read as SQLite reads them: zones, zone-less UTC, sub-millisecond rounding', () => {
    const at = (lastModified: string) => ({ ...bare, meta: { resourceType: 'User', lastModified } })
    expect(matches('meta.lastModified eq "2024-03-01T08:00:00Z"', at('2024-03-01T10:00:00+02:00'))).toBe(true)
    expect(matches('meta.lastModified eq "2024-03-01T08:00:00Z"', at('2024-03-01T08:00:00'))).toBe(true)
    expect(matches('meta.lastModified eq "2024-03-01T08:00:00.001Z"', at('2024-03-01T08:00:00.0005Z'))).toBe(true)
    expect(matches('meta.lastModified gt "2024-03-01T08:30:00Z"', at('2024-03-01T10:00:00+02:00'))).toBe(false)
    expect(matches('meta.lastModified lt "2030-01-01T00:00:00Z"', at('now'))).toBe(false)
  })

  test('multi-valued: any element matches; booleans from Entra strings', () => {
    expect(matches('emails.value ew ".org"')).toBe(true)
    expect(matches('emails[primary eq "True"].value eq "bjensen@example.com"')).toBe(true)
    expect(matches('roles[primary eq "FALSE"]')).toBe(false)
    expect(matches('active eq true and active ne false')).toBe(true)
  })

  test('extension attributes live under their URN key; single-valued complex value paths work', () => {
    expect(matches(`${URN_ENTERPRISE}:department eq "tour operations"`)).toBe(true)
    expect(matches(`${URN_ENTERPRISE}:manager eq "26118915-6090-4610-87e4-49d8ca9f808d"`)).toBe(true)
    expect(matches(`${URN_ENTERPRISE}:manager[displayName sw "john" and value pr]`)).toBe(true)
    expect(matches(`${URN_ENTERPRISE}:manager[displayName pr]`, bare)).toBe(false)
    expect(matches(`${URN_ENTERPRISE}:manager.displayName ne "x"`, bare)).toBe(true)
    expect(matches('meta[resourceType eq "User" and lastModified gt "2011-01-01"]')).toBe(true)
  })

  test('groups and members are ordinary multi-valued attributes of the rendered resource', () => {
    expect(matches('groups[display eq "tour guides" and type eq "direct"]')).toBe(true)
    expect(matches('groups.value eq "e9e30dba-f08f-4109-8486-d5c6a331660a"')).toBe(true)
    expect(matches('members[value eq "902c246b-6245-4190-8e05-00816be7344a"]', tourGuides, Group)).toBe(true)
    expect(matches('members.display sw "mandy"', tourGuides, Group)).toBe(true)
    expect(matches('members[type eq "Group"]', tourGuides, Group)).toBe(false)
  })

  test('matchesElement selects PATCH targets with the inner filter of a path (RFC 7644 §3.5.2)', () => {
    const emails = User.core.attributes.get('emails')!
    const inner = resolveValueFilter(parseFilter('type eq "WORK" and primary eq true'), emails)
    expect(bjensen.emails.map((e) => matchesElement(inner, e))).toEqual([true, false])
    const whole = resolveFilter(parseFilter('emails[type eq "home"]'), User)
    expect(bjensen.emails.map((e) => matchesElement(whole, e))).toEqual([false, true])
    expect(matchesElement(inner, 'not an object')).toBe(false)
  })

  test('isPresent follows RFC 7643 §2.5', () => {
    expect([undefined, null, '', []].map(isPresent)).toEqual([false, false, false, false])
    expect([0, false, 'x', {}, [1]].map(isPresent)).toEqual([true, true, true, true, true])
  })
})
