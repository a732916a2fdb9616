// Which store the HTTP suite runs on (SCIM_TEST_STORE=pg: PostgreSQL, else SQLite), and the mark for tests that only make sense on SQLite.
import { test } from 'bun:test'

/** True in scripts/test's second pass of tests/http (SCIM_TEST_STORE=pg). */
export const ON_PG = process.env.SCIM_TEST_STORE === 'pg'

/**
 * `test`, except that on PostgreSQL it is skipped and its name says why: for tests that look at
 * SQLite itself (PRAGMAs, the write queue's counters, the database file, the in-process journal
 * reader), or at something PostgreSQL does not serve yet. `reason` is required so a reader knows
 * whether the gap is SQLite's nature or work still to do.
 */
export function sqliteOnly(reason: string): typeof test {
  if (!ON_PG) return test
  const skipped = ((name: string, fn: () => unknown, options?: number) =>
    test.skip(`${name} [SQLite only: ${reason}]`, fn as () => void, options)) as unknown as typeof test
  return skipped
}
