// Uniqueness "server"/"global" (RFC 7643 §2.2) of declared attributes, checked inside the write transaction.
import type { Doc } from '../scim/document'
import { ScimError } from '../scim/errors'
import { parseFilter, type FilterLimits } from '../scim/filter/parser'
import { resolveFilter } from '../scim/filter/resolve'
import { uniqueAttributes, uniqueKey, uniqueValues } from '../scim/schema/uniqueness'
import type { ResourceType } from '../scim/schema/types'
import type { WriteTx } from './context'
import type { Effect } from './effect'

/** The filter is built here, not sent by a client: a stored value may be longer than a client's filter may be. */
const OWN_FILTER: FilterLimits = { maxLength: Number.MAX_SAFE_INTEGER, maxNodes: 4 }
const SHOWN = 80

function shown(value: string | number | boolean): string {
  const text = JSON.stringify(value)
  return text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text
}

/**
 * Throws 409 uniqueness when another resource of `type` holds a value of `after` for an attribute
 * that must be unique. Read through the write job's `tx`, so the query also sees the rows that
 * earlier jobs of the same group commit (or of the same transaction) wrote. Values `before` already held are not looked up
 * again: a PATCH of another attribute neither pays for the lookups nor fails over a duplicate
 * stored before the attribute was declared unique.
 */
export function* checkUniqueness(
  tx: WriteTx,
  type: ResourceType,
  before: Doc | undefined,
  after: Doc,
  selfId: string
): Effect<void> {
  for (const u of uniqueAttributes(type)) {
    const seen = new Set(before ? uniqueValues(u, before).map((v) => uniqueKey(u, v)) : [])
    for (const value of uniqueValues(u, after)) {
      const key = uniqueKey(u, value)
      if (seen.has(key)) continue
      seen.add(key)
      // The filter machinery applies caseExact and matches any element of a multi-valued attribute.
      // Only the count is read: one pass over the type's rows, where reading rows would add a second.
      const text = `${u.path} eq ${JSON.stringify(value)} and not (id eq ${JSON.stringify(selfId)})`
      const filter = resolveFilter(parseFilter(text, OWN_FILTER), type)
      if ((yield* tx.query(type, { filter, startIndex: 1, count: 0 })).total > 0) {
        throw ScimError.uniqueness(`${u.path} ${shown(value)} is already used by another ${type.name}`)
      }
    }
  }
}
