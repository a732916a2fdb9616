// Converts StoredResource into table rows, deriving the promoted lookup columns.
import { foldCase } from '../scim/case-fold'
import type { ResourceType } from '../scim/schema/types'
import type { Doc } from '../scim/document'
import { checkDocumentBytes, checkLookupValue, exponentNumberBytes, type Limits } from '../scim/limits'
import type { StoredResource } from '../service/context'
import { checkStorableText } from '../scim/storable'

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
  tenant: string
  type: string
  nameCi: string | null
  externalId: string | null
  data: string
  version: number
  created: string
  lastModified: string
}

/** The row to write; a document over the size limit, or one later reads could not serve, is refused here, the one place every write passes. */
export function toRow(tenant: string, type: ResourceType, r: StoredResource, limits: Limits): ResourceRow {
  // The indexed lookup values are bounded alike on both stores (PostgreSQL's index cannot hold long ones).
  const nameCi = nameKeyOf(type, r.data)
  const externalId = externalIdOf(r.data)
  checkLookupValue(NAME_ATTRIBUTE[type.name] ?? 'name', nameCi)
  checkLookupValue('externalId', externalId)
  // Nothing here authenticates users, so a password (writeOnly, returned never) is not kept at all.
  const { password: _dropped, ...kept } = r.data
  const data = JSON.stringify(kept)
  // Numbers in exponent form count as PostgreSQL writes them out, so the limit bounds what either
  // store reads back. UTF-8 takes at most 3 bytes per UTF-16 unit: most documents need no byte count at all.
  const longer = exponentNumberBytes(data)
  if (data.length * 3 + longer > limits.maxDocumentBytes) checkDocumentBytes(Buffer.byteLength(data) + longer, limits)
  checkStorableText(kept, data)
  return {
    id: r.id,
    tenant,
    type: type.name,
    nameCi,
    externalId,
    data,
    version: r.version,
    created: r.created,
    lastModified: r.lastModified,
  }
}
