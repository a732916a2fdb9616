// A root search's filter as each resource type sees it: what a type lacks is a value none of its resources has.
import { describe, expect, test } from 'bun:test'
import { parseFilter } from '../../src/scim/filter/parser'
import { printFilter } from '../../src/scim/filter/print'
import { buildRegistry } from '../../src/scim/schema/builtin'
import { filterForType } from '../../src/service/root-filter'
import { catchScimError } from '../helpers/scim'

const registry = buildRegistry()
const types = registry.resourceTypes
const user = registry.resourceType('User')!
const group = registry.resourceType('Group')!

/** The filter each type is asked: its text, or true/false when it is the same for all of the type's resources. */
function seen(filter: string): { User: string | boolean; Group: string | boolean } {
  const ast = parseFilter(filter)
  const text = (f: ReturnType<typeof filterForType>) => (typeof f === 'boolean' ? f : printFilter(f))
  return { User: text(filterForType(ast, user, types)), Group: text(filterForType(ast, group, types)) }
}

describe('service/root-filter', () => {
  test.each([
    ['members pr or userName eq "b"', { User: 'userName eq "b"', Group: 'members pr' }],
    ['members pr and userName eq "b"', { User: false, Group: false }],
    ['not (members pr)', { User: true, Group: 'not (members pr)' }],
    ['userName ne "b"', { User: 'userName ne "b"', Group: true }],
    ['userName eq null', { User: 'userName eq null', Group: true }],
    ['userName ne null', { User: 'userName ne null', Group: false }],
    [
      'emails[type eq "work"] or displayName sw "A"',
      { User: 'emails[type eq "work"] or displayName sw "A"', Group: 'displayName sw "A"' },
    ],
    [
      'not (userName sw "a" or members.value eq "x")',
      { User: 'not (userName sw "a")', Group: 'not (members.value eq "x")' },
    ],
    ['meta.resourceType eq "User"', { User: 'meta.resourceType eq "User"', Group: 'meta.resourceType eq "User"' }],
  ])('%s', (filter, expected) => {
    expect(seen(filter)).toEqual(expected)
  })

  test('a filter every type has all of is the same node, so its text and cache serve it', () => {
    const ast = parseFilter('displayName eq "x" or meta.created gt "2026-01-01T00:00:00Z"')
    expect(filterForType(ast, user, types)).toBe(ast)
    expect(filterForType(ast, group, types)).toBe(ast)
  })

  test('an attribute no type has is a 400 invalidFilter, whatever else the filter says', () => {
    const error = catchScimError(() => filterForType(parseFilter('members pr or noSuch eq "x"'), user, types))
    expect([error.status, error.scimType]).toEqual([400, 'invalidFilter'])
    expect(error.detail).toContain('noSuch')
  })

  test('a never-returned attribute is refused even for a type that lacks it', () => {
    const error = catchScimError(() => filterForType(parseFilter('password eq "x" or members pr'), group, types))
    expect([error.status, error.scimType]).toEqual([400, 'invalidFilter'])
  })
})
