// Builtin RFC 7643 schema documents and the five vendor packs compile and resolve every mapped attribute.
import { describe, expect, test } from 'bun:test'
import user from '../../../src/scim/schema/builtin/user.json'
import group from '../../../src/scim/schema/builtin/group.json'
import enterpriseUser from '../../../src/scim/schema/builtin/enterprise-user.json'
import resourceTypes from '../../../src/scim/schema/builtin/resource-types.json'
import {
  applyPacks,
  loadPack,
  PACK_NAMES,
  PACKS,
  type MappingRow,
  type VendorPack,
} from '../../../src/scim/schema/pack'
import { createRegistry, resolveAttrPath, type Registry } from '../../../src/scim/schema/registry'
import type {
  AttributeDocument,
  ResourceType,
  ResourceTypeDocument,
  SchemaDocument,
} from '../../../src/scim/schema/types'
import type { AttrPath } from '../../../src/scim/filter/ast'

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const BUILTIN_SCHEMAS = [user, group, enterpriseUser] as SchemaDocument[]
const BUILTIN_TYPES = resourceTypes as ResourceTypeDocument[]

function registryWith(packs: VendorPack[]): Registry {
  const { schemas, types } = applyPacks(BUILTIN_SCHEMAS, BUILTIN_TYPES, packs)
  return createRegistry(schemas, types)
}

function typeOf(reg: Registry, name: string): ResourceType {
  const t = reg.resourceType(name)
  if (!t) throw new Error(`no resource type ${name}`)
  return t
}

/** `urn:…:User:manager` → {uri, name}; `name.givenName` → {name, sub}. Plain paths only (no `[`). */
function parsePlain(path: string): AttrPath {
  const colon = path.lastIndexOf(':')
  const uri = colon >= 0 ? path.slice(0, colon) : undefined
  const tail = colon >= 0 ? path.slice(colon + 1) : path
  const dot = tail.indexOf('.')
  const name = dot >= 0 ? tail.slice(0, dot) : tail
  const sub = dot >= 0 ? tail.slice(dot + 1) : undefined
  return { ...(uri !== undefined && { uri }), name, ...(sub !== undefined && { sub }) }
}

/** `emails[type eq "work"].value` → attribute, the filter's attribute, and the sub-attribute after `].`. */
function parseValuePath(path: string): { attr: AttrPath; filterAttr: string; sub?: string } {
  const m = /^(.+?)\[(\w+) [a-z]{2} "[^"]*"\](?:\.(\w+))?$/.exec(path)
  if (!m) throw new Error(`unexpected value path ${path}`)
  return { attr: parsePlain(m[1]!), filterAttr: m[2]!, sub: m[3] }
}

function allSubAttributes(attrs: AttributeDocument[]): AttributeDocument[] {
  return attrs.flatMap((a) => [a, ...allSubAttributes(a.subAttributes ?? [])])
}

