// Every row of the five tutorials' Step 5 tables (tests/fixtures/seed-tables) against a server started
// with that app's pack and a tenant added with it, in both Entra PATCH dialects (entra-wire.md §2.1):
// a POST carrying it round-trips on GET, add/replace/remove with a path and path-less show on GET with
// nothing else changed, and matching attributes filter (§1.5).
import { describe, expect, test } from 'bun:test'
import {
  MANAGER_PATH,
  URN_ENTERPRISE,
  URN_USER,
  activeOp,
  createUserBody,
  filterQuery,
  isActive,
  isManager,
  makeValues,
  patchBody,
  readManagerId,
  readPath,
  valueFor,
  type AppPack,
  type Dialect,
  type MappingRow,
  type PatchOperation,
  type ScimObject,
  normalize,
} from '../helpers/entra'
import { DIALECTS } from '../helpers/packs'
import {
  call,
  expectStatus,
  expectedAfter,
  found,
  getOk,
  matches,
  nested,
  patchOk,
  seedOf,
  show,
  startServer,
  SERVERS,
  type Server,
} from '../helpers/seed-contract'
import { SEED_APPS, seedPack } from '../helpers/seed-tables'
import { opName } from '../../src/selftest/entra'

let seq = 0

/**
 * What GET must serve for a POST body Entra sent: the body itself, plus the id, minus the server's
 * `meta` and the empty `roles` (RFC 7643 §2.5: unassigned), and `schemas` naming the core schema and
 * the extension objects present (RFC 7643 §3: Entra leaves vendor URNs out, entra-wire.md §1.3, and
 * names the enterprise URN before any enterprise value exists).
 */
function served(body: ScimObject, id: string): ScimObject {
  const { meta: _, roles: __, ...rest } = structuredClone(body)
  const urns = Object.keys(rest).filter((k) => k.startsWith('urn:'))
  return { ...rest, id, schemas: [URN_USER, ...urns] }
}

/** POSTs a user carrying every row of the table; checks the 201 body and GET return each value as sent. */
async function createUser(t: Server, pack: AppPack, label: string) {
  const rows = pack.mapping.User
  const values = makeValues(rows, { seed: seedOf(label, ++seq), slot: seq })
  const body = createUserBody(rows, values)
  const x = await call(t, 'POST', '/Users', body)
  const created = expectStatus(x, 201, `${label}: POST`)
  const id = created.id as string
  const got = await getOk(t, `/Users/${id}`, `${label}: GET after POST`)
  expect(normalize(got), `${label}: GET = the POST body as sent${show(x)}`).toEqual(normalize(served(body, id)))
  for (const r of rows.filter((row) => !isManager(row))) {
    const want = isActive(r) ? true : values.get(r.path)
    expect(readPath(created, r.path), `${label}: POST response ${r.path}${show(x)}`).toEqual(want)
    expect(readPath(got, r.path), `${label}: GET ${r.path}; ${JSON.stringify(got)}`).toEqual(want)
  }
  expect(normalize(got), `${label}: GET = POST response`).toEqual(normalize(created))
  return { id, values, got }
}

/** One PATCH, then GET: the PATCH response and GET show `doc`'s expected form, nothing else changed. */
async function step(t: Server, id: string, before: ScimObject, ops: PatchOperation[], want: ScimObject, label: string) {
  const res = await patchOk(t, `/Users/${id}`, ops, 200, label)
  const got = await getOk(t, `/Users/${id}`, `${label}: GET`)
  const msg = `${label}\n  ops: ${JSON.stringify(ops)}\n  before: ${JSON.stringify(before)}`
  expect(normalize(got), `${msg}\n  GET`).toEqual(normalize(want))
  expect(normalize(res), `${msg}\n  PATCH response = GET`).toEqual(normalize(got))
  return got
}

/** The writes Entra may send for one plain row (§1.6, §2.1): with a path, path-less with the path as key, nested. */
function writeForms(row: MappingRow, dialect: Dialect, value: () => unknown) {
  const forms: { name: string; op: 'add' | 'replace'; ops: (v: unknown) => PatchOperation[] }[] = []
  for (const op of ['replace', 'add'] as const) {
    const o = opName(op, dialect)
    forms.push({ name: `${o} with path`, op, ops: (v) => [{ op: o, path: row.path, value: v }] })
    forms.push({ name: `${o} path-less, path as key`, op, ops: (v) => [{ op: o, value: { [row.path]: v } }] })
    // A nested multi-valued value would replace or append whole elements, not address one.
    if (!row.path.includes('[')) {
      forms.push({ name: `${o} path-less, nested`, op, ops: (v) => [{ op: o, value: nested(row.path, v) }] })
    }
  }
  return forms.map((f) => ({ ...f, value: value() }))
}

