// RFC 7644 §3.4.2.2 filter validation against the built-in schemas: binding, operator/type rules, value normalisation.
import { describe, expect, test } from 'bun:test'
import { parseFilter } from '../../../src/scim/filter'
import { resolveFilter, resolveValueFilter, type ResolvedFilter } from '../../../src/scim/filter/resolve'
import { ScimError } from '../../../src/scim/errors'
import { builtinRegistry, typeOf, URN_ENTERPRISE } from '../../helpers/generate'

const registry = builtinRegistry()
const User = typeOf(registry, 'User')
const Group = typeOf(registry, 'Group')
const resolve = (text: string, type = User): ResolvedFilter => resolveFilter(parseFilter(text), type)

function rejects(text: string, type = User): string {
  try {
    resolve(text, type)
  } catch (err) {
    expect(err).toBeInstanceOf(ScimError)
    expect((err as ScimError).scimType).toBe('invalidFilter')
    return (err as ScimError).detail
  }
  throw new Error(`expected ${text} to be rejected`)
}

type Leaf = Extract<ResolvedFilter, { kind: 'compare' | 'present' }>

/** The leaf of a one-leaf filter, for assertions; `value` is undefined for `pr`. */
function leaf(node: ResolvedFilter): Leaf & { value?: unknown } {
  if (node.kind !== 'compare' && node.kind !== 'present') throw new Error(`not a leaf: ${node.kind}`)
  return node
}

