// The SQLite ResourceStore: prepared hot statements, cached lookups, group-committed writes.
import { and, eq, sql, type SQL } from 'drizzle-orm'
import type { BunSQLiteDatabase } from 'drizzle-orm/bun-sqlite'
import type { Database } from 'bun:sqlite'
import type { ListQuery, ResourceStore } from '../service/context'
import { filterToSql, orderBySql } from './filter-sql'
import { groupsColumn, HotStatements, READ_COLUMNS, type ReadRow } from './hot-statements'
import { ReadCaches } from './staleness'
import * as tables from './tables'
import { resources } from './tables'
import { WriteQueue } from './write-queue'
import { createWriteTx } from './write-tx'

export function createResourceStore(
  orm: BunSQLiteDatabase<typeof tables>,
  sqlite: Database,
  options: { cacheSize?: number } = {}
): ResourceStore {
  const caches = new ReadCaches(options.cacheSize ?? 10_000, () => sqlite.inTransaction)
  const queue = new WriteQueue(sqlite)
  const hot = new HotStatements(sqlite)
  const tx = createWriteTx(orm, sqlite, hot, caches)

  return {
    get: (type, id) => hot.byId(type.name, id),
    findByName: (type, name) => hot.stored(type.name, caches.lookup(type.name, 'name', name, () => hot.byName(type.name, name))),
    findByExternalId: (type, externalId) =>
      hot.stored(type.name, caches.lookup(type.name, 'externalId', externalId, () => hot.byExternalId(type.name, externalId))),
    query(type, q: ListQuery) {
      const where: SQL = q.filter ? and(eq(resources.type, type.name), filterToSql(q.filter, type))! : eq(resources.type, type.name)
      const count = () => orm.select({ n: sql<number>`count(*)` }).from(resources).where(where).get()?.n ?? 0
      const total = caches.total(type.name, q.filter, count)
      if (q.count === 0) return { total, rows: [] }
      // RFC 7644 §3.4.2.3: resources without the sort attribute go last ascending, first descending.
      // Without sortBy, pages follow the (type, name_ci) index: ordered by folded userName or
      // displayName, so a deep page walks the index and stops, instead of sorting every row.
      const order = q.sortBy ? orderBySql(q.sortBy, type, q.descending ? 'descending' : 'ascending') : [resources.nameCi]
      const rows = orm.all<ReadRow>(sql`SELECT ${sql.raw(READ_COLUMNS)}, ${sql.raw(groupsColumn(type.name))} AS groups
        FROM ${resources} WHERE ${where} ORDER BY ${sql.join(order, sql`, `)}, rowid LIMIT ${q.count} OFFSET ${q.startIndex - 1}`)
      return { total, rows: rows.map((row) => hot.toStored(type.name, row)) }
    },
    members: (groupId) => hot.members(groupId),
    // Groups read with the row are current: any change to them gave the user a new version and
    // evicted its cached lookups.
    groupsOf: (user) => user.groupsRead ?? hot.groupsOf(user.id),
    write: (fn) => queue.run(() => fn(tx)),
    stats: () => ({ lookupHits: caches.hits, lookupMisses: caches.misses, writeBatches: queue.batches, writeJobs: queue.jobs }),
    close() {
      queue.flush()
      sqlite.close()
    },
  }
}
