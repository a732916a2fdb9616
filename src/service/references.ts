// Reference checks: a manager must be an existing user, never stored dangling.
import { URN_ENTERPRISE_USER } from '../scim/constants'
import { isObject, type Doc } from '../scim/document'
import { ScimError, UnknownReferenceError, quoted } from '../scim/errors'

function managerOf(doc: Doc | undefined): string | undefined {
  const ext = doc?.[URN_ENTERPRISE_USER]
  if (!isObject(ext) || !isObject(ext.manager)) return undefined
  return typeof ext.manager.value === 'string' ? ext.manager.value : undefined
}

/**
 * The new or changed manager id of `after`, which must name an existing user (write-checks.ts
 * looks it up); undefined when the manager is absent or unchanged. A user cannot manage itself.
 */
export function managerToCheck(before: Doc | undefined, after: Doc, selfId?: string): string | undefined {
  const next = managerOf(after)
  if (next === undefined || next === managerOf(before)) return undefined
  if (next === selfId) throw ScimError.invalidValue('a user cannot be their own manager')
  return next
}

/** A manager id that names no user (400 invalidValue). */
export function unknownManager(id: string): UnknownReferenceError {
  return new UnknownReferenceError(`manager references unknown user ${quoted(id)}`)
}
