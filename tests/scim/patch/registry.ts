// Test registries built from the built-in RFC 7643 schema JSON (and optional vendor packs).
import user from '../../../src/scim/schema/builtin/user.json'
import group from '../../../src/scim/schema/builtin/group.json'
import enterprise from '../../../src/scim/schema/builtin/enterprise-user.json'
import resourceTypes from '../../../src/scim/schema/builtin/resource-types.json'
import { applyPacks, loadPack } from '../../../src/scim/schema/pack'
import { createRegistry, type Registry } from '../../../src/scim/schema/registry'
import type { ResourceType, ResourceTypeDocument, SchemaDocument } from '../../../src/scim/schema/types'
import { attribute } from '../../helpers/schema'

const SCHEMAS = [user, group, enterprise] as SchemaDocument[]
const TYPES = resourceTypes as ResourceTypeDocument[]

/** `createRegistry([user, group, enterprise], resourceTypes)`, plus the named packs. */
export function testRegistry(packs: readonly string[] = []): Registry {
  if (packs.length === 0) return createRegistry(SCHEMAS, TYPES)
  const applied = applyPacks(SCHEMAS, TYPES, packs.map(loadPack))
  return createRegistry(applied.schemas, applied.types)
}

/** The resource type `name` of `reg`; throws when missing. */
export function typeNamed(reg: Registry, name: string): ResourceType {
  const t = reg.resourceType(name)
  if (!t) throw new Error(`no resource type ${name}`)
  return t
}

/** The User type of a test registry with `extension` added as an optional User extension. */
export function userTypeWith(extension: SchemaDocument): ResourceType {
  const reg = testRegistry()
  return typeNamed(
    createRegistry(
      [...reg.schemas.map((s) => s.document), extension],
      reg.resourceTypes.map((t) =>
        t.name === 'User'
          ? { ...t.document, schemaExtensions: [{ schema: extension.id, required: false }] }
          : t.document
      )
    ),
    'User'
  )
}

/** A complex attribute `name` with a required `number` and an optional `color` sub-attribute. */
export function badgeAttribute(name: string, multiValued: boolean): SchemaDocument['attributes'][number] {
  return {
    name,
    type: 'complex',
    multiValued,
    required: false,
    mutability: 'readWrite',
    returned: 'default',
    subAttributes: [attribute('number', 'string', { required: true }), attribute('color', 'string')],
  }
}
