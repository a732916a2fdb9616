// The filter leniencies are told to the sink from the resolved filter, so cached filters report too.
import { describe, expect, test } from 'bun:test'
import { reportFilter } from '../../../src/scim/compat/filter'
import type { CompatRule } from '../../../src/scim/compat/rules'
import { URN_ENTERPRISE_USER } from '../../../src/scim/constants'
import { parseFilter } from '../../../src/scim/filter/parser'
import { resolveFilter } from '../../../src/scim/filter/resolve'
import type { ResourceType } from '../../../src/scim/schema/types'
import { attribute } from '../../helpers/schema'
import { testRegistry, typeNamed, userTypeWith } from '../patch/registry'

const USER = typeNamed(testRegistry(), 'User')
const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User'
const ACME_USER = userTypeWith({ id: ACME, attributes: [attribute('badge', 'integer')] })

function fires(text: string, type: ResourceType = USER): CompatRule[] {
  const fired: CompatRule[] = []
  const ast = parseFilter(text)
  reportFilter(ast, resolveFilter(ast, type), type, (r) => {
    if (!fired.includes(r)) fired.push(r)
  })
  return fired
}

describe('scim/compat/filter', () => {
  test('filter-unquoted: a bare word, or an unquoted number compared with a string attribute', () => {
    expect(fires('externalId eq jyoung')).toEqual(['filter-unquoted'])
    expect(fires('externalId eq 00271')).toEqual(['filter-unquoted'])
    expect(fires('userName eq "a" or (emails[type eq work] and active eq true)')).toEqual(['filter-unquoted'])
  })

  test('filter-unquoted stays quiet for JSON values: strings, true/false/null, a number on a number attribute', () => {
    expect(fires('externalId eq "jyoung"')).toEqual([])
    expect(fires('active eq true and title ne null')).toEqual([])
    expect(fires(`${ACME}:badge gt 5`, ACME_USER)).toEqual([])
  })

  test('bool-string: a quoted boolean (`roles[primary eq "True"]`, Entra)', () => {
    expect(fires('roles[primary eq "True"]')).toEqual(['bool-string'])
    expect(fires('roles[primary eq true]')).toEqual([])
  })

  test('filter-vpath-sub: Entra\'s `emails[type eq "work"].value eq "x"`, not the RFC\'s bracketed form', () => {
    expect(fires('emails[type eq "work"].value eq "x"')).toEqual(['filter-vpath-sub'])
    expect(fires('emails[type eq "work" and value eq "x"]')).toEqual([])
  })

  test('unqualified-extension: an extension attribute named without its URN', () => {
    expect(fires('manager.value eq "m1"')).toEqual(['unqualified-extension'])
    expect(fires('employeeNumber pr')).toEqual(['unqualified-extension'])
    expect(fires(`${URN_ENTERPRISE_USER}:manager.value eq "m1"`)).toEqual([])
    expect(fires('emails[type eq "work"] and name.givenName sw "A"')).toEqual([])
  })
})
