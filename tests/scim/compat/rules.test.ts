// Each IdP compatibility rule is told to the sink when it changes what was sent, and only then.
import { describe, expect, test } from 'bun:test'
import { normalizePatchRequest } from '../../../src/scim/compat/normalize-patch'
import { COMPAT_RULE_NAMES, type CompatRule } from '../../../src/scim/compat/rules'
import {
  URN_ENTERPRISE_USER,
  URN_GROUP,
  URN_LEGACY_MS_GROUP,
  URN_PATCH_OP,
  URN_USER,
} from '../../../src/scim/constants'
import type { Doc } from '../../../src/scim/document'
import { reportFilter } from '../../../src/scim/compat/filter'
import { parseFilter } from '../../../src/scim/filter/parser'
import { resolveFilter } from '../../../src/scim/filter/resolve'
import { applyPatch } from '../../../src/scim/patch/apply'
import { coerceResource } from '../../../src/scim/schema/coerce'
import type { ResourceType } from '../../../src/scim/schema/types'
import { testRegistry, typeNamed } from '../patch/registry'

const reg = testRegistry()
const USER = typeNamed(reg, 'User')
const GROUP = typeNamed(reg, 'Group')
const ALICE: Doc = { userName: 'alice', emails: [{ type: 'work', value: 'a@example.com' }] }

/** The rules a PATCH body fires through the normaliser and the engine, each once, in order. */
function patchFires(type: ResourceType, doc: Doc, body: Record<string, unknown>): CompatRule[] {
  const fired: CompatRule[] = []
  const sink = (r: CompatRule) => {
    if (!fired.includes(r)) fired.push(r)
  }
  applyPatch(type, doc, normalizePatchRequest(body, sink), sink)
  return fired
}

const patch = (type: ResourceType, doc: Doc, ...Operations: unknown[]) =>
  patchFires(type, doc, { schemas: [URN_PATCH_OP], Operations })

/** The rules a POST body fires through coercion. */
function createFires(type: ResourceType, body: Record<string, unknown>): CompatRule[] {
  const fired: CompatRule[] = []
  coerceResource(type, body, {
    mode: 'create',
    compat: (r) => {
      if (!fired.includes(r)) fired.push(r)
    },
  })
  return fired
}

const user = (extra: Record<string, unknown>) => createFires(USER, { schemas: [URN_USER], userName: 'bob', ...extra })
/** A user body that lists the enterprise extension it carries. */
const entUser = (extra: Record<string, unknown>) =>
  createFires(USER, { schemas: [URN_USER, URN_ENTERPRISE_USER], userName: 'bob', ...extra })

/** The rules a list filter fires (tests/scim/compat/filter.test.ts has more). */
function filterFires(text: string): CompatRule[] {
  const fired: CompatRule[] = []
  const ast = parseFilter(text)
  reportFilter(ast, resolveFilter(ast, USER), USER, (r) => fired.push(r))
  return fired
}

