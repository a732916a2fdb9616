// Schema attribute declarations for test extensions, with RFC 7643 §2.2's defaults filled in.
import type { SchemaDocument } from '../../src/scim/schema/types'

type AttributeDeclaration = SchemaDocument['attributes'][number]

/** A declared attribute: single-valued, optional, readWrite, returned by default, unless `overrides` say otherwise. */
export function attribute(
  name: string,
  type: AttributeDeclaration['type'],
  overrides: Partial<AttributeDeclaration> = {}
): AttributeDeclaration {
  return { name, type, multiValued: false, required: false, mutability: 'readWrite', returned: 'default', ...overrides }
}
