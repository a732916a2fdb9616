// The built-in schemas (RFC 7643 §8.7) and resource types, plus packs and admin schemas, as one registry.
import user from './builtin/user.json'
import group from './builtin/group.json'
import enterpriseUser from './builtin/enterprise-user.json'
import resourceTypes from './builtin/resource-types.json'
import { applyPacks, type VendorPack } from './pack'
import { createRegistry, type Registry } from './registry'
import type { ResourceTypeDocument, SchemaDocument } from './types'

export const BUILTIN_SCHEMAS = [user, group, enterpriseUser] as SchemaDocument[]
export const BUILTIN_RESOURCE_TYPES = resourceTypes as ResourceTypeDocument[]

export interface RegistryOptions {
  /** Vendor packs to enable (`--schema-pack`). */
  packs?: readonly VendorPack[]
  /** Extra schema documents (`--schema FILE`), each attached to `resourceType` as an extension. */
  extensions?: readonly { schema: SchemaDocument; resourceType: string }[]
}

/** Builds the registry every layer shares: built-ins, then packs, then admin-supplied extensions. */
export function buildRegistry(options: RegistryOptions = {}): Registry {
  const extra: VendorPack[] = (options.extensions ?? []).map(({ schema, resourceType }) => ({
    name: schema.id,
    title: schema.name ?? schema.id,
    schemas: [schema],
    extensions: [{ resourceType: resourceType as 'User' | 'Group', schema: schema.id, required: false }],
    mapping: { User: [], Group: [] },
  }))
  const { schemas, types } = applyPacks(BUILTIN_SCHEMAS, BUILTIN_RESOURCE_TYPES, [...(options.packs ?? []), ...extra])
  return createRegistry(schemas, types)
}