/** Per rule: a request that needs it (fires exactly that rule) and the RFC form (fires none). */
const cases: Record<CompatRule, { fires: () => CompatRule[]; quiet: () => CompatRule[] }> = {
  'op-case': {
    fires: () => patch(USER, ALICE, { op: 'Replace', path: 'title', value: 'x' }),
    quiet: () => patch(USER, ALICE, { op: 'replace', path: 'title', value: 'x' }),
  },
  'schemas-missing': {
    fires: () => createFires(USER, { userName: 'bob' }),
    quiet: () => user({}),
  },
  'schemas-incomplete': {
    fires: () => user({ [URN_ENTERPRISE_USER]: { employeeNumber: '7' } }),
    quiet: () => entUser({ [URN_ENTERPRISE_USER]: { employeeNumber: '7' } }),
  },
  'empty-path': {
    fires: () => patch(USER, ALICE, { op: 'replace', path: '', value: { title: 'x' } }),
    quiet: () => patch(USER, ALICE, { op: 'replace', value: { title: 'x' } }),
  },
  'null-ref': {
    fires: () =>
      patch(GROUP, { displayName: 'g' }, { op: 'add', path: 'members', value: [{ $ref: null, value: 'u1' }] }),
    quiet: () => patch(GROUP, { displayName: 'g' }, { op: 'add', path: 'members', value: [{ value: 'u1' }] }),
  },
  'echoed-read-only': {
    fires: () => patch(USER, ALICE, { op: 'replace', value: { id: '23a35c27', active: false } }),
    quiet: () => patch(USER, ALICE, { op: 'replace', value: { active: false } }),
  },
  'bool-string': {
    fires: () => user({ active: 'False' }),
    quiet: () => user({ active: false }),
  },
  'manager-string': {
    fires: () => entUser({ [URN_ENTERPRISE_USER]: { manager: 'm1' } }),
    quiet: () => entUser({ [URN_ENTERPRISE_USER]: { manager: { value: 'm1' } } }),
  },
  'array-as-single': {
    fires: () => entUser({ [URN_ENTERPRISE_USER]: { manager: [{ value: 'm1' }] } }),
    quiet: () => entUser({ [URN_ENTERPRISE_USER]: { manager: { value: 'm1' } } }),
  },
  'single-as-multi': {
    fires: () => user({ emails: { value: 'b@example.com' } }),
    quiet: () => user({ emails: [{ value: 'b@example.com' }] }),
  },
  'empty-string': {
    fires: () => user({ title: '' }),
    quiet: () => user({ title: 'Boss' }),
  },
  'path-key': {
    fires: () => user({ 'name.givenName': 'Bob' }),
    quiet: () => user({ name: { givenName: 'Bob' } }),
  },
  'unqualified-extension': {
    fires: () => patch(USER, ALICE, { op: 'add', path: 'employeeNumber', value: '7' }),
    quiet: () => patch(USER, ALICE, { op: 'add', path: `${URN_ENTERPRISE_USER}:employeeNumber`, value: '7' }),
  },
  'legacy-group-urn': {
    fires: () => createFires(GROUP, { schemas: [URN_GROUP, URN_LEGACY_MS_GROUP], displayName: 'g' }),
    quiet: () => createFires(GROUP, { schemas: [URN_GROUP], displayName: 'g' }),
  },
  'undeclared-attribute': {
    fires: () => user({ favoriteColor: 'green' }),
    quiet: () => user({ nickName: 'green' }),
  },
  'filter-unquoted': {
    fires: () => filterFires('externalId eq jyoung'),
    quiet: () => filterFires('externalId eq "jyoung"'),
  },
  'filter-vpath-sub': {
    fires: () => filterFires('emails[type eq "work"].value eq "x"'),
    quiet: () => filterFires('emails[type eq "work" and value eq "x"]'),
  },
  'vpath-create': {
    fires: () => patch(USER, ALICE, { op: 'add', path: 'emails[type eq "home"].value', value: 'h@example.com' }),
    quiet: () => patch(USER, ALICE, { op: 'add', path: 'emails[type eq "work"].value', value: 'w@example.com' }),
  },
  'vpath-no-match': {
    fires: () => patch(USER, ALICE, { op: 'remove', path: 'emails[type eq "home"]' }),
    quiet: () => patch(USER, ALICE, { op: 'remove', path: 'emails[type eq "work"]' }),
  },
  'remove-by-value': {
    fires: () => patch(GROUP, { displayName: 'g' }, { op: 'remove', path: 'members', value: [{ value: 'u1' }] }),
    quiet: () => patch(GROUP, { displayName: 'g' }, { op: 'remove', path: 'members[value eq "u1"]' }),
  },
}

describe('scim/compat/rules', () => {
  test('every rule in the catalogue has a case here, and no case names an unknown rule', () => {
    expect(Object.keys(cases).sort()).toEqual([...COMPAT_RULE_NAMES].sort())
  })

  test.each(COMPAT_RULE_NAMES)('%s fires for the request that needs it, and only it', (rule) => {
    expect(cases[rule].fires()).toEqual([rule])
  })

  test.each(COMPAT_RULE_NAMES)('%s stays quiet for the RFC form of the same request', (rule) => {
    expect(cases[rule].quiet()).toEqual([])
  })
})

