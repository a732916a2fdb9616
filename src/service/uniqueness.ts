// Uniqueness "server"/"global" (RFC 7643 §2.2) of declared attributes: the queries a write runs in its transaction.
import type { Doc } from '../scim/document'
import { parseFilter, type FilterLimits } from '../scim/filter/parser'
import { type ResolvedFilter, resolveFilter } from '../scim/filter/resolve'
import { uniqueAttributes, uniqueKey, uniqueValues } from '../scim/schema/uniqueness'
import type { ResourceType } from '../scim/schema/types'

/** The filter is built here, not sent by a client: a stored value may be longer than a client's filter may be. */
const OWN_FILTER: FilterLimits = { maxLength: Number.MAX_SAFE_INTEGER, maxNodes: 4 }
const SHOWN = 80

function shown(value: string | number | boolean): string {
  const text = JSON.stringify(value)
  return text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text
}

/** A count query that must find nothing, and the 409 uniqueness detail when it finds something. */
export interface UniquenessCheck {
  filter: ResolvedFilter
  detail: string
}

/**
 * The queries that must count nothing for `after` to be stored: another resource of `type`
 * holding a value of `after` for an attribute that must be unique. write-checks.ts runs them
 * through the write job's `tx`, so they also see the rows that earlier jobs of the same group
 * commit (or of the same transaction) wrote. Values `before` already held are not looked up
 * again: a PATCH of another attribute neither pays for the lookups nor fails over a duplicate
 * stored before the attribute was declared unique.
 */
export function uniquenessChecks(
  type: ResourceType,
  before: Doc | undefined,
  after: Doc,
  selfId: string
): UniquenessCheck[] {
  const checks: UniquenessCheck[] = []
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
      checks.push({ filter, detail: `${u.path} ${shown(value)} is already used by another ${type.name}` })
    }
  }
  return checks
}
