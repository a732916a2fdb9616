// Vendor packs: per-app extension schemas plus the Entra attribute-mapping table each was written from.
import type { ResourceTypeDocument, SchemaDocument } from './types'
import alertmedia from './packs/alertmedia.json'
import alvao from './packs/alvao.json'
import mediusflow from './packs/mediusflow.json'
import h5mag from './packs/h5mag.json'
import atmos from './packs/atmos.json'

/** The "Type" column of an Entra attribute-mapping table. */
export type EntraAttributeType = 'String' | 'Boolean' | 'Reference' | 'Integer' | 'DateTime' | 'Binary'

/** One row of a tutorial's mapping table, path text exactly as the tutorial writes it. */
export interface MappingRow {
  path: string
  type: EntraAttributeType
  /** "Supported for filtering"; where the table has no such column, true only for Entra's matching attribute. */
  filter: boolean
  /** "Required by <app>", present only when the table has that column. */
  required?: boolean
}

/** An extension schema the pack attaches to a resource type. */
export interface PackExtension {
  resourceType: 'User' | 'Group'
  schema: string
  required: boolean
}

export interface VendorPack {
  name: string
  title: string
  /** Vendor extension schemas; empty when the app uses only core + enterprise. */
  schemas: SchemaDocument[]
  extensions: PackExtension[]
  /** The tutorial's tables, kept as test fixtures. */
  mapping: { User: MappingRow[]; Group: MappingRow[] }
  /** Oddities of the source tables worth knowing. */
  notes?: string[]
}

export const PACK_NAMES = ['alertmedia', 'alvao', 'mediusflow', 'h5mag', 'atmos'] as const
export type PackName = (typeof PACK_NAMES)[number]

/** The five packs, embedded by `bun build --compile` through these static imports. */
export const PACKS: Readonly<Record<PackName, VendorPack>> = {
  alertmedia: alertmedia as VendorPack,
  alvao: alvao as VendorPack,
  mediusflow: mediusflow as VendorPack,
  h5mag: h5mag as VendorPack,
  atmos: atmos as VendorPack,
}

export function isPackName(name: string): name is PackName {
  return (PACK_NAMES as readonly string[]).includes(name)
}

/** The pack called `name` (case-insensitive); throws on an unknown name, listing the known ones. */
export function loadPack(name: string): VendorPack {
  const key = name.trim().toLowerCase()
  if (!isPackName(key)) throw new Error(`unknown pack "${name}"; known packs: ${PACK_NAMES.join(', ')}`)
  return PACKS[key]
}

/**
 * Adds the packs' schemas to `schemas` and their extensions to the matching resource types'
 * `schemaExtensions`, without mutating the inputs. Schemas and extensions already present
 * (same URN, case-insensitive) are not added twice.
 */
export function applyPacks(
  schemas: readonly SchemaDocument[],
  types: readonly ResourceTypeDocument[],
  packs: readonly VendorPack[]
): { schemas: SchemaDocument[]; types: ResourceTypeDocument[] } {
  const outSchemas = [...schemas]
  const seen = new Set(schemas.map((s) => s.id.toLowerCase()))
  for (const p of packs) {
    for (const s of p.schemas) {
      if (seen.has(s.id.toLowerCase())) continue
      seen.add(s.id.toLowerCase())
      outSchemas.push(s)
    }
  }
  const outTypes = types.map((t) => {
    const extensions = [...(t.schemaExtensions ?? [])]
    const have = new Set(extensions.map((e) => e.schema.toLowerCase()))
    for (const p of packs) {
      for (const e of p.extensions) {
        if (e.resourceType.toLowerCase() !== t.name.toLowerCase() || have.has(e.schema.toLowerCase())) continue
        have.add(e.schema.toLowerCase())
        extensions.push({ schema: e.schema, required: e.required })
      }
    }
    return extensions.length > 0 ? { ...t, schemaExtensions: extensions } : { ...t }
  })
  return { schemas: outSchemas, types: outTypes }
}
