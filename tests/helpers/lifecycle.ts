// Replays Microsoft Entra's provisioning cycle for one app (entra-wire §1.1): Test Connection,
// match-then-create, manager linking, updates, disable/enable, groups and memberships, deletes.
// Every request goes through a plain `client` so the same replay runs in-process and against the
// compiled binary.
import { expect } from 'bun:test'
import {
  activeOp,
  addMemberOps,
  createGroupBody,
  createUserBody,
  extensionUrns,
  filterQuery,
  getKey,
  isActive,
  isManager,
  makeValues,
  managerOp,
  patchBody,
  patchOps,
  readManagerId,
  readPath,
  removeMemberOps,
  setPath,
  valueRows,
  RUN_ID,
  URN_ERROR,
  URN_LIST_RESPONSE,
  EMPTY_LIST_RESPONSE,
  normalize,
  type AppPack,
  type Dialect,
  type MappingRow,
  type PatchOperation,
  type ScimObject,
} from './entra'
import { textAndBody } from './scim'

export type Client = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>
) => Promise<Response>

const BASE = '/scim/v2'

/** One request/response pair, kept so failure messages show the exact exchange. */
interface Exchange {
  method: string
  path: string
  request?: unknown
  status: number
  headers: Headers
  text: string
  body: ScimObject | undefined
}

interface Ctx {
  client: Client
  label: string
  dialect: Dialect
  tag: string
}

function clip(s: string, n = 1500): string {
  return s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s
}

function show(x: Exchange): string {
  const req = x.request === undefined ? '' : ` ${clip(JSON.stringify(x.request))}`
  return `\n  request: ${x.method} ${x.path}${req}\n  response: ${x.status} ${clip(x.text)}`
}

async function call(ctx: Ctx, method: string, path: string, body?: unknown): Promise<Exchange> {
  const res = await ctx.client(method, BASE + path, body)
  const { text, body: parsed } = await textAndBody<ScimObject>(res)
  return { method, path, request: body, status: res.status, headers: res.headers, text, body: parsed }
}

/** Asserts the status and, when a body is expected, the SCIM media type (entra-wire §0). */
function expectStatus(ctx: Ctx, x: Exchange, status: number, what: string): ScimObject {
  expect(x.status, `${ctx.label} ${what}: expected HTTP ${status}${show(x)}`).toBe(status)
  if (status === 204) {
    expect(x.text, `${ctx.label} ${what}: 204 must have an empty body${show(x)}`).toBe('')
    return {}
  }
  const ct = x.headers.get('content-type') ?? ''
  expect(ct, `${ctx.label} ${what}: content-type must be application/scim+json${show(x)}`).toStartWith(
    'application/scim+json'
  )
  expect(x.body, `${ctx.label} ${what}: body must be JSON${show(x)}`).toBeDefined()
  return x.body!
}

function expectScimError(ctx: Ctx, x: Exchange, status: number, what: string, scimType?: string) {
  const body = expectStatus(ctx, x, status, what)
  expect(body.schemas, `${ctx.label} ${what}: error schemas${show(x)}`).toContain(URN_ERROR)
  expect(body.status, `${ctx.label} ${what}: error status is a string${show(x)}`).toBe(String(status))
  if (scimType) expect(body.scimType, `${ctx.label} ${what}: scimType${show(x)}`).toBe(scimType)
}

/** Ids returned by a filter query (ListResponse shape checked). */
async function search(ctx: Ctx, path: string, what: string): Promise<ScimObject[]> {
  const x = await call(ctx, 'GET', path)
  const body = expectStatus(ctx, x, 200, what)
  expect(body.schemas, `${ctx.label} ${what}: ListResponse schema${show(x)}`).toContain(URN_LIST_RESPONSE)
  const resources = (body.Resources ?? []) as ScimObject[]
  expect(body.totalResults, `${ctx.label} ${what}: totalResults${show(x)}`).toBe(resources.length)
  return resources
}

async function expectFindsOnly(ctx: Ctx, path: string, id: string, what: string) {
  const found = await search(ctx, path, what)
  expect(
    found.map((r) => r.id),
    `${ctx.label} ${what}: must find exactly ${id}, GET ${BASE}${path}`
  ).toEqual([id])
  return found[0]!
}

async function expectFindsNone(ctx: Ctx, path: string, what: string) {
  const found = await search(ctx, path, what)
  expect(
    found.map((r) => r.id),
    `${ctx.label} ${what}: expected no match, GET ${BASE}${path}`
  ).toEqual([])
}

