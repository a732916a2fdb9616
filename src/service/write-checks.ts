// A write's checks against other resources, read through its transaction: its manager is a user, its unique values are free.
import type { Doc } from '../scim/document'
import { ScimError } from '../scim/errors'
import type { ResourceType } from '../scim/schema/types'
import type { WriteTx } from './context'
import type { Effect } from './effect'
import { managerToCheck, unknownManager } from './references'
import { uniquenessChecks } from './uniqueness'

/**
 * Throws 400 when `after` names a manager that is no user of this tenant, and 409 uniqueness
 * when another resource holds one of its unique values (RFC 7643 §2.2). What to look up is
 * worked out in plain code (managerToCheck, uniquenessChecks); only the lookups are effects.
 */
export function* checkAgainstOthers(
  tx: WriteTx,
  type: ResourceType,
  before: Doc | undefined,
  after: Doc,
  selfId: string
): Effect<void> {
  const manager = managerToCheck(before, after, selfId)
  if (manager !== undefined && (yield* tx.existing([manager])).get(manager) !== 'User') throw unknownManager(manager)
  for (const { filter, detail } of uniquenessChecks(type, before, after, selfId)) {
    if ((yield* tx.query(type, { filter, startIndex: 1, count: 0 })).total > 0) throw ScimError.uniqueness(detail)
  }
}
