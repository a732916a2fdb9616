// The WriteTx a PostgreSQL write job gets: row and membership writes under row locks, and the rows each one changes.
import type { SQL } from 'bun'
import type { Limits } from '../scim/limits'
import { managerCascades, memberCascades } from '../store/cascades'
import { displayOf } from '../store/hot-statements'
import { toRow } from '../store/rows'
import type { MemberOp, MemberRef } from '../scim/patch/members'
import type { ResourceType } from '../scim/schema/types'
import type { StoredResource, WriteTx } from '../service/context'
import { awaited } from '../service/effect'
import { pgListQuery } from './list-query'
import { pgDependents } from './dependents'
import { translatePgConstraintError } from './errors'
import type { PgJournalAppends } from './journal'
import { applyPgMemberOps } from './member-ops'
import { canNameRow, type PgReads } from './reads'
import { lockTenant } from './tenant-lock'
import type { PgWriteQueue } from './write-queue'

const UPDATE = `UPDATE resources SET name_ci = $2, external_id = $3, data = $4::text::jsonb, version = $5, last_modified = $6
  WHERE id = $1`
// Only this tenant's ids exist for it: a member or manager reference never crosses tenants.
// FOR KEY SHARE holds the rows found until commit, so another replica's DELETE of one waits for
// this transaction (and its cascade then sees the new membership or report); a row that replica
// has deleted but not committed is waited for and then not found. Updates of them do not wait.
const EXISTING =
  'SELECT id, type FROM resources WHERE id IN (SELECT jsonb_array_elements_text($1::text::jsonb)) AND tenant = $2 FOR KEY SHARE'

/**
 * Whether `tenant` is still the life of the name a store was built for (tenants.generation), as
 * src/store/tenant-generation.ts checks it on SQLite: a batch authenticated before `tenant remove`
 * and `tenant add` of the name on any replica must not land in the new tenant (the foreign keys
 * ask only for the name). Sent with the tenant's lock, which `tenant remove` and `tenant add`
 * take too (store-pg/tenants.ts) and which this transaction then holds to COMMIT: the read runs
 * after the lock is granted (Bun SQL pipelines the two, PostgreSQL runs them in order), so the
 * answer stays true until the batch commits. Once per batch, without waiting for the answer
 * before the jobs' statements go: the caller awaits it before COMMIT and the batch, its
 * statements all rolled back, fails as for a removed tenant when it is false.
 */
export function sameGeneration(tx: SQL, tenant: string, generation: string): Promise<boolean> {
  return Promise.all([
    lockTenant(tx, tenant),
    tx.unsafe('SELECT 1 AS same FROM tenants WHERE name = $1 AND generation = $2', [tenant, generation]),
  ]).then(([, rows]) => (rows as unknown[]).length > 0)
}

/** What a transaction changed, for the caller to pass on (cache invalidation across replicas). */
export interface Touched {
  ids: Set<string>
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
  appends: PgJournalAppends,
  /** The transaction's writes not yet sent (write-queue.ts). */
  queue: PgWriteQueue
): WriteTx {
  // Every statement of a job first sends what the batch's queue holds, so it sees every write made before it.
  const afterQueued = <T>(next: () => Promise<T>): Promise<T> => (queue.pending ? queue.flush().then(next) : next())
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
    const changes = await applyPgMemberOps(tx, group, ops, existing).catch((err: unknown) => {
      throw translatePgConstraintError(err, { name: group.type })
    })
    if (changes.length === 0) return changes
    note([group])
    // Only users show their groups; a nested group's own form does not change.
    const users = changes.filter((c) => c.type === 'User').map((c) => c.id)
    note(await pgDependents.usersOf(tx, users, at))
    return changes
  }
  const insert = async (type: ResourceType, row: StoredResource, members?: readonly MemberRef[]) => {
    const r = toRow(tenant, type, row, limits)
    // The row waits in the queue, to go with its journal entry and the batch's other writes; with
    // members it goes at once, before the membership rows that reference it.
    queue.row(type, r)
    note([row])
    if (!members || members.length === 0) {
      if (queue.full) await queue.flush()
      return []
    }
    await queue.flush()
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
    get: (type, id) => awaited(afterQueued(() => reads.byId(tx, type.name, id, true))),
    // Through the transaction: the job sees its own rows (the pool's other connections would not).
    // A write job queries only to check that its unique values are free (service/write-checks.ts):
    // under READ COMMITTED two jobs would both find the value free and both commit it, so the
    // check runs under the tenant's lock, held to commit, and sees the rows of any job that held it before.
    query: (type, q) => awaited(afterQueued(() => lockTenant(tx, tenant).then(() => pgListQuery(tx, tenant, type, q)))),
    members: (groupId) => awaited(afterQueued(() => reads.members(tx, groupId))),
    // Queued behind what waits, in order; with members it sends the queue itself.
    insert: (type, row, members) => awaited(insert(type, row, members)),
    update: (type, before, after) => awaited(afterQueued(() => update(type, before, after))),
    applyMemberOps: (group, ops, at) => awaited(afterQueued(() => memberOps(group, ops, at))),
    delete: (type, row, at) => awaited(afterQueued(() => remove(type, row, at))),
    *journal(draft) {
      if (journaling) yield* awaited(appends.append(typeof draft === 'function' ? draft() : draft))
    },
    existing: (ids) => awaited(afterQueued(() => existing(ids))),
  }
}
