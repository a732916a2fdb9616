// Recent activity of one tenant: the last modified resources and how many changed since a time.
import type { Database } from 'bun:sqlite'
import type { StoredResource } from '../service/context'
import { MODIFIED_INDEX } from './tables'
import { groupsColumn, type HotStatements, READ_COLUMNS, type ReadRow } from './hot-statements'

/**
 * Both walk the (type, last_modified, tenant) index, named so the planner never sorts a tenant's
 * rows through the name index instead: they cost the rows the index holds in the window (every
 * tenant's, the tenant read from the index), not the size of the tenant. One tenant is the common
 * server, and the index led by the tenant cost every write a page per tenant a batch touched.
 * They compare last_modified as text: the server writes it as toISOString(),
 * whose text order is instant order (a filter on meta.lastModified compares instants instead,
 * since that one reads any dateTime a client wrote, and cannot use the index).
 */
export const ACTIVITY_SQL = {
  recent: (groups: string) =>
    `SELECT ${READ_COLUMNS}, ${groups} AS groups FROM resources INDEXED BY ${MODIFIED_INDEX}
     WHERE tenant = ? AND type = ? ORDER BY last_modified DESC LIMIT ?`,
  since: `SELECT count(*) AS n FROM resources INDEXED BY ${MODIFIED_INDEX} WHERE tenant = ? AND type = ? AND last_modified > ?`,
}

export function activityReads(sqlite: Database, hot: HotStatements, tenant: string) {
  const byType = new Map<
    string,
    {
      recent: ReturnType<typeof sqlite.query<ReadRow, [string, string, number]>>
      since: ReturnType<typeof sqlite.query<{ n: number }, [string, string, string]>>
    }
  >()
  const statements = (type: string) => {
    let s = byType.get(type)
    if (!s) {
      s = { recent: sqlite.query(ACTIVITY_SQL.recent(groupsColumn(type))), since: sqlite.query(ACTIVITY_SQL.since) }
      byType.set(type, s)
    }
    return s
  }
  return {
    recentlyModified: (type: string, limit: number): StoredResource[] =>
      statements(type)
        .recent.all(tenant, type, limit)
        .map((row) => hot.toStored(type, row)),
    modifiedSince: (type: string, since: string): number => statements(type).since.get(tenant, type, since)?.n ?? 0,
  }
}
