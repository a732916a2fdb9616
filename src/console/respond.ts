// Console responses: HTML with headers that keep pages out of caches, frames and other origins.
import { readBytesWithin } from '../http/bounded-body'
import type { Html } from './html'

/**
 * Everything the console serves comes from the binary itself: the policy allows only its own
 * style sheet and script, and forms that post back to it. Pages show directory data, so no cache
 * keeps them and no other site frames them.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
}

export function htmlResponse(body: Html, status = 200, headers: Record<string, string> | Headers = {}): Response {
  const h = new Headers(headers)
  h.set('content-type', 'text/html; charset=utf-8')
  h.set('cache-control', 'no-store')
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) h.set(k, v)
  return new Response(body.value, { status, headers: h })
}

export function redirect(location: string, headers: Record<string, string> | Headers = {}): Response {
  const h = new Headers(headers)
  h.set('location', location)
  h.set('cache-control', 'no-store')
  return new Response(null, { status: 303, headers: h })
}

/** The embedded style sheet or script; cached for an hour, revalidated by nothing (they change with the binary). */
export function assetResponse(text: string, type: string): Response {
  return new Response(text, {
    headers: { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'public, max-age=3600', ...SECURITY_HEADERS },
  })
}

/** A urlencoded form body, at most `maxBytes` (a console form is a few fields), counted as it is read. */
export async function readForm(request: Request, maxBytes = 16_384): Promise<URLSearchParams | undefined> {
  const bytes = await readBytesWithin(request, maxBytes)
  return bytes && new URLSearchParams(new TextDecoder().decode(bytes))
}
