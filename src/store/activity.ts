// Recent activity of one tenant: the last modified resources and how many changed since a time.
import type { Database } from 'bun:sqlite'
import type { StoredResource } from '../service/context'
import { groupsColumn, type HotStatements, READ_COLUMNS, type ReadRow } from './hot-statements'

/**
 * Both walk the (tenant, type, last_modified) index, so they cost the rows they return, not the
 * size of the tenant. They compare last_modified as text: the server writes it as toISOString(),
 * whose text order is instant order (a filter on meta.lastModified compares instants instead,
 * since that one reads any dateTime a client wrote, and cannot use the index).
 */
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
      s = {
        recent: sqlite.query(
          `SELECT ${READ_COLUMNS}, ${groupsColumn(type)} AS groups FROM resources
           WHERE tenant = ? AND type = ? ORDER BY last_modified DESC LIMIT ?`
        ),
        since: sqlite.query('SELECT count(*) AS n FROM resources WHERE tenant = ? AND type = ? AND last_modified > ?'),
      }
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