describe('builtin schema documents', () => {
  const reg = registryWith([])
  const users = typeOf(reg, 'User')
  const groups = typeOf(reg, 'Group')

  test('carry schemas and meta as RFC 7643 serves them', () => {
    for (const doc of BUILTIN_SCHEMAS) {
      expect(doc.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:Schema'])
      expect(doc.meta).toEqual({ resourceType: 'Schema', location: `/Schemas/${doc.id}` })
    }
    for (const doc of BUILTIN_TYPES) {
      expect(doc.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ResourceType'])
      expect(doc.meta).toEqual({ resourceType: 'ResourceType', location: `/ResourceTypes/${doc.name}` })
    }
    expect(users.endpoint).toBe('/Users')
    expect(groups.endpoint).toBe('/Groups')
    expect(users.extensions.get(ENTERPRISE.toLowerCase())?.required).toBe(false)
  })

  test('every attribute declares the RFC 7643 §7 characteristics', () => {
    for (const doc of BUILTIN_SCHEMAS) {
      for (const a of allSubAttributes(doc.attributes)) {
        expect(typeof a.multiValued).toBe('boolean')
        expect(typeof a.required).toBe('boolean')
        expect(a.mutability).toBeString()
        expect(a.returned).toBeString()
        expect((a.type === 'complex') === (a.subAttributes !== undefined)).toBe(true)
        if (a.type === 'string' || a.type === 'reference') expect(a.caseExact).toBe(false)
      }
    }
  })

  test('userName is required, caseExact false, uniqueness server', () => {
    const r = resolveAttrPath(users, { name: 'USERNAME' })
    expect(r?.attr.name).toBe('userName')
    expect(r?.attr.required).toBe(true)
    expect(r?.attr.caseExact).toBe(false)
    expect(r?.attr.uniqueness).toBe('server')
  })

  test('User core attributes follow RFC 7643 §4.1', () => {
    const password = resolveAttrPath(users, { name: 'password' })?.attr
    expect(password?.mutability).toBe('writeOnly')
    expect(password?.returned).toBe('never')
    expect(resolveAttrPath(users, { name: 'active' })?.attr.type).toBe('boolean')
    const groupsAttr = resolveAttrPath(users, { name: 'groups' })?.attr
    expect(groupsAttr?.mutability).toBe('readOnly')
    expect(groupsAttr?.sub.get('type')?.canonicalValues).toEqual(['direct', 'indirect'])
    expect([...(groupsAttr?.sub.keys() ?? [])]).toEqual(['value', '$ref', 'display', 'type'])
    expect(resolveAttrPath(users, { name: 'phoneNumbers', sub: 'type' })?.sub?.canonicalValues).toEqual([
      'work',
      'home',
      'mobile',
      'fax',
      'pager',
      'other',
    ])
    expect(resolveAttrPath(users, { name: 'addresses', sub: 'primary' })?.sub?.type).toBe('boolean')
    expect(resolveAttrPath(users, { name: 'x509Certificates', sub: 'value' })?.sub?.type).toBe('binary')
    for (const name of ['emails', 'phoneNumbers', 'ims', 'photos', 'entitlements', 'roles', 'x509Certificates']) {
      const attr = resolveAttrPath(users, { name })?.attr
      expect(attr?.multiValued).toBe(true)
      expect([...(attr?.sub.keys() ?? [])]).toEqual(['value', 'display', 'type', 'primary'])
    }
    expect(resolveAttrPath(users, { name: 'name', sub: 'honorificSuffix' })).toBeDefined()
  })

  test('Group displayName and members resolve', () => {
    expect(resolveAttrPath(groups, { name: 'displayName' })?.attr.required).toBe(true)
    const r = resolveAttrPath(groups, { name: 'members', sub: 'value' })
    expect(r?.attr.multiValued).toBe(true)
    expect(r?.sub?.mutability).toBe('immutable')
    expect(resolveAttrPath(groups, { name: 'members', sub: '$ref' })?.sub?.referenceTypes).toEqual(['User', 'Group'])
    expect(resolveAttrPath(groups, { name: 'members', sub: 'type' })?.sub?.canonicalValues).toEqual(['User', 'Group'])
  })

  test('enterprise manager.value resolves through the extension URN', () => {
    const r = resolveAttrPath(users, { uri: ENTERPRISE, name: 'manager', sub: 'value' })
    expect(r?.attr.inExtension).toBe(true)
    expect(r?.sub?.path).toBe(`${ENTERPRISE}:manager.value`)
    expect(resolveAttrPath(users, { uri: ENTERPRISE, name: 'manager', sub: 'displayName' })?.sub?.mutability).toBe(
      'readOnly'
    )
    // Extensions belong to User only.
    expect(resolveAttrPath(groups, { uri: ENTERPRISE, name: 'manager' })).toBeUndefined()
  })
})

describe('vendor packs', () => {
  test('loadPack finds every pack and rejects unknown names', () => {
    for (const name of PACK_NAMES) expect(loadPack(name)).toBe(PACKS[name])
    expect(loadPack('AlertMedia').name).toBe('alertmedia')
    expect(() => loadPack('nope')).toThrow(/unknown pack/)
  })

  for (const name of PACK_NAMES) {
    const pack = PACKS[name]

    describe(name, () => {
      test('is structurally valid', () => {
        expect(pack.name).toBe(name)
        expect(pack.title).toBeString()
        expect(pack.title.length).toBeGreaterThan(0)
        expect(Array.isArray(pack.schemas)).toBe(true)
        expect(Array.isArray(pack.extensions)).toBe(true)
        expect(Array.isArray(pack.mapping.User)).toBe(true)
        expect(pack.mapping.User.length).toBeGreaterThan(0)
        expect(Array.isArray(pack.mapping.Group)).toBe(true)
        for (const row of [...pack.mapping.User, ...pack.mapping.Group]) {
          expect(row.path).toBeString()
          expect(['String', 'Boolean', 'Reference']).toContain(row.type)
          expect(typeof row.filter).toBe('boolean')
        }
        // Entra matches users on userName, so every app must filter on it.
        expect(pack.mapping.User.find((r) => r.path === 'userName')?.filter).toBe(true)
      })

      test('extension schemas are single-valued readWrite strings, each one attached', () => {
        expect(pack.extensions.map((e) => e.schema).sort()).toEqual(pack.schemas.map((s) => s.id).sort())
        for (const s of pack.schemas) {
          expect(s.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:Schema'])
          expect(s.meta).toEqual({ resourceType: 'Schema', location: `/Schemas/${s.id}` })
          for (const a of s.attributes) {
            expect(a).toMatchObject({
              type: 'string',
              multiValued: false,
              required: false,
              caseExact: false,
              mutability: 'readWrite',
              returned: 'default',
            })
          }
          // Every attribute is one the table maps, and every mapped one is declared.
          const mapped = pack.mapping.User.filter((r) => r.path.startsWith(`${s.id}:`)).map((r) =>
            r.path.slice(s.id.length + 1)
          )
          expect(s.attributes.map((a) => a.name)).toEqual(mapped)
        }
        for (const e of pack.extensions) expect(e).toMatchObject({ resourceType: 'User', required: false })
      })

      const reg = registryWith([pack])
      const checkRow = (typeName: 'User' | 'Group', row: MappingRow) => {
        const type = typeOf(reg, typeName)
        if (row.path.includes('[')) {
          const vp = parseValuePath(row.path)
          const attr = resolveAttrPath(type, vp.attr)
          expect(attr?.attr.multiValued).toBe(true)
          expect(resolveAttrPath(type, { ...vp.attr, sub: vp.filterAttr })).toBeDefined()
          if (vp.sub !== undefined) expect(resolveAttrPath(type, { ...vp.attr, sub: vp.sub })).toBeDefined()
          return
        }
        const resolved = resolveAttrPath(type, parsePlain(row.path))
        if (name === 'mediusflow' && row.path === 'name.displayName') {
          // No schema declares name.displayName: the documented lenient case.
          expect(resolved).toBeUndefined()
          return
        }
        expect(resolved).toBeDefined()
        if (row.type === 'Boolean') expect((resolved?.sub ?? resolved?.attr)?.type).toBe('boolean')
      }
      for (const typeName of ['User', 'Group'] as const) {
        for (const row of pack.mapping[typeName]) {
          test(`${typeName} ${row.path} resolves`, () => checkRow(typeName, row))
        }
      }
    })
  }

  test('all packs together compile into one registry', () => {
    const reg = registryWith(PACK_NAMES.map((n) => PACKS[n]))
    const users = typeOf(reg, 'User')
    expect(users.extensions.size).toBe(3)
    expect(typeOf(reg, 'Group').extensions.size).toBe(0)
    // Same-named attributes in different extensions stay apart.
    const title = resolveAttrPath(users, {
      uri: 'urn:ietf:params:scim:schemas:extension:alertmedia:2.0:CustomAttribute:User',
      name: 'title',
    })
    expect(title?.attr.schema).toBe('urn:ietf:params:scim:schemas:extension:alertmedia:2.0:CustomAttribute:User')
    expect(resolveAttrPath(users, { name: 'title' })?.attr.schema).toBe('urn:ietf:params:scim:schemas:core:2.0:User')
  })

  test('applyPacks does not mutate its inputs or duplicate extensions', () => {
    const before = JSON.stringify(BUILTIN_TYPES)
    const mf = PACKS.mediusflow
    const { types, schemas } = applyPacks(BUILTIN_SCHEMAS, BUILTIN_TYPES, [mf, mf])
    expect(JSON.stringify(BUILTIN_TYPES)).toBe(before)
    expect(schemas).toHaveLength(4)
    expect(types.find((t) => t.name === 'User')?.schemaExtensions).toHaveLength(2)
  })

  test('a pack extension is unknown without the pack', () => {
    const users = typeOf(registryWith([]), 'User')
    expect(
      resolveAttrPath(users, { uri: 'urn:ietf:params:scim:schemas:extension:medius:2.0:User', name: 'nameIdentifier' })
    ).toBeUndefined()
  })
})
