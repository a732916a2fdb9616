// Request bodies: application/scim+json and application/json (any charset) parsed as JSON, within the limits.
import { Elysia } from 'elysia'
import { ScimError } from '../../scim/errors'
import { checkDepth, checkRequestBytes, type Limits } from '../../scim/limits'

const JSON_TYPES = /^application\/(scim\+)?json\b/i

/**
 * The body as text, never more than the limit: a declared Content-Length is checked before
 * anything is read, and a body without one (chunked) is read with a running byte count.
 */
async function readBody(request: Request, limits: Limits): Promise<string> {
  const declared = request.headers.get('content-length')
  if (declared !== null && declared.trim() !== '' && Number.isFinite(Number(declared))) {
    checkRequestBytes(Number(declared), limits)
    const text = await request.text()
    // A string is never longer in UTF-16 units than in UTF-8 bytes; a lying header is caught here.
    checkRequestBytes(text.length, limits)
    return text
  }
  if (request.body === null) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let bytes = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    bytes += value.byteLength
    if (bytes > limits.maxRequestBytes) {
      void reader.cancel()
      checkRequestBytes(bytes, limits)
    }
    chunks.push(value)
  }
  return new TextDecoder().decode(Bun.concatArrayBuffers(chunks))
}

/**
 * Elysia does not parse application/scim+json by default, and Entra sends it with a charset
 * parameter. A body with no content type is read as JSON too (lenient); other types get 415.
 * Depth is checked on the text, before JSON.parse: a document nested 1,000 levels would break
 * SQLite's JSON functions once stored, and 100,000 levels would overflow recursive code.
 */
export function scimJson(limits: Limits) {
  return new Elysia({ name: 'scim.json', seed: limits }).onParse({ as: 'global' }, async ({ request, contentType }) => {
    const text = await readBody(request, limits)
    if (text.trim() === '') return undefined
    if (contentType && !JSON_TYPES.test(contentType)) {
      throw ScimError.unsupportedMediaType(`send application/scim+json, not ${contentType}`)
    }
    checkDepth(text, limits)
    try {
      return JSON.parse(text) as unknown
    } catch {
      throw ScimError.invalidSyntax('request body is not valid JSON')
    }
  })
}
