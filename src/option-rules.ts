// The rules serve's flags and the embedding options share: each answers what is wrong with a value, or undefined.
import type { Durability } from './store/durability'

/**
 * meta.location and Location are the base URL followed by `/Users/{id}`, so it must be an
 * absolute http(s) URL with nothing after its path. A Tenant URL pasted with Entra's
 * `?aadOptscim062020`, or a bare host name, made every location a URL that reaches nothing.
 */
export function baseUrlProblem(raw: string): string | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return `must be an absolute https:// (or http://) URL such as https://scim.example.com/scim/v2, got '${raw}'`
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must be an https:// or http:// URL, got '${raw}'`
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#'))
    return `is the API's URL without a query or fragment (leave ?aadOptscim062020 to the Tenant URL in Entra), got '${raw}'`
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password'
  return undefined
}

export function isDurability(value: string): value is Durability {
  return value === 'full' || value === 'normal'
}

export function durabilityProblem(value: string): string | undefined {
  return isDurability(value) ? undefined : `must be full or normal, got '${value}'`
}

/**
 * The auth plugin reads one word after `Bearer`: an empty token, or one with a space (`--token
 * "$UNSET"`, a pasted line), could never be presented, and the server would accept no request.
 */
export function tokenProblem(token: string): string | undefined {
  return /^\S+$/.test(token) ? undefined : 'must be one word: not empty and without spaces (the value is not shown)'
}
