// StoredResource rows for store tests: version 1, created and last modified at T0.
import type { StoredResource } from '../../src/service/context'

export const T0 = '2026-01-01T00:00:00.000Z'

/** A row of `type` as a store keeps it, before any write changed it. */
export function storedRow(type: string, id: string, data: Record<string, unknown>): StoredResource {
  return { id, type, data, version: 1, created: T0, lastModified: T0 }
}
