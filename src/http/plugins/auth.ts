// Bearer-token check (RFC 6750 §2.1, header only) before anything else runs, in constant time.
import { Elysia } from 'elysia'
import { ScimError } from '../../scim/errors'
import { tokenMatches } from '../../cli/tokens'
import { errorResponse } from '../respond'

/** Paths served without a token: the load-balancer probe only. */
const OPEN_PATHS = new Set(['/healthz'])

function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2)
  const end = url.indexOf('?', start)
  return start < 0 ? '/' : url.slice(start, end < 0 ? undefined : end)
}

/** The credentials of `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 7235 §2.1). */
export function bearerToken(header: string | null): string | undefined {
  const m = header === null ? null : /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
  return m?.[1]
}

/**
 * Rejects every request but /healthz without a valid token, with 401 and WWW-Authenticate.
 * It runs on request arrival, before routing and body parsing, so an anonymous client can make
 * the server parse nothing; and it reads only the header (no `?access_token=`, which would put
 * the secret into proxy logs). `tokenHashes` is asked on each request so rotation takes effect live.
 */
export function auth(tokenHashes: () => readonly Buffer[]) {
  return new Elysia({ name: 'scim.auth' }).onRequest(({ request }) => {
    if (OPEN_PATHS.has(pathOf(request.url))) return
    const token = bearerToken(request.headers.get('authorization'))
    if (token === undefined || !tokenMatches(token, tokenHashes())) {
      return errorResponse(ScimError.unauthorized(), { 'www-authenticate': 'Bearer realm="scim"' })
    }
  })
}
