// Request bodies: application/scim+json and application/json in UTF-8, parsed as JSON within the limits.
import { Elysia } from 'elysia'
import { ScimError } from '../../scim/errors'
import { readBytesWithin } from '../bounded-body'
import { checkDepth, checkRequestBytes, type Limits } from '../../scim/limits'

const JSON_TYPES = /^application\/(scim\+)?json\b/i
// RFC 9110 §8.3.1 parameter: `charset=value` or `charset="value"`, the name case-insensitive.
const CHARSET = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i
// `utf8` is the WHATWG label for the same encoding; clients send it.
const UTF8 = /^utf-?8$/i
// Fatal: bytes that are not UTF-8 throw instead of turning into U+FFFD that would be stored.
// A leading BOM is dropped, as a lenient reader does (RFC 8259 §8.1 allows ignoring it).
const UTF8_DECODER = new TextDecoder('utf-8', { fatal: true })

/** The body's bytes, never more than the limit (413 past it), counted as they come when chunked. */
async function readBytes(request: Request, limits: Limits): Promise<Uint8Array> {
  const bytes = await readBytesWithin(request, limits.maxRequestBytes)
  if (bytes === undefined) checkRequestBytes(limits.maxRequestBytes + 1, limits)
  return bytes!
}

/** 415 unless the media type is JSON and its charset, if any, UTF-8 (RFC 8259 §8.1, RFC 7644 §3.1). */
function checkMediaType(contentType: string): void {
  if (!JSON_TYPES.test(contentType))
    throw ScimError.unsupportedMediaType(`send application/scim+json, not ${contentType}`)
  const m = CHARSET.exec(contentType)
  const charset = m?.[1] ?? m?.[2]
  if (charset !== undefined && !UTF8.test(charset))
    throw ScimError.unsupportedMediaType(`JSON bodies are UTF-8: send charset=utf-8, not ${charset}`)
}

/** The bytes as text; 400 invalidSyntax when they are not UTF-8 (RFC 8259 §8.1). */
function decodeUtf8(bytes: Uint8Array): string {
  try {
    return UTF8_DECODER.decode(bytes)
  } catch {
    throw ScimError.invalidSyntax('request body is not valid UTF-8')
  }
}

/**
 * Elysia does not parse application/scim+json by default, and Entra sends it with a charset
 * parameter. A body with no content type is read as JSON too (lenient); other types get 415.
 * Depth is checked on the text, before JSON.parse: a document nested 1,000 levels would break
 * SQLite's JSON functions once stored, and 100,000 levels would overflow recursive code.
 */
export function scimJson(limits: Limits) {
  return new Elysia({ name: 'scim.json', seed: limits }).onParse({ as: 'global' }, async ({ request }) => {
    const bytes = await readBytes(request, limits)
    if (bytes.byteLength === 0) return undefined
    // The whole header: Elysia's `contentType` has its parameters cut off.
    const contentType = request.headers.get('content-type')
    if (contentType) checkMediaType(contentType)
    const text = decodeUtf8(bytes)
    if (text.trim() === '') return undefined
    checkDepth(text, limits)
    try {
      return JSON.parse(text) as unknown
    } catch {
      throw ScimError.invalidSyntax('request body is not valid JSON')
    }
  })
}
