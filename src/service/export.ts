// Every resource as SCIM JSON, one line each (`scim-server export`), in a stable order.
import type { ServiceDeps, StoredResource } from './context'
import type { RequestInfo } from './result'
import { viewJson } from './view'

const PAGE = 1000

/**
 * Users first, then groups (a group's members exist before it on import), each type in id order.
 * Pages walk the primary key like a cursor, so memory stays one page however large the store is,
 * and a write made meanwhile cannot make a resource appear twice.
 */
export function* exportLines(deps: ServiceDeps, req: RequestInfo): Generator<string> {
  for (const type of deps.registry.resourceTypes) {
    let after = ''
    for (;;) {
      const { rows }: { rows: StoredResource[] } = deps.store.query(type, {
        startIndex: 1,
        count: PAGE,
        keyset: { direction: 'after', id: after },
      })
      for (const row of rows) yield viewJson(deps, type, row, req).json
      if (rows.length < PAGE) break
      after = rows[rows.length - 1]!.id
    }
  }
}
