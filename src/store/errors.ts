// Translates SQLite constraint failures into SCIM errors that name the attribute, never the SQL.
import { ScimError } from '../scim/errors'
import type { ResourceType } from '../scim/schema/types'

export function translateConstraintError(err: unknown, type: ResourceType): unknown {
  const message = err instanceof Error ? err.message : ''
  if (message.includes('UNIQUE constraint failed: resources.type, resources.name_ci')) {
    return ScimError.uniqueness(`a ${type.name} with this userName already exists`)
  }
  if (message.includes('UNIQUE constraint failed: resources.id')) {
    return ScimError.uniqueness(`a resource with this id already exists`)
  }
  return err
}
