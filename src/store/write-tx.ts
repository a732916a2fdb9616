// The WriteTx a store.write job gets: row and membership writes, and the rows each one changes.
import { eq, sql } from 'drizzle-orm'
import type { BunSQLiteDatabase } from 'drizzle-orm/bun-sqlite'
import type { Database, Statement } from 'bun:sqlite'
import type { ResourceType } from '../scim/schema/types'
import { managerCascades, memberCascades } from './cascades'
import type { ListPage, ListQuery, MemberRow, StoredResource, WriteTx } from '../service/context'
import type { MemberOp } from '../scim/patch/members'
import type { JournalAppender } from '../journal/append'
import { Dependents } from './dependents'
import { translateConstraintError } from './errors'
import { displayOf, type HotStatements } from './hot-statements'
import { applyMemberOps } from './member-ops'
import { externalIdOf, nameKeyOf, type ResourceRow, toRow } from './rows'
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
 * An UPDATE of a row that names in its SET only the lookup columns that changed. SQLite rewrites
 * the entries of every index on a column the SET names, whether its value changed or not: Entra's
 * PATCH of a family name wrote the pages of the userName, externalId and uniqueness indexes as
 * well as the row's (6.3 WAL frames a PATCH instead of 3.2), and a durable commit waits for each.
 */
function updateStatements(
  sqlite: Database
): (row: ResourceRow, nameChanged: boolean, externalIdChanged: boolean) => void {
  const statements = new Map<number, Statement>()
  return (row, nameChanged, externalIdChanged) => {
    const which = (nameChanged ? 1 : 0) | (externalIdChanged ? 2 : 0)
    let statement = statements.get(which)
    if (!statement) {
      const set = ['data = ?1', 'version = ?2', 'last_modified = ?3']
      if (nameChanged) set.push('name_ci = ?5')
      if (externalIdChanged) set.push('external_id = ?6')
      statement = sqlite.query(`UPDATE resources SET ${set.join(', ')} WHERE id = ?4`)
      statements.set(which, statement)
    }
    if (which === 0) statement.run(row.data, row.version, row.lastModified, row.id)
    else if (which === 1) statement.run(row.data, row.version, row.lastModified, row.id, row.nameCi)
    else statement.run(row.data, row.version, row.lastModified, row.id, row.nameCi, row.externalId)
  }
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
    query: (type: ResourceType, q: ListQuery) => ListPage
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
  const updateRow = updateStatements(sqlite)
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
      const was = keysOf(type, before)
      const row = toRow(tenant, type, after, limits)
      try {
        updateRow(row, row.nameCi !== was.nameKey, row.externalId !== was.externalId)
      } catch (err) {
        throw translateConstraintError(err, type)
      }
      caches.changed([was, keysOf(type, after)])
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
      // Where the delete's journal entry links to, read before the row (which holds it) goes.
      journal?.deleting(row.id)
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
