// Every resource as SCIM JSON, one line each (`scim-server export`), in a stable order.
import type { ServiceDeps } from './context'
import type { Effect } from './effect'
import type { RequestInfo } from './result'
import { viewJson } from './view'

const PAGE = 1000

/** Where an export page starts: the resource type (its index in the registry) and the id it follows. */
export interface ExportPosition {
  type: number
  after: string
}

export const EXPORT_START: ExportPosition = { type: 0, after: '' }

/**
 * One page of the export from `at`, and where the next one starts (none after the last). Users
 * first, then groups (a group's members exist before it on import), each type in id order. Pages
 * walk the primary key like a cursor, so memory stays one page however large the store is, and a
 * write made meanwhile cannot make a resource appear twice.
 */
export function* exportPage(
  deps: ServiceDeps,
  req: RequestInfo,
  at: ExportPosition
): Effect<{ lines: string[]; next?: ExportPosition }> {
  const types = deps.registry.resourceTypes
  const lines: string[] = []
  for (let index = at.type; index < types.length; index++) {
    const type = types[index]!
    const after = index === at.type ? at.after : ''
    const { rows } = yield* deps.store.query(type, {
      startIndex: 1,
      count: PAGE,
      keyset: { direction: 'after', id: after },
    })
    for (const row of rows) lines.push((yield* viewJson(deps, type, row, req)).json)
    if (rows.length === PAGE) return { lines, next: { type: index, after: rows[rows.length - 1]!.id } }
    // A short page ends this type; an empty one reads on into the next.
    if (rows.length > 0) return { lines, next: index + 1 < types.length ? { type: index + 1, after: '' } : undefined }
  }
  return { lines }
}
