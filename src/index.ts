// The library face: startScimServer for other projects' test suites, createScimServer to mount the app.
import { createScimServer as createServer } from './server'
import type { ServerOptions } from './server-options'
import type { ScimServer } from './embed/types'

export type { ServerOptions } from './server-options'
export type { Durability } from './store/durability'
export type {
  CreatedTenant,
  RunningScimServer,
  ScimResource,
  ScimServer,
  SeededResources,
  SeedInput,
  StartOptions,
  TenantOptions,
} from './embed/types'
export { startScimServer } from './embed/start'
export { hashToken, generateToken } from './auth/tokens'
export { VERSION } from './version'

/**
 * Builds the server without listening: `app.handle(request)` answers SCIM requests. Typed by the
 * package's own ScimServer, so its declarations never reach Elysia's or Drizzle's types.
 */
export const createScimServer: (options: ServerOptions) => ScimServer = createServer
