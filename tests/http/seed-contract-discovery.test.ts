// /Schemas and /ResourceTypes of a server started with a seed app's pack serve every row of that app's
// tutorial tables (tests/fixtures/seed-tables): Microsoft's gallery validation flattens /Schemas to
// attribute names and fails on any mapped one missing (entra-wire.md §1.12). Test Connection's probe
// on each matching attribute finds nothing (§1.2).
import { describe, expect, test } from 'bun:test'
import { EMPTY_LIST_RESPONSE, filterQuery, parsePath, type ScimObject } from '../helpers/entra'
import { getOk, startServer, SERVERS } from '../helpers/seed-contract'
import { SEED_APPS, isMatching } from '../helpers/seed-tables'

const CORE = {
  User: 'urn:ietf:params:scim:schemas:core:2.0:User',
  Group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
}

/** `name`, `name.givenName`, … of one served Schema, lower-cased, prefixed with `urn:` for extensions. */
function flatten(schema: ScimObject, prefix: string): string[] {
  const out: string[] = []
  for (const a of (schema.attributes ?? []) as ScimObject[]) {
    const name = `${prefix}${a.name}`.toLowerCase()
    out.push(name)
    for (const s of (a.subAttributes ?? []) as ScimObject[]) out.push(`${name}.${String(s.name).toLowerCase()}`)
  }
  return out
}

/** The served names a row needs: `emails[type eq "work"].value` needs `emails.type` and `emails.value`. */
function needed(path: string): string[] {
  const p = parsePath(path)
  if (p.kind === 'ext') return [`${p.urn}:${p.attr}`.toLowerCase()]
  const top = p.attr.toLowerCase()
  const subs = [p.filter?.attr, p.sub].filter((s): s is string => s !== undefined)
  return subs.length === 0 ? [top] : subs.map((s) => `${top}.${s.toLowerCase()}`)
}

// id, externalId and meta belong to every resource (RFC 7643 §3.1); no Schema lists them.
const COMMON = new Set(['externalid'])

for (const seed of SEED_APPS) {
  describe(`seed contract: ${seed.title} discovery`, () => {
    for (const where of SERVERS) {
      for (const name of ['User', 'Group'] as const) {
        const table = seed[name]
        if (!table) continue
        test(`${where}, ${name}: /ResourceTypes names every extension, /Schemas every row`, async () => {
          const t = startServer(seed.app, where)
          const type = await getOk(t, `/ResourceTypes/${name}`, `GET /ResourceTypes/${name}`)
          const extensions = ((type.schemaExtensions ?? []) as ScimObject[]).map((e) => String(e.schema))
          const served = await getOk(t, '/Schemas', 'GET /Schemas')
          const byId = new Map(((served.Resources ?? []) as ScimObject[]).map((s) => [String(s.id), s]))
          const names = new Set(flatten(byId.get(CORE[name]) ?? {}, ''))
          for (const urn of extensions) for (const n of flatten(byId.get(urn) ?? {}, `${urn}:`)) names.add(n)
          for (const row of table.rows) {
            const p = parsePath(row.attribute)
            if (p.kind === 'ext') expect(extensions, `${row.attribute}: extension in /ResourceTypes`).toContain(p.urn)
            // RFC 7643 §4.1.1 `name` has no displayName (MediusFlow): kept as sent, never served as declared.
            if (seed.app === 'mediusflow' && row.attribute === 'name.displayName') continue
            for (const n of needed(row.attribute).filter((x) => !COMMON.has(x))) {
              expect(names.has(n), `${row.attribute}: /Schemas serves ${n}`).toBe(true)
            }
          }
        })

        test(`${where}, ${name}: Test Connection's random-GUID probe per matching attribute: empty 200`, async () => {
          const t = startServer(seed.app, where)
          for (const row of table.rows.filter((r) => isMatching(table, name, r))) {
            const extra = name === 'Group' ? 'excludedAttributes=members&' : ''
            const q = `/${name}s?${extra}${filterQuery(row.attribute, crypto.randomUUID())}`
            const body = await getOk(t, q, `probe ${row.attribute}`)
            expect(body, `probe ${row.attribute}`).toEqual(EMPTY_LIST_RESPONSE)
          }
        })
      }
    }
  })
}
