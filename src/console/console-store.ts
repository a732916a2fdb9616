// What the console reads and changes outside the SCIM services, as one interface over SQLite or PostgreSQL.
import type { Database } from 'bun:sqlite'
import {
  type IssuedToken,
  type IssueOptions,
  issueTokenRecord,
  listTokens,
  revokeToken,
  type TokenInfo,
} from '../auth/token-admin'
import type { JournalEntry } from '../journal/types'
import type { Verdict } from '../journal/verify'
import type { TenantConfig, TenantRow } from '../tenants/config'
import { addTenant } from '../tenants/create'
import { readTenants } from '../tenants/rows'
import { type JournalFilter, type JournalPage, type JournalSummary, journalData } from './journal-data'

/**
 * The journal as the console reads it. Plain async methods, not effects: every caller is a
 * request handler that waits anyway, and none runs inside the SQLite write queue's synchronous
 * jobs; on SQLite each answers at once.
 */
export interface ConsoleJournal {
  /** One page, newest first, of the entries `filter` matches with seq below `before`. */
  page(filter: JournalFilter, before?: number, limit?: number): Promise<JournalPage>
  /** Every matching entry in seq order, a few at a time (the export). */
  all(filter: JournalFilter): AsyncGenerator<JournalEntry>
  summary(tenant: string, now: number): Promise<JournalSummary>
  /** The tenant's newest seq (0 without entries): where live updates start. */
  lastSeq(tenant: string): Promise<number>
  /** The tenant's entries after `afterSeq`, in seq order, at most `limit`. */
  after(tenant: string, afterSeq: number, limit: number): Promise<JournalEntry[]>
  /** Calls `listener` after entries of `tenant` were committed (by any writer the store can see); returns the unsubscribe. */
  onAppend(tenant: string, listener: () => void): () => void
  /** `journal verify` of the tenant's chain. */
  verify(tenant: string): Promise<Verdict>
}

/** The tokens page's changes, with auth/token-admin's checks (a TokenAdminError for a request they refuse). */
export interface ConsoleTokens {
  list(tenant: string): Promise<TokenInfo[]>
  issue(options: IssueOptions, now: Date): Promise<IssuedToken>
  revoke(id: string): Promise<boolean>
}

/**
 * The tenants page's rows and its one change. `add` throws a TenantError for a bad name, a name
 * taken or packs that do not load, and writes nothing then (tenants/create.ts addTenant's rules).
 */
export interface ConsoleTenants {
  rows(): Promise<readonly TenantRow[]>
  add(config: Omit<TenantConfig, 'created' | 'generation'>): Promise<void>
}

export interface ConsoleData {
  journal: ConsoleJournal
  tokens: ConsoleTokens
  tenants: ConsoleTenants
}

/** The console's data in the server's SQLite database. */
export function sqliteConsoleData(db: Database): ConsoleData {
  return {
    journal: journalData(db),
    tokens: {
      list: async (tenant) => listTokens(db, tenant),
      issue: async (options, now) => issueTokenRecord(db, options, now),
      revoke: async (id) => revokeToken(db, id),
    },
    tenants: {
      rows: async () => readTenants(db),
      add: async (config) => addTenant(db, config),
    },
  }
}
