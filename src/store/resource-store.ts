// The SQLite ResourceStore: prepared hot statements, cached lookups, group-committed writes.
import { and, asc, desc, eq, gt, lt, sql, type SQL } from 'drizzle-orm'
import type { BunSQLiteDatabase } from 'drizzle-orm/bun-sqlite'
import type { Database } from 'bun:sqlite'
import type { Doc } from '../scim/document'
import { DEFAULT_LIMITS, type Limits } from '../scim/limits'
import type { ResourceType } from '../scim/schema/types'
import type { ListQuery, ResourceStore, WriteTx } from '../service/context'
import { filterToSql, orderBySql } from './filter-sql'
import { LookupCache, type LookupKind } from './lookup-cache'
import { CountCache } from './count-cache'
import { applyMemberOps } from './member-ops'
import { nameKeyOf, externalIdOf, toRow } from './rows'
import * as tables from './tables'
import { resources } from './tables'
import { WriteQueue } from './write-queue'
import { groupsColumn, HotStatements, READ_COLUMNS, type RawRows, type ReadRow } from './hot-statements'
import { translateConstraintError } from './errors'
import { readinessProblem } from './readiness'

const { placeholder } = sql

export function createResourceStore(
  orm: BunSQLiteDatabase<typeof tables>,
  sqlite: Database,
  options: { cacheSize?: number; limits?: Limits } = {}
): ResourceStore {
  const limits = options.limits ?? DEFAULT_LIMITS
  const cache = new LookupCache(options.cacheSize ?? 10_000, limits.cacheBytes, () => membershipEpoch)
  const queue = new WriteQueue(sqlite)

  const insertRow = orm.insert(resources).values({
    id: placeholder('id'), type: placeholder('type'), nameCi: placeholder('nameCi'), externalId: placeholder('externalId'),
    data: placeholder('data'), version: placeholder('version'), created: placeholder('created'), lastModified: placeholder('lastModified'),
  }).prepare()
  const updateRow = orm.update(resources).set({
    nameCi: sql`${placeholder('nameCi')}`, externalId: sql`${placeholder('externalId')}`, data: sql`${placeholder('data')}`,
    version: sql`${placeholder('version')}`, lastModified: sql`${placeholder('lastModified')}`,
  }).where(eq(resources.id, placeholder('id'))).prepare()
  const deleteRow = orm.delete(resources).where(eq(resources.id, placeholder('id'))).prepare()
  const existingIds = sqlite.query<{ id: string; type: string }, [string]>(
    'SELECT id, type FROM resources WHERE id IN (SELECT value FROM json_each(?))'
  )

  // Unfiltered totals, recounted only after an insert or delete of that type: paging through a
  // million users would otherwise count them all on every page.
  const totals = new Map<string, number>()
  const filteredTotals = new CountCache()

  // Bumped by every write that can change what a user's `groups` attribute shows.
  let membershipEpoch = 0
  const hot = new HotStatements(sqlite, () => membershipEpoch)
  const get = (type: ResourceType, id: string) => hot.byId(type.name, id)
  // A lookup made inside a write sees that write's uncommitted rows; a job that then fails would
  // leave them in the cache, so such lookups go straight to SQLite.
  const lookup = (type: string, kind: LookupKind, value: string, load: () => RawRows) =>
    sqlite.inTransaction ? load() : cache.get(type, kind, value, load)
  /**
   * What any change to a row makes stale: the cached lookups of its values before and after,
   * every filtered total, and (when a group changed) the groups read with users.
   */
  const rowChanged = (type: ResourceType, ...docs: Doc[]) => {
    for (const data of docs) cache.invalidate(type.name, nameKeyOf(type, data), externalIdOf(data))
    filteredTotals.forgetAll()
    if (type.name !== 'User') membershipEpoch++
  }

  const tx: WriteTx = {
    get,
    insert(type, row, members) {
      try {
        insertRow.run(toRow(type, row, limits))
      } catch (err) {
        throw translateConstraintError(err, type)
      }
      rowChanged(type, row.data)
      totals.delete(type.name)
      if (members && members.length > 0) applyMemberOps(sqlite, row, [{ kind: 'add', members: [...members] }], tx)
    },
    update(type, before, after) {
      try {
        updateRow.run(toRow(type, after, limits))
      } catch (err) {
        throw translateConstraintError(err, type)
      }
      rowChanged(type, before.data, after.data)
    },
    applyMemberOps(group, ops) {
      membershipEpoch++
      filteredTotals.forgetAll()
      applyMemberOps(sqlite, group, ops, tx)
    },
    delete(type, row) {
      deleteRow.run({ id: row.id })
      rowChanged(type, row.data)
      totals.delete(type.name)
    },
    existing(ids) {
      const found = new Map<string, string>()
      for (const r of existingIds.all(JSON.stringify(ids))) found.set(r.id, r.type)
      return found
    },
  }

  return {
    get,
    findByName: (type, name) => hot.stored(type.name, lookup(type.name, 'name', name, () => hot.byName(type.name, name))),
    findByExternalId: (type, externalId) =>
      hot.stored(type.name, lookup(type.name, 'externalId', externalId, () => hot.byExternalId(type.name, externalId))),
    query(type, q: ListQuery) {
      const where: SQL = q.filter ? and(eq(resources.type, type.name), filterToSql(q.filter, type))! : eq(resources.type, type.name)
      const count = () => orm.select({ n: sql<number>`count(*)` }).from(resources).where(where).get()?.n ?? 0
      let total: number
      if (q.filter) total = filteredTotals.get(q.filter, count)
      else {
        total = totals.get(type.name) ?? count()
        totals.set(type.name, total)
      }
      if (q.count === 0) return { total, rows: [] }
      // RFC 7644 §3.4.2.3: resources without the sort attribute go last ascending, first descending.
      // Without sortBy, pages follow the (type, name_ci) index: ordered by folded userName or
      // displayName, so a deep page walks the index and stops, instead of sorting every row.
      let order = q.sortBy ? orderBySql(q.sortBy, type, q.descending ? 'descending' : 'ascending') : [resources.nameCi]
      let page = where
      let offset = q.startIndex - 1
      let tieBreak = sql`, rowid`
      // A cursor walks the primary key, which no write changes, so a walk under concurrent writes
      // returns every resource that existed throughout exactly once. `+type` keeps SQLite off the
      // type indexes, so it reads the key in order and stops after `count` rows instead of sorting
      // every resource of the type (at 1M users: 330 ms a page before, 3.5 ms after).
      if (q.keyset) {
        const after = q.keyset.direction === 'after'
        const bound = after ? gt(resources.id, q.keyset.id) : lt(resources.id, q.keyset.id)
        const ofType = sql`+${resources.type} = ${type.name}`
        page = (q.filter ? and(ofType, filterToSql(q.filter, type), bound) : and(ofType, bound))!
        order = [after ? asc(resources.id) : desc(resources.id)]
        offset = 0
        tieBreak = sql``
      }
      const rows = orm.all<ReadRow>(sql`SELECT ${sql.raw(READ_COLUMNS)}, ${sql.raw(groupsColumn(type.name))} AS groups
        FROM ${resources} WHERE ${page} ORDER BY ${sql.join(order, sql`, `)}${tieBreak} LIMIT ${q.count} OFFSET ${offset}`)
      return { total, rows: rows.map((row) => hot.toStored(type.name, row)) }
    },
    members: (groupId) => hot.members(groupId),
    groupsOf: (user) => (user.groupsRead?.epoch === membershipEpoch ? user.groupsRead.refs : hot.groupsOf(user.id)),
    write: (fn) => queue.run(() => fn(tx)),
    readinessProblem: () => readinessProblem(sqlite),
    stats: () => ({ lookupHits: cache.hits, lookupMisses: cache.misses, writeBatches: queue.batches, writeJobs: queue.jobs }),
    close() {
      queue.flush()
      sqlite.close()
    },
  }
}
