// Reads admin-supplied schema documents (--schema, --group-schema) with errors that name the file.
import type { SchemaDocument } from '../scim/schema/types'
import { UsageError } from './args'

export async function readSchemaFile(path: string): Promise<SchemaDocument> {
  let doc: unknown
  try {
    doc = await Bun.file(path).json()
  } catch (err) {
    throw new UsageError(`cannot read schema file ${path}: ${(err as Error).message}`)
  }
  const d = doc as Partial<SchemaDocument>
  if (typeof d.id !== 'string' || !d.id.startsWith('urn:') || !Array.isArray(d.attributes)) {
    throw new UsageError(
      `schema file ${path} is not an RFC 7643 schema document (needs "id": "urn:…" and "attributes": [...])`
    )
  }
  for (const [i, a] of d.attributes.entries()) {
    if (typeof a?.name !== 'string' || typeof a?.type !== 'string') {
      throw new UsageError(`schema file ${path}: attributes[${i}] needs "name" and "type"`)
    }
  }
  return d as SchemaDocument
}