async function plainRow(t: Server, pack: AppPack, dialect: Dialect, row: MappingRow) {
  const label = `[${pack.name}/${dialect}] ${row.path}`
  const user = await createUser(t, pack, label)
  let doc = user.got
  const fresh = () => valueFor(row, { seed: seedOf(label, ++seq), slot: seq })
  const required = row.path === 'userName'
  const remove = [{ op: opName('remove', dialect), path: row.path }]
  if (required) {
    // RFC 7643 §4.1: userName is required; removing it must fail and leave the user as it was.
    const x = await call(t, 'PATCH', `/Users/${user.id}`, patchBody(remove))
    expect(x.status, `${label}: remove of a required attribute${show(x)}`).toBe(400)
    expect(normalize(await getOk(t, `/Users/${user.id}`, label))).toEqual(normalize(doc))
  } else {
    doc = await step(t, user.id, doc, remove, expectedAfter(doc, row.path, undefined), `${label}: remove`)
    expect(readPath(doc, row.path), `${label}: gone after remove`).toBeUndefined()
    // Removing what is absent succeeds (Entra retries, entra-wire.md §2.4).
    doc = await step(t, user.id, doc, remove, doc, `${label}: remove again`)
  }
  let last = user.values.get(row.path)
  for (const form of writeForms(row, dialect, fresh)) {
    const want = expectedAfter(doc, row.path, form.value)
    doc = await step(t, user.id, doc, form.ops(form.value), want, `${label}: ${form.name}`)
    expect(readPath(doc, row.path), `${label}: ${form.name}`).toEqual(form.value)
    last = form.value
    if (required) continue
    // Microsoft's validation clears with replace "" and null (entra-wire.md §1.6, SCIM_Null_Update).
    for (const clear of ['', null]) {
      const ops = form.ops(clear).map((o) => ({ ...o, op: opName('replace', dialect) }))
      const cleared = await step(
        t,
        user.id,
        doc,
        ops,
        expectedAfter(doc, row.path, undefined),
        `${label}: ${form.name} ${JSON.stringify(clear)}`
      )
      doc = await step(t, user.id, cleared, form.ops(last), doc, `${label}: ${form.name} again`)
    }
  }
  if (!row.filter) return
  // Entra compares what the match returns with its source (§1.1 step 4): it must be what GET returns.
  const hits = await matches(t, `/Users?${filterQuery(row.path, String(last))}`, `${label}: filter`)
  expect(
    hits.map((r) => r.id),
    `${label}: filter ${row.path} eq the current value`
  ).toEqual([user.id])
  expect(normalize(hits[0]), `${label}: the matched resource = GET`).toEqual(normalize(doc))
  const old = await found(t, `/Users?${filterQuery(row.path, String(user.values.get(row.path)))}`, label)
  expect(old, `${label}: filter ${row.path} eq the value before the PATCHes`).toEqual([])
}

/** `active` (entra-wire.md §1.7): "False"/"True" strings by default, booleans with the flag. */
async function activeRow(t: Server, pack: AppPack, dialect: Dialect, _row: MappingRow) {
  const label = `[${pack.name}/${dialect}] active`
  const user = await createUser(t, pack, label)
  const wire = (on: boolean) => activeOp(on, dialect).value
  const set = (doc: ScimObject, on: boolean | undefined) => expectedAfter(doc, 'active', on)
  let doc = user.got
  doc = await step(t, user.id, doc, [activeOp(false, dialect)], set(doc, false), `${label}: disable`)
  doc = await step(t, user.id, doc, [activeOp(true, dialect)], set(doc, true), `${label}: enable`)
  const add = opName('add', dialect)
  const replace = opName('replace', dialect)
  doc = await step(t, user.id, doc, [{ op: add, path: 'active', value: wire(false) }], set(doc, false), `${label}: add`)
  doc = await step(t, user.id, doc, [{ op: replace, value: { active: wire(true) } }], set(doc, true), label)
  doc = await step(t, user.id, doc, [{ op: opName('remove', dialect), path: 'active' }], set(doc, undefined), label)
  await step(t, user.id, doc, [{ op: add, value: { active: wire(true) } }], set(doc, true), `${label}: add path-less`)
}

