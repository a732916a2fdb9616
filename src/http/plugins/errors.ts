// The single mapping point from anything thrown to a SCIM Error response (RFC 7644 §3.12).
import { Elysia } from 'elysia'
import type { Logger } from '../../log/types'
import { ScimError } from '../../scim/errors'
import { contextOf } from '../request-context'
import { newRequestId } from '../request-id'
import { errorResponse } from '../respond'

/** How long a client should wait before retrying a write the database could not take. */
const RETRY_AFTER_SECONDS = '30'

/**
 * Server-side failures are one log line each, with the request id; the stack is in the same
 * record only when the log level is debug. Without a logger (an embedded server) nothing is written.
 */
function logFailure(logger: Logger | undefined, id: string, message: string, error: unknown): void {
  if (!logger) return
  const stack = error instanceof Error && logger.isLevelEnabled('debug') ? error.stack : undefined
  logger.error({ reqId: id, stack }, message)
}

/** Framework errors are remapped: validation 422 → 400 invalidValue, parse → 400 invalidSyntax. */
export function scimErrors(logger: Logger | undefined) {
  return new Elysia({ name: 'scim.errors' }).onError({ as: 'global' }, ({ code, error, request }) => {
    const id = () => contextOf(request)?.id ?? newRequestId()
    // Elysia wraps what a parser throws in a ParseError; the SCIM error inside is the answer.
    const scimError = error instanceof ScimError ? error : (error as { cause?: unknown })?.cause
    if (scimError instanceof ScimError) {
      const err = scimError
      const headers: Record<string, string> = err.status === 401 ? { 'www-authenticate': 'Bearer realm="scim"' } : {}
      if (err.status === 503) {
        // Storage full or read-only: one line per failure (no stack, it says nothing new), and
        // Retry-After so the client (Entra retries 503s) comes back once space is freed.
        headers['retry-after'] = RETRY_AFTER_SECONDS
        const cause = String(err.cause ?? err.message).split('\n')[0]
        logFailure(
          logger,
          id(),
          `storage unavailable on ${request.method} ${new URL(request.url).pathname}: ${cause}`,
          undefined
        )
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
      default:
        return errorResponse(internalError(logger, request, error))
    }
  })
}

/**
 * An error no SCIM error describes: logged once with the request id, and the 500 the client gets
 * instead. Never leak internals: the client gets a generic detail, the log gets the cause, and
 * the id they share lets an admin find one from the other. Also what a Bulk operation that
 * failed so answers (RFC 7644 §3.7.3: each operation has its own status).
 */
export function internalError(logger: Logger | undefined, request: Request, error: unknown): ScimError {
  const requestId = contextOf(request)?.id ?? newRequestId()
  const cause = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300)
  logFailure(logger, requestId, `internal error on ${request.method} ${new URL(request.url).pathname}: ${cause}`, error)
  return new ScimError(500, `internal server error (id ${requestId})`)
}

function validationDetail(error: unknown): string {
  const all = (error as { all?: { path?: string; message?: string }[] }).all
  const first = Array.isArray(all) ? all[0] : undefined
  return first ? `${first.path || 'value'}: ${first.message}` : 'request does not match the expected shape'
}
