// Bearer-token check (RFC 6750 §2.1, header only) before anything else runs, in constant time.
import { Elysia } from 'elysia'
import { ScimError } from '../../scim/errors'
import { tokenMatches } from '../../auth/tokens'
import { errorResponse } from '../respond'
import { contextOf } from '../request-context'
import { tokenLabel } from '../token-label'

/** The credentials of `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 7235 §2.1). */
export function bearerToken(header: string | null): string | undefined {
  const m = header === null ? null : /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
  return m?.[1]
}

/**
 * Tokens already verified against the current hash list, so the steady stream of requests that
 * carry the same token skips SHA-256 (~1.5 µs a request). Only matches are kept, a few at most,
 * and the memo empties whenever the list changes (rotation, or the stored list re-read). Looking
 * a string up in a Map compares contents only after the string hashes agree, so its timing can
 * tell at most bits of a non-cryptographic hash of the token, never the token.
 */
class VerifiedTokens {
  private readonly tokens = new Set<string>()
  private against: readonly Buffer[] | undefined

  has(token: string, hashes: readonly Buffer[]): boolean {
    if (hashes !== this.against) {
      this.tokens.clear()
      this.against = hashes
    }
    return this.tokens.has(token)
  }

  add(token: string): void {
    if (this.tokens.size >= 8) this.tokens.clear()
    this.tokens.add(token)
  }
}

function unauthorized(): Response {
  return errorResponse(ScimError.unauthorized(), { 'www-authenticate': 'Bearer realm="scim"' })
}

/**
 * Rejects every request without a valid token, with 401 and WWW-Authenticate, except those whose
 * path is exactly one of `openPaths` (the routes of the app's open controller). It runs on
 * request arrival, before routing and body parsing, so an anonymous client can make the server
 * parse nothing. The path it checks is the router's own (`path` of the context, after the front
 * door made it the target's path), never a second reading of the URL: what is open is decided by
 * the same parse that picks the route. Only the header is read (no `?access_token=`, which would
 * put the secret into proxy logs); `tokenHashes` is asked on each request so rotation is live.
 */
export function auth(tokenHashes: () => readonly Buffer[], openPaths: ReadonlySet<string>) {
  const verified = new VerifiedTokens()
  return new Elysia({ name: 'scim.auth' }).onRequest((context) => {
    // Elysia's context carries the router's path; should it ever not, nothing is open (fail closed).
    const { request, path } = context as typeof context & { path?: string }
    if (path !== undefined && openPaths.has(path)) return
    const token = bearerToken(request.headers.get('authorization'))
    if (token === undefined) return unauthorized()
    const hashes = tokenHashes()
    if (!verified.has(token, hashes)) {
      if (!tokenMatches(token, hashes)) return unauthorized()
      verified.add(token)
    }
    // The request's token label for its log line, metrics and rate limit, from the token just checked.
    const ctx = contextOf(request)
    if (ctx && ctx.tokenLabel === undefined) ctx.tokenLabel = tokenLabel(token)
  })
}
