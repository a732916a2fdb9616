// Reading the console's search box: a filter as typed, or plain text as an indexed prefix filter.
import { describe, expect, test } from 'bun:test'
import { readSearch } from '../../src/console/search'
import { parseFilter } from '../../src/scim/filter/parser'

describe('console search', () => {
  test('text that starts like a filter runs as typed', () => {
    for (const q of [
      'userName eq "ada"',
      'emails.value co "example"',
      'emails[type eq "work"].value sw "a"',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales"',
      '(active eq true) and userName sw "a"',
      'not (active eq true)',
      'title pr',
      'meta.lastModified GT "2026-01-01T00:00:00Z"',
    ])
      expect(readSearch(q, 'User')).toEqual({ filter: q, mode: 'filter' })
  })

  test('plain text matches the start of userName for users and of displayName for groups', () => {
    expect(readSearch(' ada ', 'User')).toEqual({ filter: 'userName sw "ada"', mode: 'text' })
    expect(readSearch('Sales team', 'Group')).toEqual({ filter: 'displayName sw "Sales team"', mode: 'text' })
    expect(readSearch('', 'User')).toEqual({ mode: 'all' })
    expect(readSearch(undefined, 'User')).toEqual({ mode: 'all' })
  })

  test('quotes and backslashes in plain text stay part of the value', () => {
    const { filter } = readSearch('a"b\\c', 'User')
    const ast = parseFilter(filter!)
    expect(ast).toMatchObject({ kind: 'compare', op: 'sw', value: 'a"b\\c' })
  })
})
