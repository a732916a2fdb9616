// The WriteTx a PostgreSQL write job gets: row and membership writes under row locks, and the rows each one changes.
import type { SQL } from 'bun'
import type { Limits } from '../scim/limits'
import { managerCascades, memberCascades } from '../store/cascades'
import { displayOf } from '../store/hot-statements'
import { toRow } from '../store/rows'
import type { MemberOp, MemberRef } from '../scim/patch/members'
import type { JournalDraft } from '../journal/types'
import type { ResourceType } from '../scim/schema/types'
import type { StoredResource, WriteTx } from '../service/context'
import { awaited } from '../service/effect'
import { pgListQuery } from './list-query'
import { pgDependents } from './dependents'
import { translatePgConstraintError } from './errors'
import { PgJournalAppends } from './journal'
import { applyPgMemberOps } from './member-ops'
import { canNameRow, type PgReads } from './reads'
import { lockTenant } from './tenant-lock'
import { type PendingRow, resourceInsert } from './write-rows'

const INSERT = resourceInsert(1)
const UPDATE = `UPDATE resources SET name_ci = $2, external_id = $3, data = $4::text::jsonb, version = $5, last_modified = $6
  WHERE id = $1`
// Only this tenant's ids exist for it: a member or manager reference never crosses tenants.
const EXISTING =
  'SELECT id, type FROM resources WHERE id IN (SELECT jsonb_array_elements_text($1::text::jsonb)) AND tenant = $2'

/** What a transaction changed, for the caller to pass on (cache invalidation across replicas). */
export interface Touched {
  ids: Set<string>
}

/** A job's WriteTx, and `flush` to send what it holds back, which the job awaits before it is done. */
export interface PgWriteTx extends WriteTx {
  flush(): Promise<void>
}

/**
 * The methods of WriteTx (src/store/write-tx.ts) over one PostgreSQL transaction `tx`. `get`
 * locks the row it reads (SELECT ... FOR UPDATE), so a PATCH reads, applies and writes without
 * another transaction changing the row in between: a second writer of the same row waits for
 * this one to commit and then reads its result. Rows that show a changed row get a new version
 * in the same transaction, as in the SQLite store.
 */
export function createPgWriteTx(
  tx: SQL,
  reads: PgReads,
  tenant: string,
  limits: Limits,
  journaling: boolean,
  touched: Touched,
  /** The transaction's journal appender: the jobs of one batch continue one chain. */
  appends: PgJournalAppends = new PgJournalAppends(tx, tenant)
): PgWriteTx {
  // A created row without members is held back to go in one statement with its journal entry
  // (every statement costs CPU on both sides of the connection): any other statement of the job
  // sends it first, so the job's statements still run in the order it made them.
  let pending: PendingRow | undefined
  const flush = async () => {
    const row = pending
    if (!row) return
    pending = undefined
    try {
      await tx.unsafe(INSERT, row.values as unknown[])
    } catch (err) {
      throw translatePgConstraintError(err, row.type)
    }
  }
  const afterPending = <T>(next: () => Promise<T>): Promise<T> => (pending ? flush().then(next) : next())
  const append = async (draft: JournalDraft) => {
    const row = pending
    pending = undefined
    try {
      await appends.append(draft, row)
    } catch (err) {
      throw row ? translatePgConstraintError(err, row.type) : err
    }
  }
  const note = (rows: Iterable<{ id: string }>) => {
    for (const r of rows) touched.ids.add(r.id)
  }
  const existing = async (given: readonly string[]) => {
    const found = new Map<string, string>()
    const ids = given.filter(canNameRow)
    if (ids.length === 0) return found
    const rows = (await tx.unsafe(EXISTING, [JSON.stringify(ids), tenant])) as { id: string; type: string }[]
    for (const r of rows) found.set(r.id, r.type)
    return found
  }

  const memberOps = async (group: StoredResource, ops: readonly MemberOp[], at: string) => {
    const changes = await applyPgMemberOps(tx, group, ops, existing)
    if (changes.length === 0) return changes
    // Only users show their groups; a nested group's own form does not change.
    const users = changes.filter((c) => c.type === 'User').map((c) => c.id)
    note(await pgDependents.usersOf(tx, users, at))
    return changes
  }
  const insert = async (type: ResourceType, row: StoredResource, members?: readonly MemberRef[]) => {
    const r = toRow(tenant, type, row, limits)
    const values = [r.id, r.tenant, r.type, r.nameCi, r.externalId, r.data, r.version, r.created, r.lastModified]
    pending = { type, values }
    note([row])
    if (!members || members.length === 0) return []
    await flush()
    return [...(await memberOps(row, [{ kind: 'add', members: [...members] }], row.lastModified))]
  }
  const update = async (type: ResourceType, before: StoredResource, after: StoredResource) => {
    const r = toRow(tenant, type, after, limits)
    try {
      await tx.unsafe(UPDATE, [r.id, r.nameCi, r.externalId, r.data, r.version, r.lastModified])
    } catch (err) {
      throw translatePgConstraintError(err, type)
    }
    note([after])
    if (displayOf(before.data) !== displayOf(after.data))
      note(await pgDependents.showingOf(tx, after.id, after.lastModified))
  }
  const remove = async (type: ResourceType, row: StoredResource, at: string) => {
    const showing = await pgDependents.showingOf(tx, row.id, at)
    note(showing)
    const cascades = memberCascades(showing, { id: row.id, type: type.name })
    if (type.name === 'User') {
      const reports = await pgDependents.reportsOf(tx, row.id, at)
      note(reports)
      cascades.push(...managerCascades(reports))
    }
    // The row's memberships go with it (ON DELETE CASCADE).
    await tx.unsafe('DELETE FROM resources WHERE id = $1', [row.id])
    note([row])
    return cascades
  }

  // Each method waits for its statements through awaited(): the store's write drives the job's effect.
  return {
    get: (type, id) => awaited(afterPending(() => reads.byId(tx, type.name, id, true))),
    // Through the transaction: the job sees its own rows (the pool's other connections would not).
    // A write job queries only to check that its unique values are free (service/write-checks.ts):
    // under READ COMMITTED two jobs would both find the value free and both commit it, so the
    // check runs under the tenant's lock, held to commit, and sees the rows of any job that held it before.
    query: (type, q) =>
      awaited(afterPending(() => lockTenant(tx, tenant).then(() => pgListQuery(tx, tenant, type, q)))),
    members: (groupId) => awaited(afterPending(() => reads.members(tx, groupId))),
    insert: (type, row, members) => awaited(afterPending(() => insert(type, row, members))),
    update: (type, before, after) => awaited(afterPending(() => update(type, before, after))),
    applyMemberOps: (group, ops, at) => awaited(afterPending(() => memberOps(group, ops, at))),
    delete: (type, row, at) => awaited(afterPending(() => remove(type, row, at))),
    *journal(draft) {
      if (journaling) yield* awaited(append(typeof draft === 'function' ? draft() : draft))
    },
    existing: (ids) => awaited(afterPending(() => existing(ids))),
    flush,
  }
}