// ---------------------------------------------------------------------------------------------
// Comparison helpers

function expectRoundTrip(
  ctx: Ctx,
  resource: ScimObject,
  rows: readonly MappingRow[],
  values: Map<string, unknown>,
  what: string
) {
  for (const r of valueRows(rows)) {
    expect(
      readPath(resource, r.path),
      `${ctx.label} ${what}: attribute ${r.path} did not round-trip; resource: ${clip(JSON.stringify(resource))}`
    ).toEqual(values.get(r.path))
  }
}

function expectMeta(ctx: Ctx, x: Exchange, body: ScimObject, resourceType: string, what: string) {
  const meta = (body.meta ?? {}) as ScimObject
  expect(typeof body.id, `${ctx.label} ${what}: id${show(x)}`).toBe('string')
  for (const k of ['created', 'lastModified', 'version', 'location']) {
    expect(typeof meta[k], `${ctx.label} ${what}: meta.${k}${show(x)}`).toBe('string')
  }
  expect(meta.resourceType, `${ctx.label} ${what}: meta.resourceType${show(x)}`).toBe(resourceType)
}

async function getResource(ctx: Ctx, path: string, what: string): Promise<ScimObject> {
  const x = await call(ctx, 'GET', path)
  return expectStatus(ctx, x, 200, what)
}

async function patch(ctx: Ctx, path: string, ops: PatchOperation[], status: number, what: string) {
  const x = await call(ctx, 'PATCH', path, patchBody(ops))
  return expectStatus(ctx, x, status, what)
}

// ---------------------------------------------------------------------------------------------
// Steps

interface User {
  n: number
  id: string
  values: Map<string, unknown>
}

interface Group {
  n: number
  id: string
  values: Map<string, unknown>
}

/** Test Connection and the periodic random-object probe (entra-wire §1.2). */
async function testConnection(ctx: Ctx, hasGroups: boolean) {
  const probes = [`/Users?${filterQuery('userName', crypto.randomUUID())}`]
  if (hasGroups) {
    probes.push(`/Groups?excludedAttributes=members&${filterQuery('displayName', crypto.randomUUID())}`)
  }
  for (const path of probes) {
    const x = await call(ctx, 'GET', path)
    const body = expectStatus(ctx, x, 200, 'Test Connection probe')
    expect(body, `${ctx.label} Test Connection probe must be an empty ListResponse${show(x)}`).toEqual(
      EMPTY_LIST_RESPONSE
    )
  }
  const x = await call(ctx, 'GET', `/Users/${crypto.randomUUID()}`)
  expectScimError(ctx, x, 404, 'GET unknown user id')
}

/** Match by userName (nothing found), then POST with every mapped attribute (§1.1 steps 2–3). */
async function createUser(ctx: Ctx, rows: readonly MappingRow[], n: number): Promise<User> {
  const values = makeValues(rows, { seed: `${ctx.tag}-u${n}`, slot: n })
  const userName = String(values.get('userName'))
  await expectFindsNone(ctx, `/Users?${filterQuery('userName', userName)}`, `match user ${n} by userName`)
  const x = await call(ctx, 'POST', '/Users', createUserBody(rows, values))
  const body = expectStatus(ctx, x, 201, `POST user ${n}`)
  expectMeta(ctx, x, body, 'User', `POST user ${n}`)
  const location = x.headers.get('location')
  expect(location, `${ctx.label} POST user ${n}: Location = meta.location${show(x)}`).toBe(
    (body.meta as ScimObject).location as string
  )
  expectRoundTrip(ctx, body, rows, values, `POST user ${n} response`)
  return { n, id: body.id as string, values }
}

/** GET each user: every mapped attribute, `active`, and the extension URNs in `schemas`. */
async function checkUser(ctx: Ctx, rows: readonly MappingRow[], u: User, what: string) {
  const res = await getResource(ctx, `/Users/${u.id}`, `${what}: GET user ${u.n}`)
  expectRoundTrip(ctx, res, rows, u.values, `${what}: GET user ${u.n}`)
  if (rows.some(isActive)) expect(res.active, `${ctx.label} ${what}: user ${u.n} active`).toBe(true)
  const schemas = ((res.schemas ?? []) as string[]).map((s) => s.toLowerCase())
  for (const urn of extensionUrns(rows)) {
    expect(schemas, `${ctx.label} ${what}: user ${u.n} schemas must list ${urn}`).toContain(urn.toLowerCase())
  }
  return res
}

