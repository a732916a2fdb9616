// The AsyncWriteTx a PostgreSQL write job gets: row and membership writes under row locks, and the rows each one changes.
import type { SQL } from 'bun'
import type { Limits } from '../scim/limits'
import { managerCascades, memberCascades } from '../store/cascades'
import { displayOf } from '../store/hot-statements'
import { toRow } from '../store/rows'
import type { AsyncWriteTx } from './async-store'
import { pgDependents } from './dependents'
import { translatePgConstraintError } from './errors'
import { PgJournalAppends } from './journal'
import { applyPgMemberOps } from './member-ops'
import type { PgReads } from './reads'

// The document goes as text and is parsed by the server: Bun would encode a string bound to a
// jsonb parameter as a JSON string, and toRow (the one place every write passes its checks) gives text.
const INSERT = `INSERT INTO resources (id, tenant, type, name_ci, external_id, data, version, created, last_modified)
  VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7, $8, $9)`
const UPDATE = `UPDATE resources SET name_ci = $2, external_id = $3, data = $4::text::jsonb, version = $5, last_modified = $6
  WHERE id = $1`
// Only this tenant's ids exist for it: a member or manager reference never crosses tenants.
const EXISTING =
  'SELECT id, type FROM resources WHERE id IN (SELECT jsonb_array_elements_text($1::text::jsonb)) AND tenant = $2'

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
  touched: Touched
): AsyncWriteTx {
  const appends = new PgJournalAppends(tx, tenant)
  const note = (rows: Iterable<{ id: string }>) => {
    for (const r of rows) touched.ids.add(r.id)
  }
  const existing = async (ids: readonly string[]) => {
    const found = new Map<string, string>()
    if (ids.length === 0) return found
    const rows = (await tx.unsafe(EXISTING, [JSON.stringify(ids), tenant])) as { id: string; type: string }[]
    for (const r of rows) found.set(r.id, r.type)
    return found
  }

  const wtx: AsyncWriteTx = {
    get: (type, id) => reads.byId(tx, type.name, id, true),
    async insert(type, row, members) {
      const r = toRow(tenant, type, row, limits)
      try {
        await tx.unsafe(INSERT, [
          r.id,
          r.tenant,
          r.type,
          r.nameCi,
          r.externalId,
          r.data,
          r.version,
          r.created,
          r.lastModified,
        ])
      } catch (err) {
        throw translatePgConstraintError(err, type)
      }
      note([row])
      if (!members || members.length === 0) return []
      return [...(await wtx.applyMemberOps(row, [{ kind: 'add', members: [...members] }], row.lastModified))]
    },
    async update(type, before, after) {
      const r = toRow(tenant, type, after, limits)
      try {
        await tx.unsafe(UPDATE, [r.id, r.nameCi, r.externalId, r.data, r.version, r.lastModified])
      } catch (err) {
        throw translatePgConstraintError(err, type)
      }
      note([after])
      if (displayOf(before.data) !== displayOf(after.data))
        note(await pgDependents.showingOf(tx, after.id, after.lastModified))
    },
    async applyMemberOps(group, ops, at) {
      const changes = await applyPgMemberOps(tx, group, ops, existing)
      if (changes.length === 0) return changes
      // Only users show their groups; a nested group's own form does not change.
      const users = changes.filter((c) => c.type === 'User').map((c) => c.id)
      note(await pgDependents.usersOf(tx, users, at))
      return changes
    },
    async delete(type, row, at) {
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
    },
    async journal(draft) {
      if (journaling) await appends.append(typeof draft === 'function' ? draft() : draft)
    },
    existing,
  }
  return wtx
}
