// Reference checks: a manager must be an existing user, never stored dangling.
import { URN_ENTERPRISE_USER } from '../scim/constants'
import { isObject, type Doc } from '../scim/document'
import { ScimError, UnknownReferenceError, quoted } from '../scim/errors'
import type { WriteTx } from './context'
import type { Effect } from './effect'

function managerOf(doc: Doc | undefined): string | undefined {
  const ext = doc?.[URN_ENTERPRISE_USER]
  if (!isObject(ext) || !isObject(ext.manager)) return undefined
  return typeof ext.manager.value === 'string' ? ext.manager.value : undefined
}

/** Rejects a new or changed manager id that names no user (400 invalidValue). */
export function* checkManager(tx: WriteTx, before: Doc | undefined, after: Doc, selfId?: string): Effect<void> {
  const next = managerOf(after)
  if (next === undefined || next === managerOf(before)) return
  if (next === selfId) throw ScimError.invalidValue('a user cannot be their own manager')
  if ((yield* tx.existing([next])).get(next) !== 'User') {
    throw new UnknownReferenceError(`manager references unknown user ${quoted(next)}`)
  }
}
