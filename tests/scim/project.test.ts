// The default view's shortcut (the rendered document itself) equals the full projection.
import { describe, expect, test } from 'bun:test'
import { planOf } from '../../src/scim/project'
import type { Doc } from '../../src/scim/document'
import { schemasOf, visibleData } from '../../src/scim/render'
import { URN_GROUP } from '../../src/scim/constants'
import { createRegistry } from '../../src/scim/schema/registry'
import type { ResourceType, ResourceTypeDocument, SchemaDocument } from '../../src/scim/schema/types'
import { builtinRegistry, generateDataset, Rng, typeOf, URN_ENTERPRISE, URN_USER } from '../helpers/generate'
import { attribute } from '../helpers/schema'

const view = (type: ResourceType, doc: Doc) => planOf(type, undefined, undefined).project(doc)
/** The full projection of the default view, without the shortcut. */
const full = (type: ResourceType, doc: Doc) => planOf(type, undefined, undefined).projectCopy(doc)

describe('scim/project default view', () => {
  const reg = builtinRegistry(true)
  const userType = typeOf(reg, 'User')
  const groupType = typeOf(reg, 'Group')

  test('equals the full projection for generated users and groups, and is the document itself when nothing is to drop', () => {
    const ds = generateDataset(new Rng(5), 300, 40)
    for (const [type, docs] of [
      [userType, ds.users],
      [groupType, ds.groups],
    ] as const) {
      for (const doc of docs) {
        // What projection sees is rendered: empty lists and extensions are gone already (render.ts).
        const data = visibleData(doc)
        const rendered = { ...data, schemas: schemasOf(type, data) }
        expect(view(type, rendered)).toEqual(full(type, rendered))
        expect(view(type, rendered)).toBe(rendered)
      }
    }
  })

  test('a password (returned never) is still removed, through the full projection', () => {
    const doc = { schemas: [URN_USER], id: '1', userName: 'a', password: 'secret' }
    expect(view(userType, doc)).toEqual({ schemas: [URN_USER], id: '1', userName: 'a' })
  })

  // The core schema's URN names its attributes as an extension's URN names the extension's.
  test('the core schema URN in attributes keeps every core attribute; in excludedAttributes drops them', () => {
    const doc = {
      schemas: [URN_USER, URN_ENTERPRISE],
      id: '1',
      userName: 'a',
      title: 't',
      emails: [{ value: 'a@x' }],
      [URN_ENTERPRISE]: { department: 'x' },
    }
    expect(planOf(userType, URN_USER, undefined).project(doc)).toEqual({
      schemas: [URN_USER],
      id: '1',
      userName: 'a',
      title: 't',
      emails: [{ value: 'a@x' }],
    })
    expect(planOf(userType, undefined, URN_USER).project(doc)).toEqual({
      schemas: [URN_USER, URN_ENTERPRISE],
      id: '1',
      [URN_ENTERPRISE]: { department: 'x' },
    })
  })

  test('an extension left empty by the lists is dropped with its schemas entry', () => {
    const doc = { schemas: [URN_USER, URN_ENTERPRISE], id: '1', userName: 'a', [URN_ENTERPRISE]: { department: 'x' } }
    expect(planOf(userType, undefined, `${URN_ENTERPRISE}:department`).project(doc)).toEqual({
      schemas: [URN_USER],
      id: '1',
      userName: 'a',
    })
    expect(planOf(userType, 'userName', undefined).project(doc)).toEqual({
      schemas: [URN_USER],
      id: '1',
      userName: 'a',
    })
    expect(planOf(userType, URN_ENTERPRISE, undefined).project(doc)).toEqual({
      schemas: [URN_USER, URN_ENTERPRISE],
      id: '1',
      [URN_ENTERPRISE]: { department: 'x' },
    })
  })

  test('a type with a sub-attribute returned never always takes the full projection', () => {
    const urn = 'urn:example:params:scim:schemas:extension:vault:2.0:User'
    const vault = {
      id: urn,
      attributes: [
        {
          name: 'key',
          type: 'complex',
          multiValued: false,
          required: false,
          mutability: 'readWrite',
          returned: 'default',
          subAttributes: [
            attribute('label', 'string'),
            attribute('secret', 'string', { mutability: 'writeOnly', returned: 'never' }),
          ],
        },
      ],
    } as unknown as SchemaDocument
    const user = reg.schema(URN_USER)!.document
    const types: ResourceTypeDocument[] = [
      { name: 'User', endpoint: '/Users', schema: URN_USER, schemaExtensions: [{ schema: urn, required: false }] },
    ]
    const type = typeOf(createRegistry([user, vault], types), 'User')
    const doc = { schemas: [URN_USER, urn], id: '1', userName: 'a', [urn]: { key: { label: 'l', secret: 's' } } }
    expect(view(type, doc)).toEqual({
      schemas: [URN_USER, urn],
      id: '1',
      userName: 'a',
      [urn]: { key: { label: 'l' } },
    })
  })

  test('keepsWhole and keepsRendered: the default view keeps all, and not when the request hides a key the renderer adds', () => {
    const data = { displayName: 'Sales' }
    const keepsAll = (type: ResourceType, data: Doc, attributes?: string, excluded?: string) => {
      const plan = planOf(type, attributes, excluded)
      return plan.keepsRendered && plan.keepsWhole(data)
    }
    expect(keepsAll(groupType, data)).toBe(true)
    expect(keepsAll(groupType, data, 'displayName')).toBe(false)
    expect(keepsAll(groupType, data, undefined, 'meta')).toBe(false)
    // Members left out are not looked up, so not rendered: the rest is whole.
    expect(keepsAll(groupType, data, undefined, 'members')).toBe(true)
    // Excluding what the data does not hold keeps the rest whole.
    expect(keepsAll(groupType, data, undefined, 'externalId')).toBe(true)
    expect(keepsAll(userType, { userName: 'a', password: 'x' })).toBe(false)
    const group = structuredClone(reg.schema(URN_GROUP)!.document) as unknown as {
      attributes: { name: string; returned: string }[]
    }
    group.attributes.find((a) => a.name === 'members')!.returned = 'request'
    const types: ResourceTypeDocument[] = [{ name: 'Group', endpoint: '/Groups', schema: URN_GROUP }]
    const quietMembers = typeOf(createRegistry([group as unknown as SchemaDocument], types), 'Group')
    // A type that hides members by default does not look them up, so does not render them either.
    expect(planOf(quietMembers, undefined, undefined).shows('members')).toBe(false)
    expect(keepsAll(quietMembers, data)).toBe(true)
    expect(planOf(quietMembers, 'members', undefined).shows('members')).toBe(true)
  })

  test('a plan is built once per resource type and request shape', () => {
    const plan = planOf(userType, 'userName', undefined)
    expect(planOf(userType, 'userName', undefined)).toBe(plan)
    expect(planOf(groupType, 'userName', undefined)).not.toBe(plan)
    expect(planOf(userType, undefined, 'userName')).not.toBe(plan)
  })

  test('a request-only sub-attribute is shown only when named; an element left with nothing is left out', () => {
    const urn = 'urn:example:params:scim:schemas:extension:badge:2.0:User'
    const sub = (name: string, returned: string) => ({
      name,
      type: 'string',
      multiValued: false,
      required: false,
      mutability: 'readWrite',
      returned,
    })
    const badge = {
      id: urn,
      attributes: [
        {
          name: 'badges',
          type: 'complex',
          multiValued: true,
          required: false,
          mutability: 'readWrite',
          returned: 'default',
          subAttributes: [sub('label', 'default'), sub('pin', 'request')],
        },
      ],
    } as unknown as SchemaDocument
    const types: ResourceTypeDocument[] = [
      { name: 'User', endpoint: '/Users', schema: URN_USER, schemaExtensions: [{ schema: urn, required: false }] },
    ]
    const type = typeOf(createRegistry([reg.schema(URN_USER)!.document, badge], types), 'User')
    const doc = {
      schemas: [URN_USER, urn],
      id: '1',
      userName: 'a',
      [urn]: { badges: [{ label: 'l', pin: '1' }, { pin: '2' }] },
    }
    expect(planOf(type, undefined, undefined).project(doc)[urn]).toEqual({ badges: [{ label: 'l' }] })
    expect(planOf(type, `${urn}:badges`, undefined).project(doc)[urn]).toEqual({ badges: [{ label: 'l' }] })
    expect(planOf(type, `${urn}:badges.pin`, undefined).project(doc)[urn]).toEqual({
      badges: [{ pin: '1' }, { pin: '2' }],
    })
    expect(planOf(type, undefined, `${urn}:badges.label`).project(doc)).toEqual({
      schemas: [URN_USER],
      id: '1',
      userName: 'a',
    })
  })
})
