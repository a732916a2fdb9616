// The package's public shapes; no Elysia or Drizzle types, as consumers check these under their own flags.
import type { ServerOptions } from '../server-options'

/** What createScimServer promises a library user: the app to mount, and a way to close storage. */
export interface ScimServer {
  /** Answers one HTTP request; hand it to `Bun.serve({ fetch })` or call it directly in tests. */
  app: { handle(request: Request): Promise<Response> }
  /** Flushes pending writes and closes the database. */
  store: { close(): void }
}

/** startScimServer's options: any ServerOptions, with the database defaulting to `:memory:`. */
export interface StartOptions extends Omit<ServerOptions, 'db' | 'tokenHashes'> {
  /** A database file, or `:memory:` (the default). */
  db?: string
  /** The bearer token to accept; a random one per server when absent. */
  token?: string
}

/** Request bodies as a client would POST them (`schemas` may be left out). */
export interface SeedInput {
  users?: readonly Record<string, unknown>[]
  groups?: readonly Record<string, unknown>[]
}

/** A resource as the server answered its creation (RFC 7643 §3): `id`, `meta` and the stored attributes. */
export interface ScimResource {
  id: string
  [attribute: string]: unknown
}

/** What seed() created, in the order given. */
export interface SeededResources {
  users: ScimResource[]
  groups: ScimResource[]
}

/** What a tenant created by `createTenant` serves besides the built-in schemas, and its settings. */
export interface TenantOptions {
  /** Vendor schema packs: alertmedia, alvao, mediusflow, h5mag, atmos. */
  schemaPacks?: readonly string[]
  /** Extra schema documents, each an extension of its resource type, as ServerOptions.extraSchemas. */
  extraSchemas?: ServerOptions['extraSchemas']
  /** Largest page its lists return (the server's maxResults when absent). */
  maxResults?: number
  /** Page size when a list asks for none. */
  defaultCount?: number
  /** Requests per second per token of this tenant; 0: none. */
  rateLimit?: number
}

/** A tenant createTenant made: its Tenant URL and its first bearer token. */
export interface CreatedTenant {
  readonly name: string
  /** `http://127.0.0.1:PORT/tenants/NAME/scim/v2`. */
  readonly url: string
  readonly token: string
}

/** A server listening on 127.0.0.1 at a free port; `await using` stops it at the end of the scope. */
export interface RunningScimServer {
  /** The default tenant's Tenant URL, `http://127.0.0.1:PORT/scim/v2`. */
  readonly url: string
  /** The bearer token the server accepts. */
  readonly token: string
  /**
   * `http://127.0.0.1:PORT/tenants/NAME/scim/v2`: where tenant NAME is served once createTenant
   * (or `scim-server tenant add` on the same database file) made it.
   */
  tenantUrl(name: string): string
  /**
   * Creates tenant NAME (`[a-z0-9][a-z0-9-]{0,62}`) with its own data, schemas, settings and a
   * token, served at once. Throws on a bad or taken name or an unknown pack.
   */
  createTenant(name: string, options?: TenantOptions): CreatedTenant
  /**
   * Creates users, then groups, through the same service layer as POST (validation applies) and
   * returns them in order. A rejected resource rejects the call with its ScimError (`status`,
   * `scimType`) and nothing of the call is kept.
   */
  seed(input: SeedInput): Promise<SeededResources>
  /**
   * Deletes every user and group (custom resource types too) of every tenant through the store,
   * keeping the URL, token, the tenants createTenant made (with their tokens) and a file
   * database's other contents. Call it between tests, not during requests.
   */
  reset(): Promise<void>
  /** Closes the port and the database; safe to call twice. */
  stop(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}
