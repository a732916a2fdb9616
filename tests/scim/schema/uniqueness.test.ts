// Which declared attributes must be unique per resource type, and their values in a document.
import { describe, expect, test } from 'bun:test'
import { PACK_NAMES } from '../../../src/scim/schema/pack'
import type { SchemaDocument } from '../../../src/scim/schema/types'
import { uniqueAttributes, uniqueKey, uniqueValues } from '../../../src/scim/schema/uniqueness'
import { testRegistry, typeNamed, userTypeWith } from '../patch/registry'

const URN_X = 'urn:example:params:scim:schemas:extension:x:2.0:User'
const rw = { required: false, mutability: 'readWrite', returned: 'default' }
const X = {
  id: URN_X,
  name: 'X',
  attributes: [
    { name: 'badge', type: 'string', multiValued: false, uniqueness: 'server', ...rw },
    { name: 'serial', type: 'string', multiValued: false, caseExact: true, uniqueness: 'global', ...rw },
    {
      name: 'pin',
      type: 'string',
      multiValued: false,
      uniqueness: 'server',
      ...rw,
      mutability: 'writeOnly',
      returned: 'never',
    },
    { name: 'plain', type: 'string', multiValued: false, ...rw },
    {
      name: 'keys',
      type: 'complex',
      multiValued: true,
      uniqueness: 'server',
      ...rw,
      subAttributes: [
        { name: 'value', type: 'string', multiValued: false, caseExact: true, uniqueness: 'server', ...rw },
        { name: 'label', type: 'string', multiValued: false, ...rw },
      ],
    },
  ],
} as unknown as SchemaDocument

describe('uniqueAttributes', () => {
  test('built-in types and packs: userName and id are left to the unique indexes, nothing else is declared unique', () => {
    for (const reg of [testRegistry(), testRegistry([...PACK_NAMES])]) {
      for (const type of reg.resourceTypes) expect(uniqueAttributes(type)).toEqual([])
    }
  })

  test('an extension lists its unique scalar attributes and sub-attributes, by filter path; cached per type', () => {
    const type = userTypeWith(X)
    expect(uniqueAttributes(type).map((u) => u.path)).toEqual([
      `${URN_X}:badge`,
      `${URN_X}:serial`,
      `${URN_X}:keys.value`,
    ])
    expect(uniqueAttributes(type)).toBe(uniqueAttributes(type))
    expect(uniqueAttributes(typeNamed(testRegistry(), 'User'))).toEqual([])
  })
})

describe('uniqueValues and uniqueKey', () => {
  const type = userTypeWith(X)
  const [badge, serial, keyValue] = uniqueAttributes(type) as [any, any, any]

  test('reads the values under the extension, every element of a multi-valued parent', () => {
    const doc = { userName: 'a', [URN_X]: { badge: 'B1', keys: [{ value: 'k1' }, { label: 'none' }, { value: 'k2' }] } }
    expect(uniqueValues(badge, doc)).toEqual(['B1'])
    expect(uniqueValues(serial, doc)).toEqual([])
    expect(uniqueValues(keyValue, doc)).toEqual(['k1', 'k2'])
    expect(uniqueValues(badge, { userName: 'a' })).toEqual([])
  })

  test('keys fold case only for caseExact:false strings', () => {
    expect(uniqueKey(badge, 'Straße')).toBe(uniqueKey(badge, 'STRASSE'))
    expect(uniqueKey(serial, 'S1')).not.toBe(uniqueKey(serial, 's1'))
  })
})
