// RFC 7644 §3.5.2 PATCH on Group `members` (RFC 7643 §4.2): a delta for the membership table.
import type { CompatSink } from '../compat/rules'
import { ScimError, quoted } from '../errors'
import type { ElementBudget } from '../limits'
import type { ResolvedFilter } from '../filter/resolve'
import { coerceMembers, type MemberRef } from '../schema/coerce-value'
import type { Target } from '../schema/resolve-key'
import { memberIdsOf, resolveElementFilter } from './select'

export type { MemberRef } from '../schema/coerce-value'

/**
 * One change to a group's membership, in request order. `removeWhere.filter` is the inside of
 * `members[...]` bound by `resolveValueFilter(filter, membersAttr)`; test each member with
 * `matchesElement(filter, { value, type, display? })`, spending `budget` on the members tested.
 */
export type MemberOp =
  | { kind: 'add'; members: MemberRef[] }
  | { kind: 'remove'; values: string[] }
  | { kind: 'removeWhere'; filter: ResolvedFilter; budget: ElementBudget }
  | { kind: 'clear' }

type MembersTarget = Extract<Target, { kind: 'members' }>

function removeOps(
  t: MembersTarget,
  value: unknown,
  hasValue: boolean,
  budget: ElementBudget,
  fired?: CompatSink
): MemberOp[] {
  if (t.filter) {
    const filter = resolveElementFilter(t.attr, t.filter)
    const ids = memberIdsOf(filter)
    return [ids ? { kind: 'remove', values: [...new Set(ids)] } : { kind: 'removeWhere', filter, budget }]
  }
  // Entra's default dialect removes one member with path "members" plus value [{value:id}]
  // (entra-wire.md §1.11, §2.2 Q3). RFC-literal "remove everything" here wiped whole groups
  // (azure-docs#30826), so a value always narrows the removal to those ids.
  // Only a remove with no value at all clears the group; an empty or null value removes nothing.
  if (hasValue) {
    fired?.('remove-by-value')
    if (value === null || (Array.isArray(value) && value.length === 0)) return []
    return [{ kind: 'remove', values: coerceMembers(value, fired).map((m) => m.value) }]
  }
  return [{ kind: 'clear' }]
}

/**
 * The member delta for one operation on `members`. `add` appends, `replace` is clear + add,
 * `remove` removes the given ids, the ids of a `value eq` filter, the matches of any other filter,
 * or, with neither value nor filter, everything (RFC 7644 §3.5.2.2).
 */
export function memberOps(
  op: 'add' | 'remove' | 'replace',
  t: MembersTarget,
  value: unknown,
  hasValue: boolean,
  budget: ElementBudget,
  fired?: CompatSink
): MemberOp[] {
  if (t.sub !== undefined) {
    throw ScimError.mutability(`member sub-attribute ${quoted(t.sub)} is immutable; add or remove the member instead`)
  }
  if (op === 'remove') return removeOps(t, value, hasValue, budget, fired)
  if (t.filter) throw ScimError.invalidPath(`'${op}' cannot take a members[filter] path; use add or remove`)
  const members = coerceMembers(value, fired)
  const out: MemberOp[] = op === 'replace' ? [{ kind: 'clear' }] : []
  if (members.length > 0) out.push({ kind: 'add', members })
  return out
}
