// Selftest assertions: each failure is one line saying what the server answered and what is expected.
import { URN_ERROR, URN_LIST_RESPONSE, type ScimObject } from './wire'
import type { Exchange } from './session'

/** A check's failure; its message is the one-line reason printed to the admin. */
export class CheckFailure extends Error {}

export function fail(reason: string): never {
  throw new CheckFailure(reason)
}

function clip(s: string, n = 160): string {
  const flat = s.replace(/\s+/g, ' ').trim()
  return flat.length > n ? `${flat.slice(0, n)}…` : flat
}

/** `GET /Users/1 → 500 (scimType x: detail)` or the start of a non-SCIM body. */
export function answered(x: Exchange): string {
  const b = x.body as ScimObject | undefined
  const detail = b && typeof b.detail === 'string' ? `${b.scimType ? `${b.scimType}: ` : ''}${b.detail}` : clip(x.text)
  return `${x.method} ${x.path} answered ${x.status}${detail ? ` (${detail})` : ''}`
}

export function expectStatus(x: Exchange, ...allowed: number[]): void {
  if (allowed.includes(x.status)) return
  const hint = x.status === 401 && !allowed.includes(401) ? '; the token given with --token is not accepted' : ''
  fail(`${answered(x)}, expected ${allowed.join(' or ')}${hint}`)
}

/** The JSON object body, or a failure naming the exchange. */
export function objectBody(x: Exchange): ScimObject {
  const b = x.body
  if (b === null || typeof b !== 'object' || Array.isArray(b)) fail(`${answered(x)}: the body is not a JSON object`)
  return b as ScimObject
}

/** The `id` of a created or fetched resource. */
export function idOf(x: Exchange): string {
  const id = objectBody(x).id
  if (typeof id !== 'string' || id === '') fail(`${answered(x)}: no "id" in the body`)
  return id
}

/** A 200 ListResponse (RFC 7644 §3.4.2), with `total` results when given; returns its Resources. */
export function expectList(x: Exchange, total?: number): ScimObject[] {
  expectStatus(x, 200)
  const b = objectBody(x)
  const schemas = Array.isArray(b.schemas) ? b.schemas : []
  if (!schemas.includes(URN_LIST_RESPONSE))
    fail(`${answered(x)}: not a ListResponse (schemas ${JSON.stringify(b.schemas)})`)
  if (typeof b.totalResults !== 'number')
    fail(`${x.method} ${x.path}: totalResults is ${JSON.stringify(b.totalResults)}, not a number`)
  if (total !== undefined && b.totalResults !== total)
    fail(`${x.method} ${x.path}: totalResults is ${JSON.stringify(b.totalResults)}, expected ${total}`)
  const resources = b.Resources ?? []
  if (!Array.isArray(resources)) fail(`${x.method} ${x.path}: Resources is not a list`)
  return resources as ScimObject[]
}

/** A SCIM Error body (RFC 7644 §3.12): the status, the Error URN, `status` as a string, scimType. */
export function expectScimError(x: Exchange, status: number, scimType?: string): void {
  expectStatus(x, status)
  const b = x.body as ScimObject | undefined
  const schemas = b && Array.isArray(b.schemas) ? b.schemas : []
  if (!schemas.includes(URN_ERROR)) fail(`${answered(x)}: not a SCIM Error body (RFC 7644 §3.12)`)
  if (b!.status !== String(status))
    fail(`${answered(x)}: "status" is ${JSON.stringify(b!.status)}, RFC 7644 §3.12 wants the string "${status}"`)
  if (scimType !== undefined && b!.scimType !== scimType) {
    fail(`${answered(x)}: scimType is ${JSON.stringify(b!.scimType)}, expected "${scimType}"`)
  }
}

/** Fails unless `actual` equals `expected`, naming what was read. */
export function expectValue(what: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    fail(`${what} is ${JSON.stringify(actual) ?? 'missing'}, expected ${JSON.stringify(expected)}`)
  }
}
