// In-process test server: a fresh in-memory database per call, driven through app.handle().
import { hashToken } from '../../src/auth/tokens'
import { createScimServer, type ServerOptions, type ScimServer } from '../../src/server'

export const TEST_TOKEN = 'test-token'
export const ENTRA_CONTENT_TYPE = 'application/scim+json; charset=utf-8'

export interface TestApp {
  server: ScimServer
  /** `path` includes /scim/v2; adds the valid token and Entra's content type unless overridden. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>
}

export function makeTestApp(options: Partial<ServerOptions> = {}): TestApp {
  const server = createScimServer({ db: ':memory:', tokenHashes: [hashToken(TEST_TOKEN)], ...options })
  return {
    server,
    request(method, path, body, headers = {}) {
      const init: RequestInit = {
        method,
        headers: {
          authorization: `Bearer ${TEST_TOKEN}`,
          ...(body !== undefined ? { 'content-type': ENTRA_CONTENT_TYPE } : {}),
          ...headers,
        },
      }
      if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body)
      return server.app.handle(new Request(`http://localhost${path}`, init))
    },
  }
}
