// RFC 7643 §2.2 "required": the one check, run on POST/PUT bodies and after every PATCH operation.
import { isObject, type Doc } from '../document'
import { ScimError } from '../errors'
import { isGroupMembers } from './resolve-key'
import type { CompiledAttribute, ResourceType } from './types'

function missing(attr: CompiledAttribute): ScimError {
  return ScimError.invalidValue(`attribute '${attr.path}' is required`)
}

/** Required sub-attributes must be in every element a complex attribute has (RFC 7643 §2.3.8). */
function checkSubAttributes(attr: CompiledAttribute, value: unknown): void {
  const required = [...attr.sub.values()].filter((s) => s.required && s.mutability !== 'readOnly')
  if (required.length === 0) return
  for (const element of Array.isArray(value) ? value : [value]) {
    if (!isObject(element)) continue
    for (const sub of required) if (element[sub.name] === undefined) throw missing(sub)
  }
}

function checkAttributes(type: ResourceType, holder: Doc, attrs: Iterable<CompiledAttribute>): void {
  for (const attr of attrs) {
    // Server-set attributes and group members (kept in their own table) are not the client's to send.
    if (attr.mutability === 'readOnly' || isGroupMembers(type, attr)) continue
    const value = holder[attr.name]
    if (value === undefined) {
      if (attr.required) throw missing(attr)
    } else if (attr.type === 'complex') {
      checkSubAttributes(attr, value)
    }
  }
}

/**
 * Fails with `invalidValue` naming the attribute when a required attribute, a required
 * sub-attribute of a complex value, or a required extension is missing from a stored document.
 */
export function checkRequired(type: ResourceType, doc: Doc): void {
  checkAttributes(type, doc, type.core.attributes.values())
  for (const [, { schema, required }] of type.extensions) {
    const ext = doc[schema.id]
    if (required && !isObject(ext)) throw ScimError.invalidValue(`extension '${schema.id}' is required`)
    if (isObject(ext)) checkAttributes(type, ext, schema.attributes.values())
  }
}
