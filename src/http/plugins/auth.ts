// Bearer-token check (RFC 6750 §2.1, header only) and the token scope rule, before anything else runs.
import { ScimError } from '../../scim/errors'
import { scopeRefusal } from '../../auth/scopes'
import { resolveToken, type TokenRecord, type TokenSource } from '../../auth/token-registry'
import { apiPathOf } from '../front-door'
import { errorResponse } from '../respond'
import type { RequestContext } from '../request-context'
import { tokenLabel } from '../token-label'

/** The credentials of `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 7235 §2.1). */
export function bearerToken(header: string | null): string | undefined {
  const m = header === null ? null : /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
  return m?.[1]
}

/** Valid tokens the memo holds at most; each costs about a hundred bytes. */
const MEMO_TOKENS = 1024

/**
 * Tokens already resolved against the current records, so the steady stream of requests that
 * carry the same token skips SHA-256 (~1.5 µs a request). Only matches are kept, one per token in
 * use (a server of 50 tenants sees 50 in rotation; a memo of 8 was emptied on nearly every request),
 * and the memo empties whenever the records change (issue, revocation, expiry set). Looking a
 * string up in a Map compares contents only after the string hashes agree, so its timing can
 * tell at most bits of a non-cryptographic hash of the token, never the token.
 */
class ResolvedTokens {
  private readonly tokens = new Map<string, TokenRecord>()
  private against: ReadonlyMap<string, TokenRecord> | undefined

  resolve(source: TokenSource, token: string): TokenRecord | undefined {
    const records = source.byHash()
    if (records !== this.against) {
      this.tokens.clear()
      this.against = records
    }
    const known = this.tokens.get(token)
    if (known) return known.expires !== null && Date.parse(known.expires) <= Date.now() ? undefined : known
    const record = resolveToken(source, token)
    if (record) {
      if (this.tokens.size >= MEMO_TOKENS) this.tokens.clear()
      this.tokens.set(token, record)
    }
    return record
  }
}

/** 401 with its WWW-Authenticate challenge (RFC 6750 §3): a missing or bad token, or one that stopped working. */
export function unauthorized(error = ScimError.unauthorized()): Response {
  return errorResponse(error, { 'www-authenticate': 'Bearer realm="scim"' })
}

/**
 * Rejects every request without a valid token of the addressed tenant, with 401 and
 * WWW-Authenticate, except those whose path is exactly one of `openPaths` (the routes of the
 * app's open controller). It runs on request arrival (plugins/arrival.ts), before routing and
 * body parsing, so an anonymous client can make the server parse nothing. The path it checks is
 * the router's own (`routed`, the `path` of Elysia's context, after the front door made it the
 * target's path), never a second reading of the URL: what is open is decided by the same parse
 * that picks the route. The tenant is the one the front door found in the target: a token of
 * another tenant is as good as none. Only the header is read (no `?access_token=`, which would
 * put the secret into proxy logs).
 */
export function auth(
  tokens: TokenSource,
  openPaths: ReadonlySet<string>
): (request: Request, routed: string | undefined, ctx: RequestContext | undefined) => Response | undefined {
  const resolved = new ResolvedTokens()
  return (request, routed, ctx) => {
    // Elysia's context carries the router's path; should it ever not, nothing is open (fail closed).
    // A named tenant's paths are checked as the routes are written, without /tenants/NAME; a path
    // under /tenants/ that names no tenant's API is undefined, so nothing of it is open.
    const path = routed === undefined ? undefined : apiPathOf(routed)
    if (path !== undefined && openPaths.has(path)) return
    const token = bearerToken(request.headers.get('authorization'))
    if (token === undefined) return unauthorized()
    const record = resolved.resolve(tokens, token)
    if (!record || record.tenant !== (ctx?.tenant ?? 'default')) return unauthorized()
    // What the token's scope allows (auth/scopes.ts), on the same router path: a refused write is
    // a 403 (RFC 7644 §3.12) before routing and body parsing, so it changes nothing. Without the
    // router's path nothing but plain reads is known to be safe (fail closed).
    const refusal = scopeRefusal(record.scope, request.method, path ?? '')
    if (refusal !== undefined) return errorResponse(new ScimError(403, refusal))
    // The token for scope checks, its label for the log line, metrics and rate limit; its use for last_used.
    if (ctx && ctx.token === undefined) {
      ctx.token = record
      ctx.tokenLabel = record.label ?? tokenLabel(token)
      tokens.used?.(record)
    }
  }
}