/** `doc` with the enterprise manager reduced to its `value`. */
function bareManager(doc: ScimObject): ScimObject {
  const out = structuredClone(doc)
  const ent = out[URN_ENTERPRISE] as ScimObject | undefined
  const m = ent?.manager as ScimObject | undefined
  if (ent && m) ent.manager = { value: m.value }
  return out
}

/** The enterprise manager (entra-wire.md §1.8): bare-id string on the URN path, the documented forms, removal. */
async function managerRow(t: Server, pack: AppPack, dialect: Dialect, _row: MappingRow) {
  const label = `[${pack.name}/${dialect}] manager`
  const user = await createUser(t, pack, label)
  const [m1, m2] = [(await createUser(t, pack, `${label} m1`)).id, (await createUser(t, pack, `${label} m2`)).id]
  const add = opName('add', dialect)
  const replace = opName('replace', dialect)
  const remove = opName('remove', dialect)
  const set = (doc: ScimObject, id: string | undefined) => expectedAfter(doc, MANAGER_PATH, id && { value: id })
  const forms: [string, PatchOperation[], string | undefined][] = [
    ['add bare id', [{ op: add, path: MANAGER_PATH, value: m1 }], m1],
    ['replace bare id', [{ op: replace, path: MANAGER_PATH, value: m2 }], m2],
    ['remove', [{ op: remove, path: MANAGER_PATH }], undefined],
    ['remove again', [{ op: remove, path: MANAGER_PATH }], undefined],
    ['add {value}', [{ op: add, path: MANAGER_PATH, value: { value: m1 } }], m1],
    ['replace path-less, URN key', [{ op: replace, value: { [MANAGER_PATH]: m2 } }], m2],
    ['replace path-less, nested', [{ op: replace, value: { [URN_ENTERPRISE]: { manager: { value: m1 } } } }], m1],
    ['remove manager[value eq id]', [{ op: remove, path: `${MANAGER_PATH}[value eq "${m1}"]` }], undefined],
    ['add Example 5', [{ op: add, path: 'manager', value: [{ $ref: `../Users/${m2}`, value: m2 }] }], m2],
    ['replace with ""', [{ op: replace, path: MANAGER_PATH, value: '' }], undefined],
  ]
  let doc = user.got
  for (const [name, ops, id] of forms) {
    const want = set(doc, id)
    const x = await call(t, 'PATCH', `/Users/${user.id}`, patchBody(ops))
    expectStatus(x, 200, `${label}: ${name}`)
    const got = await getOk(t, `/Users/${user.id}`, `${label}: ${name}`)
    expect(readManagerId(got), `${label}: ${name}: manager.value${show(x)}`).toBe(id)
    // `$ref` and displayName are the server's to set: compare manager by its value.
    expect(normalize(bareManager(got)), `${label}: ${name}: nothing else changed`).toEqual(normalize(bareManager(want)))
    // Entra's reference check before it writes a manager (entra-wire.md §1.5): `id eq … and manager eq …`.
    for (const m of [m1, m2]) {
      const q = `/Users?${filterQuery('id', user.id)}+and+manager+eq+%22${m}%22&attributes=id`
      expect(
        await found(t, q, `${label}: ${name}: reference check`),
        `${label}: ${name}: id and manager eq ${m}`
      ).toEqual(m === id ? [user.id] : [])
    }
    doc = got
  }
}

for (const seed of SEED_APPS) {
  const pack = seedPack(seed)
  describe(`seed contract: ${seed.title} users`, () => {
    for (const where of SERVERS) {
      for (const row of pack.mapping.User) {
        const run = isActive(row) ? activeRow : isManager(row) ? managerRow : plainRow
        // One server for both dialects, as one Entra job's flag changes what it sends, not the server.
        test(`${where}: ${row.path}`, async () => {
          const t = startServer(seed.app, where)
          for (const dialect of DIALECTS) await run(t, pack, dialect, row)
        }, 30_000)
      }
    }
  })
}
