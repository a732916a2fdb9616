// List queries (RFC 7644 §3.4.2) on PostgreSQL: filter, sort, startIndex/count, keyset cursors, a byte budget, the total.
import type { SQL as Client } from 'bun'
import type { ResourceType } from '../scim/schema/types'
import type { ListPage, ListQuery } from '../service/context'
import { listStatements } from './list-statements'
import { type ReadRow, storedOf } from '../store/hot-statements'

/**
 * The first rows whose documents (and groups) as JSON text pass `maxBytes` together, the one that
 * passes included. The text as PostgreSQL sends it (jsonb's, with a space after each `:` and `,`)
 * is a little longer than the SQLite store's, so a budget here holds a row or so fewer: it bounds
 * what a read holds, and the response's own budget is counted on what is rendered (service/list.ts).
 */
function within(rows: ReadRow[], maxBytes: number): { rows: ReadRow[]; cut: boolean } {
  let bytes = 0
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!
    bytes += row.data.length + (row.groups === null ? 0 : row.groups.length)
    if (bytes > maxBytes) return { rows: rows.slice(0, i + 1), cut: true }
  }
  return { rows, cut: false }
}

/**
 * The page and total of `q`, as the SQLite store's query() reads them: without sortBy, pages
 * follow the (tenant, type, name_ci) index, ties in insertion order; a cursor walks the primary
 * key (code-point ordered, as SQLite's binary text), which no write changes. The total is never
 * kept (another replica's write would make it stale): a page that holds the query's last row
 * tells it (its offset plus its rows), so a filter matching less than a page is one statement;
 * otherwise, and for cursors (whose page leaves out the rows before it), it is counted.
 * Not `count(*) OVER ()` in the page: the window holds every matching row, documents included,
 * before the LIMIT applies, where count(*) and the page's top-N sort hold none.
 */
export async function pgListQuery(client: Client, tenant: string, type: ResourceType, q: ListQuery): Promise<ListPage> {
  const { count: counted, page, offset } = listStatements(tenant, type, q)
  const count = async () => ((await client.unsafe(counted.text, counted.params)) as { n: number }[])[0]?.n ?? 0
  if (q.count === 0) return { total: await count(), rows: [] }
  const select = async () => (await client.unsafe(page.text, page.params)) as ReadRow[]
  let total: number
  let read: ReadRow[]
  if (q.keyset) [total, read] = await Promise.all([count(), select()])
  else {
    read = await select()
    // Fewer rows than asked for: the page ends the query, unless it starts past the end.
    const last = read.length < q.count && (read.length > 0 || offset === 0)
    total = last ? offset + read.length : await count()
  }
  const { rows, cut } = q.maxBytes === undefined ? { rows: read, cut: false } : within(read, q.maxBytes)
  return { total, rows: rows.map((row) => storedOf(type.name, row)), cut }
}
