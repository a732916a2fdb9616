// Change events' store over PostgreSQL, shared by the replicas: journal feed, positions, keys, receivers and push turns.
import type { SQL } from 'bun'
import { pushUrlProblem } from '../events/push-urls'
import type { EventStore } from '../events/event-store'
import { configOf, type TenantRow } from '../tenants/config'
import { PgEventKeys } from './events-keys'
import { PgJournalFeed } from './events-journal'
import { PgStreamPositions, pgDropEndedStreams } from './events-streams'
import { PgPushTurns } from './events-turns'

export interface PgEventStoreOptions {
  /** The tenants as last read (store-pg/directory.ts): their settings name the push receivers. */
  tenants: () => readonly TenantRow[]
  now: () => Date
}

/**
 * What events/service.ts createEventService needs, over one PostgreSQL database that several
 * replicas serve: every state (positions, acknowledgements, keys) is in the database, appends are
 * heard from every replica, and one replica at a time pushes to each receiver. Resolves once the
 * journal's LISTEN is acknowledged.
 */
export async function pgEventStore(sql: SQL, options: PgEventStoreOptions): Promise<EventStore> {
  const journal = new PgJournalFeed(sql)
  await journal.start()
  const turns = new PgPushTurns(sql)
  return {
    journal,
    positions: new PgStreamPositions(sql),
    keys: new PgEventKeys(sql, options.now),
    pushUrls: () => pushUrlsOf(options.tenants()),
    dropEndedStreams: (now) => pgDropEndedStreams(sql, now),
    turns,
    async close() {
      await turns.close()
      await journal.close()
    },
  }
}

/** Every tenant's receivers, from the tenants' settings (the URLs `tenant set --push-url` checked). */
function pushUrlsOf(rows: readonly TenantRow[]): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const row of rows) {
    const urls = (configOf(row).settings.pushUrls ?? []).filter((url) => !pushUrlProblem(url))
    if (urls.length > 0) out.set(row.name, urls)
  }
  return out
}
