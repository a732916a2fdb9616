// The journal entries a service appends for its change, and for the changes that change caused.
import type { JournalChange, JournalDraft, JournalOp } from '../journal/types'
import type { ResourceType } from '../scim/schema/types'
import type { Cascade, StoredResource, WriteTx } from './context'
import type { RequestInfo } from './result'
import type { Effect } from './effect'

function origin(req: RequestInfo) {
  return { actor: req.actor ?? null, requestId: req.requestId ?? null, compat: [...(req.firedCompat?.() ?? [])] }
}

/**
 * The entry of one change of `type` `id`, from `before` (absent for a create) to `after` (absent
 * for a delete), for tx.journal. A function, called only when the journal is on: the diff
 * (`changes`) is the journal's work, and a server without one does not pay for it.
 */
export function changeEntry(
  req: RequestInfo,
  op: JournalOp,
  type: ResourceType,
  before: StoredResource | undefined,
  after: StoredResource | undefined,
  changes: () => JournalChange[],
  at: string
): () => JournalDraft {
  return () => ({
    at,
    ...origin(req),
    op,
    resourceType: type.name,
    resourceId: (after ?? before)!.id,
    versionBefore: before?.version ?? null,
    versionAfter: after?.version ?? null,
    changes: changes(),
    cascade: false,
  })
}

/** Appends one entry per resource a delete changed besides the deleted one (`cascade: true`). */
export function* journalCascades(
  tx: WriteTx,
  req: RequestInfo,
  cascades: readonly Cascade[],
  at: string
): Effect<void> {
  const from = origin(req)
  for (const c of cascades)
    yield* tx.journal({
      at,
      ...from,
      op: 'patch',
      resourceType: c.type,
      resourceId: c.id,
      versionBefore: c.versionBefore,
      versionAfter: c.versionAfter,
      changes: c.changes,
      cascade: true,
    })
}
