// The default view's shortcut (the rendered document itself) equals the full projection.
import { describe, expect, test } from 'bun:test'
import { projectResource, viewKeepsAll } from '../../src/scim/project'
import { URN_GROUP } from '../../src/scim/constants'
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

  test('viewKeepsAll: only the default view, and not when the type hides a key the renderer adds', () => {
    const data = { displayName: 'Sales' }
    expect(viewKeepsAll(groupType, data, {})).toBe(true)
    expect(viewKeepsAll(groupType, data, full)).toBe(false)
    expect(viewKeepsAll(userType, { userName: 'a', password: 'x' }, {})).toBe(false)
    const group = structuredClone(reg.schema(URN_GROUP)!.document) as unknown as { attributes: { name: string; returned: string }[] }
    group.attributes.find((a) => a.name === 'members')!.returned = 'request'
    const types: ResourceTypeDocument[] = [{ name: 'Group', endpoint: '/Groups', schema: URN_GROUP }]
    const quietMembers = typeOf(createRegistry([group as unknown as SchemaDocument], types), 'Group')
    expect(viewKeepsAll(quietMembers, data, {})).toBe(false)
  })
})
