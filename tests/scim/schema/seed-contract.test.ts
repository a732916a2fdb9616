// The five vendor packs against their tutorials' Step 5 tables (tests/fixtures/seed-tables): every row
// is in the pack's mapping with the same target, and the pack's schemas declare it as Entra sends it.
import { describe, expect, test } from 'bun:test'
import { buildRegistry } from '../../../src/scim/schema/builtin'
import { loadPack } from '../../../src/scim/schema/pack'
import { resolveAttrPath } from '../../../src/scim/schema/registry'
import type { CompiledAttribute, ResourceType } from '../../../src/scim/schema/types'
import { MANAGER_PATH, parsePath } from '../../helpers/entra'
import { SEED_APPS, hasFilterColumn, isMatching, type SeedRow, type SeedTable } from '../../helpers/seed-tables'

const ENTRA_TYPES: Record<string, string> = { String: 'string', Boolean: 'boolean' }

function typeOf(app: string, name: 'User' | 'Group'): ResourceType {
  const t = buildRegistry({ packs: [loadPack(app)] }).resourceType(name)
  if (!t) throw new Error(`no resource type ${name}`)
  return t
}

/** Asserts a single-valued attribute of the row's Entra type (the Type column). */
function expectScalar(attr: CompiledAttribute | undefined, row: SeedRow) {
  expect(attr, `${row.attribute} must be declared`).toBeDefined()
  expect(attr?.multiValued, `${row.attribute} is single-valued`).toBe(false)
  expect(attr?.type as string | undefined, `${row.attribute} has type ${row.type}`).toBe(ENTRA_TYPES[row.type] ?? '?')
}

/** What each row addresses in the pack-enabled schemas, checked as Entra writes it (entra-wire.md §1.3, §1.6). */
function expectDeclared(type: ResourceType, row: SeedRow) {
  const p = parsePath(row.attribute)
  if (p.kind === 'ext') {
    const ext = type.extensions.get(p.urn.toLowerCase())
    expect(ext?.schema.id, `${row.attribute}: extension ${p.urn} attached to ${type.name}`).toBe(p.urn)
    const attr = ext?.schema.attributes.get(p.attr.toLowerCase())
    expect(attr?.name, `${row.attribute}: attribute declared in ${p.urn}, spelled as the tutorial`).toBe(p.attr)
    expect(attr?.schema).toBe(p.urn)
    if (row.attribute.toLowerCase() === MANAGER_PATH.toLowerCase()) {
      // Entra sends the manager's id as a bare string (entra-wire.md §1.8): it lands in manager.value.
      expect(attr?.type).toBe('complex')
      expect(attr?.multiValued).toBe(false)
      expect(attr?.sub.get('value')?.type).toBe('string')
      return
    }
    return expectScalar(attr, row)
  }
  const attr = resolveAttrPath(type, { name: p.attr })?.attr
  expect(attr, `${row.attribute}: ${p.attr} declared for ${type.name}`).toBeDefined()
  expect(attr?.name.toLowerCase()).toBe(p.attr.toLowerCase())
  if (p.attr.toLowerCase() === 'members') {
    expect(row.type).toBe('Reference')
    expect(attr?.multiValued).toBe(true)
    expect(attr?.sub.get('value')?.type).toBe('string')
    return
  }
  if (p.filter) {
    expect(attr?.type).toBe('complex')
    expect(attr?.multiValued, `${row.attribute}: ${p.attr} is multi-valued`).toBe(true)
    const by = attr?.sub.get(p.filter.attr.toLowerCase())
    expect(by?.type, `${row.attribute}: filter attribute ${p.filter.attr}`).toBe('string')
    if (by?.canonicalValues) expect(by.canonicalValues).toContain(p.filter.value)
  }
  if (p.sub === undefined) return expectScalar(attr, row)
  if (!p.filter) expect(attr?.multiValued, `${row.attribute}: ${p.attr} is single-valued`).toBe(false)
  expect(attr?.type).toBe('complex')
  expectScalar(attr?.sub.get(p.sub.toLowerCase()), row)
}

/** The one row no schema can declare: RFC 7643 §4.1.1 `name` has no displayName; it is kept as sent. */
function isUndeclaredByRfc(app: string, row: SeedRow): boolean {
  return app === 'mediusflow' && row.attribute === 'name.displayName'
}

describe('seed apps: pack mapping = tutorial Step 5 tables', () => {
  for (const seed of SEED_APPS) {
    const pack = loadPack(seed.app)
    for (const name of ['User', 'Group'] as const) {
      const table: SeedTable | null = seed[name]
      test(`${seed.app} ${name}: every tutorial row, in order, with the same target and columns`, () => {
        const mapped = pack.mapping[name]
        if (!table) return expect(mapped).toEqual([])
        const expected = table.rows.map((r) => ({
          path: r.attribute,
          type: r.type,
          filter: isMatching(table, name, r),
          ...(r.required !== undefined && { required: r.required }),
        }))
        expect(mapped as unknown[]).toEqual(expected)
        if (!hasFilterColumn(table)) expect(pack.notes?.join(' ')).toContain(`${name} table has no 'Supported`)
      })
    }

    test(`${seed.app}: the pack's extension schemas declare exactly the tutorial's extension attributes`, () => {
      for (const s of pack.schemas) {
        const rows = seed.User.rows.filter((r) => r.attribute.startsWith(`${s.id}:`))
        expect(s.attributes.map((a) => a.name)).toEqual(rows.map((r) => r.attribute.slice(s.id.length + 1)))
      }
      const vendorUrns = new Set(
        seed.User.rows.flatMap((r) => {
          const p = parsePath(r.attribute)
          return p.kind === 'ext' && !/:enterprise:2\.0:User$/.test(p.urn) ? [p.urn] : []
        })
      )
      expect(pack.schemas.map((s) => s.id).sort()).toEqual([...vendorUrns].sort())
    })
  }
})

describe('seed apps: every tutorial row is declared by the pack-enabled schemas', () => {
  for (const seed of SEED_APPS) {
    for (const name of ['User', 'Group'] as const) {
      for (const row of seed[name]?.rows ?? []) {
        test(`${seed.app} ${name} ${row.attribute}`, () => {
          const type = typeOf(seed.app, name)
          if (isUndeclaredByRfc(seed.app, row)) {
            expect(resolveAttrPath(type, { name: 'name', sub: 'displayName' })).toBeUndefined()
            return
          }
          expectDeclared(type, row)
        })
      }
    }
  }
})
