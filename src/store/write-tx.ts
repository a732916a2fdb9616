// The WriteTx a store.write job gets: row and membership writes, and the rows each one changes.
import { eq, sql } from 'drizzle-orm'
import type { BunSQLiteDatabase } from 'drizzle-orm/bun-sqlite'
import type { Database } from 'bun:sqlite'
import type { ResourceType } from '../scim/schema/types'
import { managerCascades, memberCascades } from './cascades'
import type { ListQuery, MemberRow, StoredResource, WriteTx } from '../service/context'
import type { MemberOp } from '../scim/patch/members'
import type { JournalAppender } from '../journal/append'
import { Dependents } from './dependents'
import { translateConstraintError } from './errors'
import { displayOf, type HotStatements } from './hot-statements'
import { applyMemberOps } from './member-ops'
import { externalIdOf, nameKeyOf, toRow } from './rows'
import type { ReadCaches, RowKeys } from './staleness'
import type * as tables from './tables'
import { resources } from './tables'
import type { Limits } from '../scim/limits'

const { placeholder } = sql

/**
 * The ids among a JSON array that exist for the tenant. `+tenant` keeps SQLite on the primary
 * key: given `tenant = ?` it chose a tenant index and read every row of the tenant (6 ms a member
 * add at 60k users) to find a handful of ids.
 */
export const EXISTING_IDS =
  'SELECT id, type FROM resources WHERE id IN (SELECT value FROM json_each(?1)) AND +tenant = ?2'

function keysOf(type: ResourceType, r: StoredResource): RowKeys {
  return { type: type.name, id: r.id, nameKey: nameKeyOf(type, r.data), externalId: externalIdOf(r.data) }
}

/**
 * Every method reports to `caches` each row whose served form it changed: the row itself, and the
 * rows that show it (Dependents), which get a new version in the same transaction.
 */
export function createWriteTx(
  orm: BunSQLiteDatabase<typeof tables>,
  sqlite: Database,
  hot: HotStatements,
  caches: ReadCaches,
  limits: Limits,
  tenant: string,
  journal: JournalAppender | undefined,
  reads: {
    query: (type: ResourceType, q: ListQuery) => { total: number; rows: StoredResource[] }
    members: (groupId: string) => MemberRow[]
  }
): WriteTx {
  const insertRow = orm
    .insert(resources)
    .values({
      id: placeholder('id'),
      tenant: placeholder('tenant'),
      type: placeholder('type'),
      nameCi: placeholder('nameCi'),
      externalId: placeholder('externalId'),
      data: placeholder('data'),
      version: placeholder('version'),
      created: placeholder('created'),
      lastModified: placeholder('lastModified'),
    })
    .prepare()
  const updateRow = orm
    .update(resources)
    .set({
      nameCi: sql`${placeholder('nameCi')}`,
      externalId: sql`${placeholder('externalId')}`,
      data: sql`${placeholder('data')}`,
      version: sql`${placeholder('version')}`,
      lastModified: sql`${placeholder('lastModified')}`,
    })
    .where(eq(resources.id, placeholder('id')))
    .prepare()
  const deleteRow = orm
    .delete(resources)
    .where(eq(resources.id, placeholder('id')))
    .prepare()
  const existingIds = sqlite.query<{ id: string; type: string }, [string, string]>(EXISTING_IDS)
  const dependents = new Dependents(sqlite)

  // Plain functions, which the methods below and each other call without a generator step.
  const existing = (ids: readonly string[]) => {
    const found = new Map<string, string>()
    for (const r of existingIds.all(JSON.stringify(ids), tenant)) found.set(r.id, r.type)
    return found
  }
  const memberOps = (group: StoredResource, ops: readonly MemberOp[], at: string) => {
    const changes = applyMemberOps(sqlite, group, ops, existing)
    if (changes.length === 0) return changes
    // Only users show their groups; a nested group's own form does not change.
    caches.changed(
      dependents.usersOf(
        changes.filter((c) => c.type === 'User').map((c) => c.id),
        at
      )
    )
    return changes
  }

  // Effects that never yield (src/service/effect.ts): the write queue runs them with runSync.
  return {
    *get(type, id) {
      return hot.byId(type.name, id)
    },
    // The store's own reads: one connection, so they see this transaction's rows.
    *query(type, q) {
      return reads.query(type, q)
    },
    *members(groupId) {
      return reads.members(groupId)
    },
    *insert(type, row, members) {
      try {
        insertRow.run(toRow(tenant, type, row, limits))
      } catch (err) {
        throw translateConstraintError(err, type)
      }
      caches.changed([keysOf(type, row)])
      caches.recount(type.name)
      if (!members || members.length === 0) return []
      return [...memberOps(row, [{ kind: 'add', members: [...members] }], row.lastModified)]
    },
    *update(type, before, after) {
      try {
        updateRow.run(toRow(tenant, type, after, limits))
      } catch (err) {
        throw translateConstraintError(err, type)
      }
      caches.changed([keysOf(type, before), keysOf(type, after)])
      if (displayOf(before.data) !== displayOf(after.data))
        caches.changed(dependents.showingOf(after.id, after.lastModified))
    },
    *applyMemberOps(group, ops, at) {
      return memberOps(group, ops, at)
    },
    *delete(type, row, at) {
      const showing = dependents.showingOf(row.id, at)
      caches.changed(showing)
      const cascades = memberCascades(showing, { id: row.id, type: type.name })
      if (type.name === 'User') {
        const reports = dependents.reportsOf(row.id, at)
        caches.changed(reports)
        cascades.push(...managerCascades(reports))
      }
      // The row's memberships go with it (ON DELETE CASCADE).
      deleteRow.run({ id: row.id })
      caches.changed([keysOf(type, row)])
      caches.recount(type.name)
      return cascades
    },
    *journal(draft) {
      if (journal) journal.append(tenant, typeof draft === 'function' ? draft() : draft)
    },
    // Only this tenant's ids exist for it: a member or manager reference never crosses tenants.
    *existing(ids) {
      return existing(ids)
    },
  }
}
