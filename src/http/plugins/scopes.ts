// After authentication: a token does only what its scope allows (auth/scopes.ts), else 403 before anything is parsed.
import { Elysia } from 'elysia'
import { scopeRefusal } from '../../auth/scopes'
import { ScimError } from '../../scim/errors'
import { contextOf } from '../request-context'
import { errorResponse } from '../respond'

/**
 * Runs on request arrival right after `auth`, which put the token's record into the request
 * context, and reads the same router path auth checked. Open paths carry no token and pass. A
 * refusal is a 403 SCIM Error (RFC 7644 §3.12: not permitted with the supplied authorization)
 * sent before routing and body parsing, so a refused write changes nothing.
 */
export function scopes() {
  return new Elysia({ name: 'scim.scopes' }).onRequest((context) => {
    const { request, path } = context as typeof context & { path?: string }
    const token = contextOf(request)?.token
    if (token === undefined) return
    // Without the router's path nothing but plain reads is known to be safe (fail closed).
    const refusal = scopeRefusal(token.scope, request.method, path ?? '')
    if (refusal !== undefined) return errorResponse(new ScimError(403, refusal))
  })
}
