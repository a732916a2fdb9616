// ServerOptions, apart from server.ts so the package's declarations stop here (no Elysia, no Drizzle).
import type { Logger } from './log/types'
import type { Limits } from './scim/limits'
import type { SchemaDocument } from './scim/schema/types'
import type { Durability } from './store/durability'
import type { JournalReader } from './journal/types'
import type { PushOptions } from './events/push'

export interface ServerOptions {
  db: string
  durability?: Durability
  /** Accepted token hashes; when absent, those stored in the database (`scim-server token`). */
  tokenHashes?: readonly Buffer[]
  baseUrl?: string
  schemaPacks?: readonly string[]
  extraSchemas?: readonly { schema: SchemaDocument; resourceType: 'User' | 'Group' }[]
  maxResults?: number
  defaultCount?: number
  /** Seconds a paging cursor stays valid (default 3600). */
  cursorTimeout?: number
  /** Input limits; those not given keep their defaults (src/scim/limits.ts). */
  limits?: Partial<Limits>
  /** Entries the lookup cache keeps at most (all tenants together); without it only limits.cacheBytes bounds it. */
  cacheSize?: number
  /** Request lines and internal errors (src/log/logger.ts createLogger); without one the server writes no log. */
  logger?: Logger
  /** Requests per second per token, with bursts of twice that; 0 or absent: no limit. A tenant may set its own. */
  rateLimit?: number
  /** IP addresses and CIDR blocks every tenant's tokens are honoured from (a tenant may set its own); absent: any. */
  allowFrom?: readonly string[]
  /** The journal change events are read from instead of the database's own (tests); without a journal the server offers no events. */
  journal?: JournalReader
  /** Change-event tuning: SETs and bytes of entries per poll, long-poll wait, push retries (src/events/service.ts). */
  events?: {
    maxEvents?: number
    maxEventBytes?: number
    longPollMs?: number
    push?: PushOptions
    reloadEveryMs?: number
  }
  /** False: no provisioning journal. A benchmark switch only (SCIM_JOURNAL=off), to measure its cost. */
  journaling?: boolean
  /** How often the tenants table is read again, in ms (default 250); 0 in tests: on every request. */
  tenantRefreshMs?: number
}