/** Filter by every attribute the tutorial marks filterable; exactly that user comes back. */
async function filterUsers(ctx: Ctx, rows: readonly MappingRow[], users: User[], what: string) {
  for (const r of rows.filter((row) => row.filter)) {
    for (const u of users) {
      const v = String(u.values.get(r.path))
      await expectFindsOnly(ctx, `/Users?${filterQuery(r.path, v)}`, u.id, `${what}: filter user ${u.n} by ${r.path}`)
    }
  }
}

/** Duplicate userName in a different case → 409 uniqueness (RFC 7644 §3.3). */
async function duplicateUser(ctx: Ctx, rows: readonly MappingRow[], u: User) {
  const values = new Map(u.values)
  values.set('userName', String(values.get('userName')).toUpperCase())
  const x = await call(ctx, 'POST', '/Users', createUserBody(rows, values))
  expectScimError(ctx, x, 409, 'POST duplicate userName (other case)', 'uniqueness')
}

/** Manager reference written in a separate PATCH after both users exist (entra-wire §1.1 step 5, §1.8). */
async function linkManager(ctx: Ctx, u: User, manager: User, opName: 'add' | 'replace') {
  const what = `${opName} manager of user ${u.n} = user ${manager.n}`
  const body = await patch(ctx, `/Users/${u.id}`, [managerOp(manager.id, ctx.dialect, opName)], 200, what)
  expect(body.id, `${ctx.label} ${what}: PATCH returns the resource`).toBe(u.id)
  const res = await getResource(ctx, `/Users/${u.id}`, what)
  const m = readPath(res, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`)
  expect(typeof m, `${ctx.label} ${what}: manager must be a complex {value}; got ${JSON.stringify(m)}`).toBe('object')
  expect(readManagerId(res), `${ctx.label} ${what}: manager.value; resource ${clip(JSON.stringify(res))}`).toBe(
    manager.id
  )
}

/** PATCH every mapped attribute to a new value; GET shows the new values and nothing else changed. */
async function updateUser(ctx: Ctx, rows: readonly MappingRow[], u: User, opName: 'add' | 'replace') {
  const what = `update user ${u.n} (${opName})`
  const before = await getResource(ctx, `/Users/${u.id}`, `${what}: GET before`)
  const values = makeValues(rows, { seed: `${ctx.tag}-u${u.n}-v2`, slot: u.n + 4 })
  const ops = patchOps(rows, values, ctx.dialect, opName)
  const body = await patch(ctx, `/Users/${u.id}`, ops, 200, what)
  expect(body.id, `${ctx.label} ${what}: PATCH returns the resource`).toBe(u.id)
  expectRoundTrip(ctx, body, rows, values, `${what}: PATCH response`)
  const after = await getResource(ctx, `/Users/${u.id}`, `${what}: GET after`)
  expectRoundTrip(ctx, after, rows, values, `${what}: GET after`)
  const expected = structuredClone(before)
  for (const r of valueRows(rows)) setPath(expected, r.path, values.get(r.path))
  expect(
    normalize(after),
    `${ctx.label} ${what}: attributes outside the PATCH changed\n  before: ${clip(JSON.stringify(before))}\n  ops: ${clip(JSON.stringify(ops))}`
  ).toEqual(normalize(expected))
  u.values = values
}

/** Sparse match: user exists with userName only; Entra then Adds every attribute (Q6/Q7: create-on-absent). */
async function sparseUser(ctx: Ctx, rows: readonly MappingRow[]): Promise<User> {
  const values = makeValues(rows, { seed: `${ctx.tag}-sparse`, slot: 7 })
  const x = await call(ctx, 'POST', '/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: values.get('userName'),
    active: true,
  })
  const created = expectStatus(ctx, x, 201, 'POST sparse user')
  const u: User = { n: 4, id: created.id as string, values }
  const ops = patchOps(rows, values, ctx.dialect, 'add')
  await patch(ctx, `/Users/${u.id}`, ops, 200, 'sparse user: Add every mapped attribute to absent targets')
  await checkUser(ctx, rows, u, 'sparse user after Add')
  return u
}

/** Disable then re-enable (entra-wire §1.7): still returned by GET and filter while disabled. */
async function disableEnable(ctx: Ctx, u: User) {
  const before = await getResource(ctx, `/Users/${u.id}`, 'disable: GET before')
  const off = await patch(ctx, `/Users/${u.id}`, [activeOp(false, ctx.dialect)], 200, `disable user ${u.n}`)
  expect(off.active, `${ctx.label} disable user ${u.n}: PATCH response active`).toBe(false)
  const got = await getResource(ctx, `/Users/${u.id}`, `disabled user ${u.n} GET`)
  expect(got.active, `${ctx.label} disabled user ${u.n}: GET active`).toBe(false)
  const userName = String(u.values.get('userName'))
  const found = await expectFindsOnly(
    ctx,
    `/Users?${filterQuery('userName', userName)}`,
    u.id,
    `disabled user ${u.n} filter`
  )
  expect(found.active, `${ctx.label} disabled user ${u.n}: filter result active`).toBe(false)
  const on = await patch(ctx, `/Users/${u.id}`, [activeOp(true, ctx.dialect)], 200, `enable user ${u.n}`)
  expect(on.active, `${ctx.label} enable user ${u.n}: PATCH response active`).toBe(true)
  const after = await getResource(ctx, `/Users/${u.id}`, `enabled user ${u.n} GET`)
  expect(normalize(after), `${ctx.label} disable+enable user ${u.n} changed other attributes`).toEqual(
    normalize(before)
  )
}

async function deleteAndGone(ctx: Ctx, type: 'Users' | 'Groups', id: string, what: string) {
  const x = await call(ctx, 'DELETE', `/${type}/${id}`)
  expectStatus(ctx, x, 204, `DELETE ${what}`)
  const g = await call(ctx, 'GET', `/${type}/${id}`)
  expectScimError(ctx, g, 404, `GET deleted ${what}`)
}

// ---------------------------------------------------------------------------------------------
// Groups (entra-wire §1.11)

async function memberIds(ctx: Ctx, g: Group, what: string): Promise<string[]> {
  const res = await getResource(ctx, `/Groups/${g.id}`, `${what}: GET group ${g.n} with members`)
  const members = (getKey(res, 'members') ?? []) as ScimObject[]
  return members.map((m) => String(m.value)).sort()
}

async function expectMembers(ctx: Ctx, g: Group, users: User[], what: string) {
  const ids = await memberIds(ctx, g, what)
  const want = users.map((u) => u.id).sort()
  const names = users.map((u) => `user ${u.n}`).join(', ') || 'nobody'
  expect(ids, `${ctx.label} ${what}: group ${g.n} members must be exactly ${names}`).toEqual(want)
}

/** GET ?excludedAttributes=members and the displayName filter: values round-trip, no `members` key. */
async function checkGroup(ctx: Ctx, rows: readonly MappingRow[], g: Group, what: string) {
  const x = await call(ctx, 'GET', `/Groups/${g.id}?excludedAttributes=members`)
  const res = expectStatus(ctx, x, 200, `${what}: GET group ${g.n}`)
  expect('members' in res, `${ctx.label} ${what}: excludedAttributes=members must drop members${show(x)}`).toBe(false)
  expectRoundTrip(ctx, res, rows, g.values, `${what}: GET group ${g.n}`)
  for (const r of rows.filter((row) => row.filter)) {
    const q = `/Groups?excludedAttributes=members&${filterQuery(r.path, String(g.values.get(r.path)))}`
    const found = await expectFindsOnly(ctx, q, g.id, `${what}: filter group ${g.n} by ${r.path}`)
    expect('members' in found, `${ctx.label} ${what}: filtered group has members despite excludedAttributes`).toBe(
      false
    )
  }
}

async function createGroup(ctx: Ctx, rows: readonly MappingRow[], n: number): Promise<Group> {
  const values = makeValues(rows, { seed: `${ctx.tag}-g${n}`, slot: n })
  const dn = String(values.get('displayName'))
  await expectFindsNone(ctx, `/Groups?excludedAttributes=members&${filterQuery('displayName', dn)}`, `match group ${n}`)
  const x = await call(ctx, 'POST', '/Groups', createGroupBody(rows, values))
  const body = expectStatus(ctx, x, 201, `POST group ${n}`)
  expectMeta(ctx, x, body, 'Group', `POST group ${n}`)
  expect(x.headers.get('location'), `${ctx.label} POST group ${n}: Location = meta.location${show(x)}`).toBe(
    (body.meta as ScimObject).location as string
  )
  const g: Group = { n, id: body.id as string, values }
  await checkGroup(ctx, rows, g, 'after create')
  return g
}

async function groupLifecycle(ctx: Ctx, rows: readonly MappingRow[], users: User[]) {
  const [u1, u2, u3] = users as [User, User, User]
  const a = await createGroup(ctx, rows, 1)
  const b = await createGroup(ctx, rows, 2)
  const path = (g: Group) => `/Groups/${g.id}`
  await patch(ctx, path(a), addMemberOps([u1.id, u2.id, u3.id], ctx.dialect), 204, 'add 3 members to group 1')
  await patch(ctx, path(b), addMemberOps([u1.id, u2.id], ctx.dialect), 204, 'add 2 members to group 2')
  await expectMembers(ctx, a, [u1, u2, u3], 'after batch add')
  await expectMembers(ctx, b, [u1, u2], 'after batch add')
  await patch(ctx, path(a), addMemberOps([u1.id], ctx.dialect), 204, 're-add existing member user 1')
  await expectMembers(ctx, a, [u1, u2, u3], 'after re-add')
  await patch(ctx, path(a), removeMemberOps([u2.id], ctx.dialect), 204, 'remove member user 2 from group 1')
  await expectMembers(ctx, a, [u1, u3], 'after removing user 2')
  await expectMembers(ctx, b, [u1, u2], 'group 2 untouched by group 1 removal')
  const oldName = String(a.values.get('displayName'))
  a.values = makeValues(rows, { seed: `${ctx.tag}-g1-v2`, slot: 5 })
  await patch(ctx, path(a), patchOps(rows, a.values, ctx.dialect), 204, 'rename group 1')
  await checkGroup(ctx, rows, a, 'after rename')
  await expectFindsNone(
    ctx,
    `/Groups?excludedAttributes=members&${filterQuery('displayName', oldName)}`,
    'old group name'
  )
  await expectMembers(ctx, a, [u1, u3], 'after rename')
  await deleteAndGone(ctx, 'Users', u1.id, 'user 1 (member of both groups)')
  await expectMembers(ctx, a, [u3], 'after deleting user 1')
  await expectMembers(ctx, b, [u2], 'after deleting user 1')
  await deleteAndGone(ctx, 'Groups', a.id, 'group 1')
  await deleteAndGone(ctx, 'Groups', b.id, 'group 2')
}

// ---------------------------------------------------------------------------------------------

/**
 * Replays Entra's lifecycle for one app against `client`, in the given PATCH dialect
 * (entra-wire §2.1). Throws (via `expect`) on the first deviation, naming app, step and exchange.
 */
export async function runLifecycle(client: Client, pack: AppPack, dialect: Dialect): Promise<void> {
  const ctx: Ctx = {
    client,
    dialect,
    label: `[${pack.name}/${dialect}]`,
    tag: `${pack.name}-${dialect === 'default' ? 'def' : 'flag'}-${RUN_ID}`,
  }
  const rows = pack.mapping.User
  const groupRows = pack.mapping.Group ?? []
  const hasGroups = groupRows.length > 0
  await testConnection(ctx, hasGroups)

  const users: User[] = []
  for (const n of [1, 2, 3]) users.push(await createUser(ctx, rows, n))
  for (const u of users) await checkUser(ctx, rows, u, 'after create')
  await filterUsers(ctx, rows, users, 'after create')
  await duplicateUser(ctx, rows, users[0]!)

  const [u1, u2, u3] = users as [User, User, User]
  const hasManager = rows.some(isManager)
  if (hasManager) {
    await linkManager(ctx, u2, u1, 'add')
    await linkManager(ctx, u3, u1, 'add')
  }
  await updateUser(ctx, rows, u1, 'replace')
  await updateUser(ctx, rows, u2, 'add')
  await updateUser(ctx, rows, u3, 'replace')
  for (const u of users) await checkUser(ctx, rows, u, 'after update')
  await filterUsers(ctx, rows, users, 'after update')
  if (hasManager) {
    await linkManager(ctx, u3, u2, 'replace')
    expect(
      readManagerId(await getResource(ctx, `/Users/${u2.id}`, 'manager kept')),
      `${ctx.label} user 2 manager kept`
    ).toBe(u1.id)
  }
  if (rows.some(isActive)) await disableEnable(ctx, u1)
  const sparse = await sparseUser(ctx, rows)

  if (hasGroups) await groupLifecycle(ctx, groupRows, users)
  else await deleteAndGone(ctx, 'Users', u1.id, 'user 1')
  await expectFindsNone(
    ctx,
    `/Users?${filterQuery('userName', String(u1.values.get('userName')))}`,
    'deleted user 1 by userName'
  )
  for (const u of [u2, u3, sparse]) await deleteAndGone(ctx, 'Users', u.id, `user ${u.n}`)
}
