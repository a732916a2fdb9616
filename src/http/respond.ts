// Turns service results and errors into Responses with the SCIM media type.
import type { ScimError } from '../scim/errors'
import type { ServiceResult } from '../service/result'

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8'

export function respond(result: ServiceResult): Response {
  const headers: Record<string, string> = { ...result.headers }
  const text = result.json ?? (result.body === undefined ? undefined : JSON.stringify(result.body))
  if (text === undefined) return new Response(null, { status: result.status, headers })
  headers['content-type'] = SCIM_CONTENT_TYPE
  return new Response(text, { status: result.status, headers })
}

export function errorResponse(error: ScimError, extraHeaders: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(error), {
    status: error.status,
    headers: { 'content-type': SCIM_CONTENT_TYPE, ...extraHeaders },
  })
}
