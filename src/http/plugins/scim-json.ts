// Request bodies: application/scim+json and application/json (any charset) parsed as JSON.
import { Elysia } from 'elysia'
import { ScimError } from '../../scim/errors'

const JSON_TYPES = /^application\/(scim\+)?json\b/i

/**
 * Elysia does not parse application/scim+json by default, and Entra sends it with a charset
 * parameter. A body with no content type is read as JSON too (lenient); other types get 415.
 */
export const scimJson = new Elysia({ name: 'scim.json' }).onParse({ as: 'global' }, async ({ request, contentType }) => {
  const text = await request.text()
  if (text.trim() === '') return undefined
  if (contentType && !JSON_TYPES.test(contentType)) {
    throw ScimError.unsupportedMediaType(`send application/scim+json, not ${contentType}`)
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw ScimError.invalidSyntax('request body is not valid JSON')
  }
})