describe('scim/filter/resolve', () => {
  test('attribute names are case-insensitive and bind to canonical attributes (RFC 7643 §2.1)', () => {
    const n = leaf(resolve('USERNAME eq "x"'))
    expect(n.attr.attr.name).toBe('userName')
    const s = leaf(resolve('NAME.GIVENNAME pr'))
    expect([s.attr.attr.name, s.attr.sub?.name]).toEqual(['name', 'givenName'])
  })

  test('a URN prefix must be the core schema or a declared extension (RFC 7644 §3.10)', () => {
    expect(leaf(resolve('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"')).attr.attr.name).toBe('userName')
    const ext = leaf(resolve(`${URN_ENTERPRISE}:manager.value eq "m1"`))
    expect([ext.attr.attr.name, ext.attr.attr.inExtension, ext.attr.sub?.name]).toEqual(['manager', true, 'value'])
    expect(leaf(resolve(`${URN_ENTERPRISE.toUpperCase()}:DEPARTMENT eq "x"`)).attr.attr.name).toBe('department')
    expect(rejects('urn:example:nope:2.0:User:userName eq "x"')).toContain('urn:example:nope:2.0:User')
    expect(rejects(`${URN_ENTERPRISE}:department eq "x"`, Group)).toContain('not a schema of resource type Group')
    // An unqualified name no core attribute has resolves to the one extension declaring it
    // (Entra's reference check sends `manager eq "…"`); names nobody declares still fail.
    expect(leaf(resolve('department eq "x"')).attr.attr.schema).toBe(URN_ENTERPRISE)
    expect(rejects('nobodyDeclares eq "x"')).toContain('"nobodyDeclares"')
  })

  test('undeclared attributes and sub-attributes are invalidFilter naming them, never dropped', () => {
    expect(rejects('nickname2 eq "x"')).toContain('"nickname2"')
    expect(rejects('name.middle eq "x"')).toContain('"name.middle"')
    expect(rejects('emails[kind eq "work"]')).toContain('"kind" is not a sub-attribute of \'emails\'')
    expect(rejects('title pr and members pr')).toContain('"members"')
    expect(rejects('userName pr', Group)).toContain('"userName"')
  })

  test('comparing a complex attribute means its value sub-attribute (RFC 7644 §3.4.2.2 examples)', () => {
    const n = leaf(resolve('emails co "example.com"'))
    expect([n.attr.attr.name, n.attr.sub?.name]).toEqual(['emails', 'value'])
    expect(leaf(resolve('members eq "abc"', Group)).attr.sub?.name).toBe('value')
    expect(rejects('name eq "x"')).toContain('cannot be compared directly')
    // pr on the complex attribute itself stays on the attribute.
    expect(leaf(resolve('emails pr')).attr.sub).toBeUndefined()
  })

  test.each([
    ['active gt true', 'boolean'],
    ['emails.primary le false', 'boolean'],
    ['x509Certificates.value gt "AAA="', 'binary'],
    ['emails gt "a"', 'complex'],
    ['active co "t"', 'boolean'],
    ['meta.created sw "2011"', 'dateTime'],
    ['x509Certificates.value co "A"', 'binary'],
  ])('rejects operator/type mismatch %s (RFC 7644 §3.4.2.2 operator table)', (text, type) => {
    expect(rejects(text)).toContain(type)
  })

  test('boolean values: JSON booleans, and "true"/"false" strings in any case (Entra roles[primary eq "True"])', () => {
    const n = resolve('roles[primary eq "True"]')
    expect(n.kind).toBe('valuePath')
    if (n.kind !== 'valuePath') return
    expect(n.filter).toMatchObject({ kind: 'compare', op: 'eq', value: true })
    expect(leaf(resolve('active ne "FALSE"')).value).toBe(false)
    expect(leaf(resolve('active eq false')).value).toBe(false)
    expect(rejects('active eq "yes"')).toContain('boolean')
    expect(rejects('active eq 1')).toContain('boolean')
  })

  test.each([
    ['2011-05-13T04:42:34Z', '2011-05-13T04:42:34.000Z'],
    ['2011-05-13T04:42:34.5Z', '2011-05-13T04:42:34.500Z'],
    ['2011-05-13T06:42:34+02:00', '2011-05-13T04:42:34.000Z'],
    ['2011-05-13T04:42:34', '2011-05-13T04:42:34.000Z'],
    ['2011-05-13', '2011-05-13T00:00:00.000Z'],
  ])('normalises dateTime %s to toISOString()', (input, iso) => {
    expect(leaf(resolve(`meta.lastModified gt "${input}"`)).value).toBe(iso)
  })

  test.each(['"yesterday"', '"1"', '20110513', 'true', '"2011-13-45T99:00:00Z"'])('rejects dateTime value %s', (v) => {
    expect(rejects(`meta.created gt ${v}`)).toContain('dateTime')
  })

  test('strings need string values; null only with eq/ne', () => {
    // An unquoted number is taken as written for a string attribute (lenient, like bare words).
    expect(leaf(resolve('externalId eq 00271')).value).toBe('00271')
    expect(rejects('userName eq true')).toContain('string')
    expect(leaf(resolve('title eq null')).value).toBeNull()
    expect(leaf(resolve('title ne null')).value).toBeNull()
    expect(rejects('title gt null')).toContain('null')
    expect(rejects('title co null')).toContain('null')
  })

  test('value paths: multi-valued or single-valued complex only; inner paths are sub-attributes', () => {
    const m = resolve(`${URN_ENTERPRISE}:manager[value eq "x"]`)
    expect(m).toMatchObject({ kind: 'valuePath', attr: { name: 'manager' } })
    const e = resolve('emails[type eq "work" and value co "@example.com"]')
    if (e.kind !== 'valuePath') throw new Error('expected valuePath')
    expect(e.filter).toMatchObject({
      kind: 'and',
      left: { attr: { attr: { name: 'type' } } },
      right: { attr: { attr: { name: 'value' } } },
    })
    expect(rejects('userName[value eq "x"]')).toContain('not a complex attribute')
    expect(rejects('emails[emails.type eq "work"]')).toContain('not a sub-attribute')
    expect(rejects('emails[urn:ietf:params:scim:schemas:core:2.0:User:type eq "work"]')).toContain(
      'not a sub-attribute'
    )
  })

  test('never-returned attributes (password) cannot be filtered', () => {
    expect(rejects('password eq "hunter2"')).toContain("'password'")
  })

  test('common attributes id, externalId and meta.* resolve on every type (RFC 7643 §3.1)', () => {
    for (const text of [
      'id eq "x"',
      'externalId eq "x"',
      'meta.resourceType eq "Group"',
      'meta.version eq "W/\\"1\\""',
    ]) {
      expect(() => resolve(text, Group)).not.toThrow()
    }
  })

  test('resolveValueFilter binds a PATCH path filter to the outer attribute (RFC 7644 §3.5.2)', () => {
    const members = Group.core.attributes.get('members')!
    const f = resolveValueFilter(parseFilter('value eq "abc" and TYPE eq "User"'), members)
    expect(f).toMatchObject({
      kind: 'and',
      left: { attr: { attr: { name: 'value' } } },
      right: { attr: { attr: { name: 'type' } } },
    })
    expect(() => resolveValueFilter(parseFilter('nope eq "x"'), members)).toThrow(/not a sub-attribute of 'members'/)
  })
})

describe('scim/filter a whole extension URN where an attribute belongs', () => {
  test('is refused saying it names the extension, not that its prefix is no schema', () => {
    const detail = rejects(`${URN_ENTERPRISE} pr`)
    expect(detail).toContain(`"${URN_ENTERPRISE}" is an extension schema`)
    expect(detail).not.toContain('is not a schema')
  })

  test('a schema the type lacks is still named as such', () => {
    expect(rejects('urn:example:nothing:2.0:User:x pr')).toContain('is not a schema of resource type User')
  })
})
