// The default view's shortcut (the rendered document itself) equals the full projection.
import { describe, expect, test } from 'bun:test'
import { projectResource } from '../../src/scim/project'
import { createRegistry } from '../../src/scim/schema/registry'
import type { ResourceTypeDocument, SchemaDocument } from '../../src/scim/schema/types'
import { builtinRegistry, generateDataset, Rng, typeOf, URN_ENTERPRISE, URN_USER } from '../helpers/generate'

/** The full projection with nothing selected: an empty excludedAttributes list. */
const full = { excluded: new Map() }

describe('scim/project default view', () => {
  const reg = builtinRegistry(true)
  const userType = typeOf(reg, 'User')
  const groupType = typeOf(reg, 'Group')

  test('equals the full projection for generated users and groups, and is the document itself when nothing is to drop', () => {
    const ds = generateDataset(new Rng(5), 300, 40)
    for (const [type, docs] of [[userType, ds.users], [groupType, ds.groups]] as const) {
      for (const doc of docs) {
        expect(projectResource(type, doc, {})).toEqual(projectResource(type, doc, full))
        const emptyExtension = Object.entries(doc).some(([k, v]) => k.startsWith('urn:') && typeof v === 'object' && v !== null && Object.keys(v).length === 0)
        if (!emptyExtension) expect(projectResource(type, doc, {})).toBe(doc)
      }
    }
  })

  test('a password (returned never) is still removed, through the full projection', () => {
    const doc = { schemas: [URN_USER], id: '1', userName: 'a', password: 'secret' }
    expect(projectResource(userType, doc, {})).toEqual({ schemas: [URN_USER], id: '1', userName: 'a' })
  })

  test('an empty extension object is dropped with its schemas entry', () => {
    const doc = { schemas: [URN_USER, URN_ENTERPRISE], id: '1', userName: 'a', [URN_ENTERPRISE]: {} }
    expect(projectResource(userType, doc, {})).toEqual({ schemas: [URN_USER], id: '1', userName: 'a' })
  })

  test('a type with a sub-attribute returned never always takes the full projection', () => {
    const urn = 'urn:example:params:scim:schemas:extension:vault:2.0:User'
    const vault = {
      id: urn,
      attributes: [{ name: 'key', type: 'complex', multiValued: false, required: false, mutability: 'readWrite', returned: 'default',
        subAttributes: [
          { name: 'label', type: 'string', multiValued: false, required: false, mutability: 'readWrite', returned: 'default' },
          { name: 'secret', type: 'string', multiValued: false, required: false, mutability: 'writeOnly', returned: 'never' },
        ] }],
    } as unknown as SchemaDocument
    const user = reg.schema(URN_USER)!.document
    const types: ResourceTypeDocument[] = [{ name: 'User', endpoint: '/Users', schema: URN_USER, schemaExtensions: [{ schema: urn, required: false }] }]
    const type = typeOf(createRegistry([user, vault], types), 'User')
    const doc = { schemas: [URN_USER, urn], id: '1', userName: 'a', [urn]: { key: { label: 'l', secret: 's' } } }
    expect(projectResource(type, doc, {})).toEqual({ schemas: [URN_USER, urn], id: '1', userName: 'a', [urn]: { key: { label: 'l' } } })
  })
})
