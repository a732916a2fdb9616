// The tenants and tokens tables of PostgreSQL, read again in the background: a change any replica made is served by all within a second.
import type { SQL } from 'bun'
import { TOKEN_ROWS, type TokenRecord, type TokenRow, type TokenSource, tokenMapFollower } from '../auth/token-registry'
import type { TenantRow } from '../tenants/config'
import { pgReadTenants } from './tenants'

/** How often each replica reads the two tables: a change shows within this plus one query's time. */
export const DIRECTORY_REFRESH_MS = 250

export interface PgDirectoryOptions {
  everyMs?: number
  /** Told of a read that failed; the last good read keeps serving until one succeeds. */
  onError?: (err: unknown) => void
  /** Told of each request a stored token authenticated (for `tokens.last_used`). */
  usage?: { seen(id: string): void }
}

/**
 * The registries' view of the tenants and tokens tables. The request path cannot wait for the
 * database, so it reads the last snapshot; a timer reads both tables again every `everyMs`. That
 * bound is what lets a token revoked or a tenant added through one replica (or by `scim-server
 * token --db postgres://…`) take effect on every replica within a second, with no message between
 * them to lose. `refresh()` reads at once: this replica's own changes are served immediately.
 */
export class PgDirectory {
  private tenantRows: readonly TenantRow[] = []
  private tokenMap: ReadonlyMap<string, TokenRecord> = new Map()
  private readonly follow = tokenMapFollower()
  private timer: ReturnType<typeof setInterval> | undefined
  private reading: Promise<void> | undefined

  constructor(
    private readonly sql: SQL,
    private readonly options: PgDirectoryOptions = {}
  ) {}

  /** Reads both tables now; resolves once the snapshot holds them. */
  refresh(): Promise<void> {
    // A read already under way may have started before the change the caller made: chain another.
    const next: Promise<void> = (this.reading ?? Promise.resolve())
      .catch(() => {})
      .then(() => this.read())
      .finally(() => {
        if (this.reading === next) this.reading = undefined
      })
    this.reading = next
    return next
  }

  /** Reads both tables, then keeps reading them every `everyMs` until stop(). */
  async start(): Promise<void> {
    await this.refresh()
    this.timer ??= setInterval(() => {
      // One background read at a time: a slow database gets no pile of overlapping reads.
      if (!this.reading) this.refresh().catch((err) => this.options.onError?.(err))
    }, this.options.everyMs ?? DIRECTORY_REFRESH_MS)
    this.timer.unref?.()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  tenants(): readonly TenantRow[] {
    return this.tenantRows
  }

  /** The token source of src/auth/token-registry.ts over the last snapshot. */
  tokens(): TokenSource {
    const usage = this.options.usage
    return {
      byHash: () => this.tokenMap,
      used: usage ? (record) => usage.seen(record.id) : undefined,
    }
  }

  private async read(): Promise<void> {
    // pgReadTenants: in code-point order, as SQLite lists them, whatever the database's collation.
    const [tenants, tokens] = await Promise.all([
      pgReadTenants(this.sql),
      this.sql.unsafe(TOKEN_ROWS) as Promise<TokenRow[]>,
    ])
    this.tenantRows = [...tenants]
    this.tokenMap = this.follow(tokens)
  }
}
