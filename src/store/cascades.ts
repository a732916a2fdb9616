// What a delete does to other resources, as journal cascades: the same for both stores.
import { diffDocuments, memberChanges } from '../journal/diff'
import { URN_ENTERPRISE_USER } from '../scim/constants'
import type { Cascade } from '../service/context'

interface Moved {
  type: string
  id: string
  /** The version the delete gave it. */
  version: number
}

/**
 * Groups that listed the deleted resource lose a member: a change of their own. Users that
 * listed a deleted group in `groups` only show it (readOnly, derived), so they are no cascade.
 */
export function memberCascades(showing: readonly Moved[], deleted: { id: string; type: string }): Cascade[] {
  return showing
    .filter((r) => r.type === 'Group')
    .map((g) => ({
      type: 'Group',
      id: g.id,
      versionBefore: g.version - 1,
      versionAfter: g.version,
      changes: memberChanges([{ id: deleted.id, type: deleted.type, added: false }]),
    }))
}

/** A deleted user's reports lose their manager. */
export function managerCascades(reports: readonly (Moved & { manager: unknown })[]): Cascade[] {
  return reports.map((r) => ({
    type: 'User',
    id: r.id,
    versionBefore: r.version - 1,
    versionAfter: r.version,
    changes: diffDocuments({ [URN_ENTERPRISE_USER]: { manager: r.manager } }, undefined),
  }))
}
