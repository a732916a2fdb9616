// Writes a generated Dataset into a PostgreSQL store's tables as tests/helpers/generate.ts storeDataset does for SQLite.
import type { SQL } from 'bun'
import { foldCase } from '../../src/scim/case-fold'
import type { Dataset, Json } from './generate'

const NOT_STORED = new Set(['id', 'meta', 'schemas', 'members', 'groups'])

/** The same rows storeDataset writes, in the same order (so `seq` follows SQLite's rowid). */
export async function storePgDataset(sql: SQL, ds: Dataset): Promise<void> {
  await sql.begin(async (tx) => {
    for (const r of [...ds.users, ...ds.groups]) {
      const m = r.meta as Json
      const data = Object.fromEntries(Object.entries(r).filter(([k]) => !NOT_STORED.has(k)))
      const name = (m.resourceType === 'User' ? r.userName : r.displayName) as string
      const version = Number(/\d+/.exec(String(m.version))![0])
      await tx`INSERT INTO resources (id, type, name_ci, external_id, data, version, created, last_modified)
        VALUES (${r.id as string}, ${m.resourceType as string}, ${foldCase(name)}, ${(r.externalId as string) ?? null},
          ${data}::jsonb, ${version}, ${m.created as string}, ${m.lastModified as string})`
    }
    for (const g of ds.groups) {
      for (const mem of g.members as { value: string; type: string }[]) {
        await tx`INSERT INTO group_members (group_id, member_id, member_type) VALUES (${g.id as string}, ${mem.value}, ${mem.type})`
      }
    }
  })
}
