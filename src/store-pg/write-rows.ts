// The resources INSERT of the PostgreSQL store, with its parameters numbered from any position so it can lead a statement of several writes.
import type { ResourceType } from '../scim/schema/types'

/** A row insert not yet sent: its values in RESOURCE_COLUMNS order and the type its errors name. */
export interface PendingRow {
  type: ResourceType
  values: readonly unknown[]
}

const RESOURCE_COLUMNS = 'id, tenant, type, name_ci, external_id, data, version, created, last_modified'

/**
 * The INSERT of one resource row whose nine parameters start at $`first`. The document goes as
 * text and is parsed by the server: Bun would encode a string bound to a jsonb parameter as a
 * JSON string, and toRow (the one place every write passes its checks) gives text.
 */
export function resourceInsert(first: number): string {
  const p = (k: number) => `$${first + k}`
  return `INSERT INTO resources (${RESOURCE_COLUMNS})
  VALUES (${p(0)}, ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}::text::jsonb, ${p(6)}, ${p(7)}, ${p(8)})`
}