describe('scim/compat/rules in more places', () => {
  test('bool-string and empty-string fire on PATCH values too; a real boolean fires nothing', () => {
    expect(patch(USER, ALICE, { op: 'replace', path: 'active', value: 'True' })).toEqual(['bool-string'])
    expect(patch(USER, ALICE, { op: 'replace', path: 'title', value: '' })).toEqual(['empty-string'])
    expect(patch(USER, ALICE, { op: 'replace', path: 'active', value: true })).toEqual([])
  })

  test("manager-string fires for Entra's PATCH of the manager URN path", () => {
    const path = `${URN_ENTERPRISE_USER}:manager`
    expect(patch(USER, ALICE, { op: 'add', path, value: 'm1' })).toEqual(['manager-string'])
    expect(patch(USER, ALICE, { op: 'add', path, value: { value: 'm1' } })).toEqual([])
  })

  test("path-key fires for Entra's aadOptscim062020 path-less replace, and for a value path key", () => {
    const value = { 'name.givenName': 'Kkom', [`${URN_ENTERPRISE_USER}:employeeNumber`]: 'Aklq' }
    expect(patch(USER, ALICE, { op: 'replace', value })).toEqual(['path-key'])
    expect(patch(USER, ALICE, { op: 'replace', value: { 'emails[type eq "work"].value': 'w@x' } })).toEqual([
      'path-key',
    ])
    expect(patch(USER, ALICE, { op: 'replace', value: { [URN_USER]: { title: 'x' } } })).toEqual(['path-key'])
    expect(patch(USER, ALICE, { op: 'replace', value: { name: { givenName: 'Kkom' } } })).toEqual([])
  })

  test('unqualified-extension fires on a POST body key as well', () => {
    expect(entUser({ employeeNumber: '7' })).toEqual(['unqualified-extension'])
    expect(entUser({ [URN_ENTERPRISE_USER]: { employeeNumber: '7' } })).toEqual([])
  })

  test('schemas-missing fires for a PatchOp body without schemas, schemas-incomplete for a body without the core URN', () => {
    expect(patchFires(USER, ALICE, { Operations: [{ op: 'add', path: 'title', value: 'x' }] })).toEqual([
      'schemas-missing',
    ])
    expect(createFires(USER, { schemas: 'urn:ietf:params:scim:schemas:core:2.0:User', userName: 'bob' })).toEqual([
      'schemas-missing',
    ])
    expect(createFires(USER, { schemas: [URN_ENTERPRISE_USER], userName: 'bob' })).toEqual(['schemas-incomplete'])
    expect(createFires(USER, { schemas: [URN_USER.toUpperCase()], userName: 'bob' })).toEqual([])
  })

  test('legacy-group-urn is the only rule for a group body that lists it next to the core URN', () => {
    expect(createFires(GROUP, { schemas: [URN_LEGACY_MS_GROUP, URN_GROUP], displayName: 'g', members: [] })).toEqual([
      'legacy-group-urn',
    ])
  })

  test('echoed-read-only fires for an echoed groups list; a PATCH path naming id is still mutability', () => {
    expect(patch(USER, ALICE, { op: 'replace', value: { groups: [], title: 'x' } })).toEqual(['echoed-read-only'])
    expect(() => patch(USER, ALICE, { op: 'replace', path: 'id', value: 'x' })).toThrow()
  })

  test('remove-by-value fires for a multi-valued attribute of the document', () => {
    const body = { op: 'remove', path: 'emails', value: [{ value: 'a@example.com' }] }
    expect(patch(USER, ALICE, body)).toEqual(['remove-by-value'])
    expect(patch(USER, ALICE, { op: 'remove', path: 'emails' })).toEqual([])
  })

  test('vpath-create fires for replace too; vpath-no-match for a clearing replace that matches nothing', () => {
    expect(patch(USER, ALICE, { op: 'replace', path: 'emails[type eq "home"].value', value: 'h@x' })).toEqual([
      'vpath-create',
    ])
    expect(patch(USER, ALICE, { op: 'replace', path: 'emails[type eq "home"]', value: null })).toEqual([
      'vpath-no-match',
    ])
  })

  test('undeclared-attribute fires wherever a body or PATCH stores what no schema declares, and not for a null', () => {
    const vendor = 'urn:example:params:scim:schemas:extension:vendor:2.0:User'
    expect(user({ name: { givenName: 'B', displayName: 'B' } })).toEqual(['undeclared-attribute'])
    expect(entUser({ [URN_ENTERPRISE_USER]: { employeeNumber: '7', badge: 'x' } })).toEqual(['undeclared-attribute'])
    expect(createFires(USER, { schemas: [URN_USER, vendor], userName: 'b', [vendor]: { a: 1 } })).toEqual([
      'undeclared-attribute',
    ])
    expect(user({ favoriteColor: null })).toEqual([])
    expect(patch(USER, ALICE, { op: 'add', path: 'favoriteColor', value: 'green' })).toEqual(['undeclared-attribute'])
    expect(patch(USER, ALICE, { op: 'add', path: 'name.displayName', value: 'A' })).toEqual(['undeclared-attribute'])
    expect(patch(USER, ALICE, { op: 'replace', path: 'name', value: { displayName: 'A' } })).toEqual([
      'undeclared-attribute',
    ])
    expect(patch(USER, ALICE, { op: 'add', path: vendor, value: { a: 1 } })).toEqual(['undeclared-attribute'])
    expect(patch(USER, ALICE, { op: 'remove', path: 'favoriteColor' })).toEqual([])
  })

  test('a PUT body fires the same rules as a POST body', () => {
    const fired: CompatRule[] = []
    coerceResource(
      USER,
      { schemas: [URN_USER], userName: 'bob', active: 'True' },
      { mode: 'replace', existing: { userName: 'bob' }, compat: (r) => fired.push(r) }
    )
    expect(fired).toEqual(['bool-string'])
  })
})
