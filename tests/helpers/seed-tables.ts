// The five seed apps' mapping tables as transcribed from their Entra tutorials (tests/fixtures/seed-tables),
// independent of the server's pack files, in the shapes the Entra request builders take.
import alertmedia from '../fixtures/seed-tables/alertmedia.json'
import alvao from '../fixtures/seed-tables/alvao.json'
import mediusflow from '../fixtures/seed-tables/mediusflow.json'
import h5mag from '../fixtures/seed-tables/h5mag.json'
import atmos from '../fixtures/seed-tables/atmos.json'
import type { AppPack, MappingRow } from './entra'

/** One row as the tutorial prints it; `filter`/`required` only where the table has that column. */
export interface SeedRow {
  attribute: string
  type: string
  filter?: boolean
  required?: boolean
}

export interface SeedTable {
  columns: string[]
  rows: SeedRow[]
}

export interface SeedApp {
  source: string
  app: string
  title: string
  User: SeedTable
  Group: SeedTable | null
}

/** The five tables in tutorial order (the seeds' file order). */
export const SEED_APPS: readonly SeedApp[] = [alertmedia, alvao, mediusflow, h5mag, atmos] as SeedApp[]

/** Whether the table has a "Supported for filtering" column. */
export function hasFilterColumn(table: SeedTable): boolean {
  return table.columns.some((c) => /^supported for filtering$/i.test(c))
}

/**
 * Whether Entra matches on the row: "Supported for filtering" where the table says so; otherwise
 * Entra's default matching attribute, `userName` for users and `displayName` for groups
 * (entra-wire.md §1.5: "users are … queried with their username …, and groups are queried with
 * displayName").
 */
export function isMatching(table: SeedTable, resourceType: 'User' | 'Group', row: SeedRow): boolean {
  if (hasFilterColumn(table)) return row.filter === true
  return row.attribute === (resourceType === 'User' ? 'userName' : 'displayName')
}

function mappingRows(table: SeedTable | null, resourceType: 'User' | 'Group'): MappingRow[] {
  return (table?.rows ?? []).map((r) => ({
    path: r.attribute,
    type: r.type,
    filter: table ? isMatching(table, resourceType, r) : false,
  }))
}

/** The tutorial's tables as the Entra request builders (tests/helpers/entra.ts) take them. */
export function seedPack(app: SeedApp): AppPack {
  return { name: app.app, mapping: { User: mappingRows(app.User, 'User'), Group: mappingRows(app.Group, 'Group') } }
}
