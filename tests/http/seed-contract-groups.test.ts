// The group rows of the tutorials' Step 5 tables (tests/fixtures/seed-tables) against a server started
// with that app's pack and a tenant added with it, in both Entra PATCH dialects (entra-wire.md §1.11,
// §2.1): displayName and externalId round-trip, patch with a path and path-less, match by displayName;
// members add and remove.
import { describe, expect, test } from 'bun:test'
import {
  addMemberOps,
  createGroupBody,
  createUserBody,
  filterQuery,
  getKey,
  isMembers,
  makeValues,
  patchBody,
  readPath,
  removeMemberOps,
  valueFor,
  valueRows,
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

/** RFC 7643 §4.2 / §3.1 spelling of a group row's attribute, which the server returns whatever Entra sent. */
const CANONICAL: Record<string, string> = { displayname: 'displayName', externalid: 'externalId' }

async function createGroup(t: Server, pack: AppPack, label: string) {
  const rows = pack.mapping.Group ?? []
  const values = makeValues(rows, { seed: seedOf(label, ++seq), slot: seq })
  const x = await call(t, 'POST', '/Groups', createGroupBody(rows, values))
  const created = expectStatus(x, 201, `${label}: POST group`)
  const id = created.id as string
  const got = await getOk(t, `/Groups/${id}`, `${label}: GET group`)
  for (const r of valueRows(rows)) {
    const key = CANONICAL[r.path.toLowerCase()]!
    expect(got[key], `${label}: GET ${key} (sent as ${r.path}); ${JSON.stringify(got)}${show(x)}`).toBe(
      values.get(r.path) as string
    )
    expect(readPath(created, r.path), `${label}: POST response ${r.path}`).toBe(values.get(r.path) as string)
  }
  expect(normalize(got), `${label}: GET = POST response`).toEqual(normalize(created))
  for (const r of rows.filter((row) => row.filter)) {
    const q = `/Groups?excludedAttributes=members&${filterQuery(r.path, String(values.get(r.path)))}`
    const hits = await matches(t, q, `${label}: match by ${r.path}`)
    expect(
      hits.map((h) => h.id),
      `${label}: match by ${r.path}`
    ).toEqual([id])
    const { members: _, ...rest } = got
    expect(normalize(hits[0]), `${label}: the matched group = GET without members`).toEqual(normalize(rest))
  }
  return { id, values, got }
}

async function step(t: Server, id: string, ops: PatchOperation[], want: ScimObject, label: string) {
  await patchOk(t, `/Groups/${id}`, ops, 204, label)
  const got = await getOk(t, `/Groups/${id}`, `${label}: GET`)
  expect(normalize(got), `${label}\n  ops: ${JSON.stringify(ops)}`).toEqual(normalize(want))
  return got
}

/** displayName / externalId: remove (required displayName refused), then every write form. */
async function valueRow(t: Server, pack: AppPack, dialect: Dialect, row: MappingRow) {
  const label = `[${pack.name}/${dialect}] Group ${row.path}`
  const g = await createGroup(t, pack, label)
  const key = CANONICAL[row.path.toLowerCase()]!
  let doc = g.got
  const remove = [{ op: opName('remove', dialect), path: row.path }]
  if (key === 'displayName') {
    // RFC 7643 §4.2: displayName is required.
    const x = await call(t, 'PATCH', `/Groups/${g.id}`, patchBody(remove))
    expect(x.status, `${label}: remove a required attribute${show(x)}`).toBe(400)
  } else {
    doc = await step(t, g.id, remove, expectedAfter(doc, key, undefined), `${label}: remove`)
    doc = await step(t, g.id, remove, doc, `${label}: remove again`)
  }
  let last = ''
  for (const op of ['replace', 'add'] as const) {
    const o = opName(op, dialect)
    const forms: [string, (v: string) => PatchOperation][] = [
      ['with path', (v) => ({ op: o, path: row.path, value: v })],
      ['path-less', (v) => ({ op: o, value: { [row.path]: v } })],
    ]
    for (const [name, form] of forms) {
      last = String(valueFor(row, { seed: seedOf(label, ++seq), slot: seq }))
      doc = await step(t, g.id, [form(last)], expectedAfter(doc, key, last), `${label}: ${o} ${name}`)
      if (key === 'displayName') continue
      // Microsoft's validation clears with replace "" and null (entra-wire.md §1.6, SCIM_Null_Update).
      for (const clear of ['', null]) {
        const op = { ...form(last), op: opName('replace', dialect) }
        const ops = [op.path ? { ...op, value: clear } : { ...op, value: { [row.path]: clear } }]
        const cleared = await step(
          t,
          g.id,
          ops,
          expectedAfter(doc, key, undefined),
          `${label}: ${name} ${JSON.stringify(clear)}`
        )
        doc = await step(t, g.id, [form(last)], doc, `${label}: ${o} ${name} again`)
        expect(cleared[key], `${label}: cleared`).toBeUndefined()
      }
    }
  }
  if (!row.filter) return
  const q = (v: string) => `/Groups?excludedAttributes=members&${filterQuery(row.path, v)}`
  expect(await found(t, q(last), label), `${label}: filter by the new value`).toEqual([g.id])
  expect(await found(t, q(String(g.values.get(row.path))), label), `${label}: filter by the old value`).toEqual([])
}

async function memberIds(t: Server, id: string, label: string): Promise<string[]> {
  const got = await getOk(t, `/Groups/${id}`, label)
  return ((getKey(got, 'members') ?? []) as ScimObject[]).map((m) => String(m.value)).sort()
}

/** members (entra-wire.md §1.11): add in batches, re-add, remove in the dialect's form, remove again. */
async function membersRow(t: Server, pack: AppPack, dialect: Dialect, _row: MappingRow) {
  const label = `[${pack.name}/${dialect}] Group members`
  const users: string[] = []
  for (const n of [1, 2, 3]) {
    const values = makeValues(pack.mapping.User, { seed: seedOf(`${label} u${n}`, ++seq), slot: seq })
    const x = await call(t, 'POST', '/Users', createUserBody(pack.mapping.User, values))
    users.push(expectStatus(x, 201, `${label}: POST user ${n}`).id as string)
  }
  const [u1, u2, u3] = users as [string, string, string]
  const g = await createGroup(t, pack, label)
  const path = `/Groups/${g.id}`
  const sorted = (ids: string[]) => [...ids].sort()
  const expectMembers = async (ids: string[], what: string) =>
    expect(await memberIds(t, g.id, `${label}: ${what}`), `${label}: ${what}`).toEqual(sorted(ids))
  await expectMembers([], 'created with members: []')
  await patchOk(t, path, addMemberOps([u1, u2], dialect), 204, `${label}: add 2`)
  await expectMembers([u1, u2], 'after add')
  await patchOk(t, path, addMemberOps([u1, u3], dialect), 204, `${label}: add 1 new, 1 present`)
  await expectMembers([u1, u2, u3], 'after re-add')
  // "Supports querying groups by ID and by member" (entra-wire.md §1.5): `id eq … and members eq …`.
  const byMember = (u: string) =>
    `/Groups?excludedAttributes=members&${filterQuery('id', g.id)}+and+members+eq+%22${u}%22`
  expect(await found(t, byMember(u3), `${label}: by member`), `${label}: id and members eq user 3`).toEqual([g.id])
  await patchOk(t, path, removeMemberOps([u2], dialect), 204, `${label}: remove user 2`)
  await expectMembers([u1, u3], 'after remove')
  expect(await found(t, byMember(u2), `${label}: by member`), `${label}: id and members eq removed user 2`).toEqual([])
  await patchOk(t, path, removeMemberOps([u2], dialect), 204, `${label}: remove user 2 again`)
  await expectMembers([u1, u3], 'after removing an absent member')
  const x = await call(t, 'GET', `${path}?excludedAttributes=members`)
  expect('members' in expectStatus(x, 200, label), `${label}: excludedAttributes=members${show(x)}`).toBe(false)
}

for (const seed of SEED_APPS) {
  const pack = seedPack(seed)
  const rows = pack.mapping.Group ?? []
  if (rows.length === 0) continue
  describe(`seed contract: ${seed.title} groups`, () => {
    for (const where of SERVERS) {
      for (const row of rows) {
        const run = isMembers(row) ? membersRow : valueRow
        // One server for both dialects, as one Entra job's flag changes what it sends, not the server.
        test(`${where}: ${row.path}`, async () => {
          const t = startServer(seed.app, where)
          for (const dialect of DIALECTS) await run(t, pack, dialect, row)
        }, 30_000)
      }
    }
  })
}
