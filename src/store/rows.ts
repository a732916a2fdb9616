// Converts StoredResource into table rows, deriving the promoted lookup columns.
import { foldCase } from '../scim/case-fold'
import type { ResourceType } from '../scim/schema/types'
import type { Doc } from '../scim/document'
import type { StoredResource } from '../service/context'

/** Which attribute each resource type promotes to `name_ci`: its foldCase() (indexed; unique for users). */
const NAME_ATTRIBUTE: Record<string, string> = { User: 'userName', Group: 'displayName' }

/** The name_ci key of a document: foldCase of its type's name attribute, or null. */
export function nameKeyOf(type: Pick<ResourceType, 'name'>, data: Doc): string | null {
  const attr = NAME_ATTRIBUTE[type.name]
  const value = attr ? data[attr] : undefined
  return typeof value === 'string' ? foldCase(value) : null
}

export function externalIdOf(data: Doc): string | null {
  return typeof data.externalId === 'string' ? data.externalId : null
}

export type ResourceRow = {
  id: string
  type: string
  nameCi: string | null
  externalId: string | null
  data: string
  version: number
  created: string
  lastModified: string
}

export function toRow(type: ResourceType, r: StoredResource): ResourceRow {
  // Nothing here authenticates users, so a password (writeOnly, returned never) is not kept at all.
  const { password: _dropped, ...kept } = r.data
  return {
    id: r.id,
    type: type.name,
    nameCi: nameKeyOf(type, r.data),
    externalId: externalIdOf(r.data),
    data: JSON.stringify(kept),
    version: r.version,
    created: r.created,
    lastModified: r.lastModified,
  }
}
