// Turns service results and errors into Responses with the SCIM media type.
import type { ScimError } from '../scim/errors'
import { type Effect, run } from '../service/effect'
import type { ServiceResult } from '../service/result'

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8'

export function respond(result: ServiceResult): Response {
  const headers: Record<string, string> = { ...result.headers }
  const text = result.json ?? (result.body === undefined ? undefined : JSON.stringify(result.body))
  if (text === undefined) return new Response(null, { status: result.status, headers })
  headers['content-type'] = SCIM_CONTENT_TYPE
  return new Response(text, { status: result.status, headers })
}

/**
 * Runs a service and responds with its result: at once when the store answered without waiting
 * (SQLite), else when its promise settles (Elysia takes either). Errors go to the error plugin.
 */
export function respondTo(service: Effect<ServiceResult>): Response | Promise<Response> {
  const result = run(service)
  return result instanceof Promise ? result.then(respond) : respond(result)
}

export function errorResponse(error: ScimError, extraHeaders: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(error), {
    status: error.status,
    headers: { 'content-type': SCIM_CONTENT_TYPE, ...extraHeaders },
  })
}
