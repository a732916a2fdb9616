// Console cookies: the session (random id, stored hashed) and the pre-session CSRF token of sign-in forms.
import { timingSafeEqual } from 'node:crypto'
import { CONSOLE_PREFIX } from './paths'

export const SESSION_COOKIE = 'scim_console'
/** Set by the sign-in and link pages, sent back in their form: a sign-in cannot be posted from another site. */
export const FORM_COOKIE = 'scim_console_form'

/** The value of cookie `name` in a Cookie header (RFC 6265 §5.4), or undefined. */
export function cookieValue(header: string | null, name: string): string | undefined {
  if (!header) return undefined
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=')
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim()
  }
  return undefined
}

/**
 * A Set-Cookie for the console only (Path=/admin): HttpOnly so no script reads it, SameSite=Strict
 * so no other site's page sends it, Secure when the server is reached over https. Max-Age 0 deletes it.
 */
export function setCookie(name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${name}=${value}; Path=${CONSOLE_PREFIX}; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
}

/** Compares two secrets in time that depends only on their lengths. */
export function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || a === '' || b === '') return false
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
