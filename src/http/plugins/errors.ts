// The single mapping point from anything thrown to a SCIM Error response (RFC 7644 §3.12).
import { randomBytes } from 'node:crypto'
import { Elysia } from 'elysia'
import { ScimError } from '../../scim/errors'
import { errorResponse } from '../respond'

/** How long a client should wait before retrying a write the database could not take. */
const RETRY_AFTER_SECONDS = '30'

export interface ErrorLog {
  (message: string, error: unknown): void
}

/** The server's log for internal errors: one line each, the stack after it only when debugging. */
export function consoleErrorLog(debug: boolean): ErrorLog {
  return (message, error) => {
    const stack = debug && error instanceof Error ? error.stack : undefined
    console.error(stack ? `${message}\n${stack}` : message)
  }
}

/** Framework errors are remapped: validation 422 → 400 invalidValue, parse → 400 invalidSyntax. */
export function scimErrors(log: ErrorLog) {
  return new Elysia({ name: 'scim.errors' }).onError({ as: 'global' }, ({ code, error, request }) => {
    // Elysia wraps what a parser throws in a ParseError; the SCIM error inside is the answer.
    const scimError = error instanceof ScimError ? error : (error as { cause?: unknown })?.cause
    if (scimError instanceof ScimError) {
      const err = scimError
      const headers: Record<string, string> = err.status === 401 ? { 'www-authenticate': 'Bearer realm="scim"' } : {}
      if (err.status === 503) {
        // Storage full or read-only: one line per failure (no stack, it says nothing new), and
        // Retry-After so the client (Entra retries 503s) comes back once space is freed.
        headers['retry-after'] = RETRY_AFTER_SECONDS
        log(`storage unavailable on ${request.method} ${new URL(request.url).pathname}: ${String(err.cause ?? err.message)}`, undefined)
      }
      return errorResponse(err, headers)
    }
    switch (code) {
      case 'VALIDATION':
        return errorResponse(ScimError.invalidValue(`invalid request: ${validationDetail(error)}`))
      case 'PARSE':
        return errorResponse(ScimError.invalidSyntax('request body is not valid JSON'))
      case 'NOT_FOUND':
        return errorResponse(ScimError.notFound(`no endpoint at ${new URL(request.url).pathname}`))
      default: {
        // Never leak internals: the client gets a generic detail, the log gets the cause, and
        // the id they share lets an admin find one from the other.
        const id = randomBytes(4).toString('hex')
        const cause = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300)
        log(`internal error ${id} on ${request.method} ${new URL(request.url).pathname}: ${cause}`, error)
        return errorResponse(new ScimError(500, `internal server error (id ${id})`))
      }
    }
  })
}

function validationDetail(error: unknown): string {
  const all = (error as { all?: { path?: string; message?: string }[] }).all
  const first = Array.isArray(all) ? all[0] : undefined
  return first ? `${first.path || 'value'}: ${first.message}` : 'request does not match the expected shape'
}
