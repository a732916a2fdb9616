// Request plumbing and document expectations for the seed apps' HTTP contract test
// (tests/http/seed-contract.test.ts): exchanges that show themselves on failure, and the document a
// GET must return after one mapped attribute was written or removed.
import { expect } from 'bun:test'
import { makeTestApp, type TestApp } from './app'
import { getKey, parsePath, patchBody, setPath, type PatchOperation, type ScimObject } from './entra'
import { addTenant } from './tenants'
import { textAndBody } from './scim'

/** Where the contract's requests go: the server's default tenant or a named one (tests/helpers/tenants.ts). */
export type Server = Pick<TestApp, 'request'>

/** `serve --schema-pack APP`, and a tenant added with `--schema-pack APP` on a server without it. */
export const SERVERS = ['serve', 'tenant'] as const

/**
 * A fresh server for one test, of the kind `mode` names. Made inside the test, so that on
 * PostgreSQL it is closed after it (tests/helpers/pg-app.ts) rather than holding connections open.
 */
export function startServer(app: string, mode: (typeof SERVERS)[number]): Server {
  if (mode === 'serve') return makeTestApp({ schemaPacks: [app] })
  return addTenant(makeTestApp({ tenantRefreshMs: 0 }), app, { packs: [app] })
}

export interface Exchange {
  what: string
  status: number
  text: string
  body: ScimObject | undefined
}

function clip(s: string, n = 2000): string {
  return s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s
}

export function show(x: Exchange): string {
  return `\n  ${x.what}\n  → ${x.status} ${clip(x.text)}`
}

/** One request through `app.handle`, under /scim/v2, with Entra's content type (tests/helpers/app.ts). */
export async function call(t: Server, method: string, path: string, body?: unknown): Promise<Exchange> {
  const res = await t.request(method, `/scim/v2${path}`, body)
  const { text, body: parsed } = await textAndBody<ScimObject>(res)
  const what = `${method} ${path}${body === undefined ? '' : ` ${clip(JSON.stringify(body), 1000)}`}`
  return { what, status: res.status, text, body: parsed }
}

export function expectStatus(x: Exchange, status: number, label: string): ScimObject {
  expect(x.status, `${label}: expected ${status}${show(x)}`).toBe(status)
  return x.body ?? {}
}

export async function getOk(t: Server, path: string, label: string): Promise<ScimObject> {
  return expectStatus(await call(t, 'GET', path), 200, label)
}

export async function patchOk(t: Server, path: string, ops: PatchOperation[], status: number, label: string) {
  return expectStatus(await call(t, 'PATCH', path, patchBody(ops)), status, label)
}

/** The resources a filter query returns. */
export async function matches(t: Server, path: string, label: string): Promise<ScimObject[]> {
  const body = await getOk(t, path, label)
  return (body.Resources ?? []) as ScimObject[]
}

/** The ids a filter query returns. */
export async function found(t: Server, path: string, label: string): Promise<unknown[]> {
  return (await matches(t, path, label)).map((r) => r.id)
}

/** A value seed from a test label: letters and digits only, so values never need escaping in a filter. */
export function seedOf(label: string, n: number): string {
  return `${label.replace(/[^A-Za-z0-9]+/g, '-')}-${n}`
}

/** `doc` without meta, keys and array elements in a stable order, for whole-document comparison. */
function keyOf(obj: ScimObject, key: string): string | undefined {
  return Object.keys(obj).find((k) => k.toLowerCase() === key.toLowerCase())
}

/** Deletes `key` from `obj`, and `obj` from `parent[pkey]` when nothing is left (RFC 7643 §2.5: unassigned). */
function dropKey(obj: ScimObject, key: string, parent: ScimObject, pkey: string): void {
  const k = keyOf(obj, key)
  if (k !== undefined) delete obj[k]
  if (Object.keys(obj).length === 0) delete parent[pkey]
}

/**
 * `doc` with the value at a mapping path removed (RFC 7644 §3.5.2.2), mutating it: the attribute,
 * the sub-attribute, or the sub-attribute of the `[type eq "…"]` element; a container left empty
 * goes too, and so does an element left with nothing but `type` and `primary`: Entra's remove on
 * `emails[type eq "work"].value` takes the work email away, not its value only.
 */
export function deletePath(doc: ScimObject, path: string): void {
  const p = parsePath(path)
  if (p.kind === 'ext') {
    const k = keyOf(doc, p.urn)
    if (k !== undefined) dropKey(doc[k] as ScimObject, p.attr, doc, k)
    if (k !== undefined && doc[k] === undefined && Array.isArray(doc.schemas)) {
      doc.schemas = doc.schemas.filter((s) => String(s).toLowerCase() !== p.urn.toLowerCase())
    }
    return
  }
  const k = keyOf(doc, p.attr)
  if (k === undefined) return
  if (!p.sub && !p.filter) return void delete doc[k]
  if (!p.filter) return dropKey(doc[k] as ScimObject, p.sub!, doc, k)
  const f = p.filter
  const list = doc[k] as ScimObject[]
  const i = list.findIndex((e) => String(getKey(e, f.attr)).toLowerCase() === f.value.toLowerCase())
  if (i < 0) return
  const holder: ScimObject = { el: list[i] }
  if (p.sub) dropKey(list[i]!, p.sub, holder, 'el')
  else delete holder.el
  const left = holder.el === undefined ? [] : Object.keys(holder.el as ScimObject)
  if (left.every((key) => key === 'type' || key === 'primary')) list.splice(i, 1)
  if (list.length === 0) delete doc[k]
}

/** `doc` with `value` written at a mapping path (copy), or removed when `value` is undefined. */
export function expectedAfter(doc: ScimObject, path: string, value: unknown): ScimObject {
  const out = structuredClone(doc)
  if (value === undefined) {
    deletePath(out, path)
    return out
  }
  setPath(out, path, value)
  // An extension object the write created is listed in `schemas` (RFC 7643 §3).
  const p = parsePath(path)
  const schemas = Array.isArray(out.schemas) ? (out.schemas as string[]) : undefined
  if (p.kind === 'ext' && schemas && !schemas.some((s) => s.toLowerCase() === p.urn.toLowerCase())) schemas.push(p.urn)
  return out
}

/** The attribute-path value object a path-less write carries in nested form: `{name: {givenName: v}}`. */
export function nested(path: string, value: unknown): ScimObject {
  const out: ScimObject = {}
  setPath(out, path, value)
  return out
}
