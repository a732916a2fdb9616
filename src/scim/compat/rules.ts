// Every leniency the server applies to what an IdP sends, named once (request log, journal, README).

/** One compatibility rule: where the RFC is bent for a client, and what the server does instead. */
export interface CompatRuleInfo {
  /** What the IdP sends. */
  sends: string
  /** What the server does with it (where RFC 7643/7644 would refuse it or mean something else). */
  does: string
}

/**
 * The catalogue. A rule is told to the request's sink each time it changes what was sent; input
 * that is already RFC-conformant fires nothing. The README's table lists the same rules (a test
 * keeps them equal).
 */
export const COMPAT_RULES = {
  // entra-wire.md §2.2 Q1
  'op-case': {
    sends: 'PATCH `"op": "Add"`, `"Replace"`, `"Remove"` (Entra)',
    does: 'reads the op name case-insensitively',
  },
  'empty-path': {
    sends: 'a PATCH operation with `"path": ""` or `"path": null`',
    does: 'treats it as an operation without a path',
  },
  'schemas-missing': {
    sends: 'a POST, PUT or PatchOp body without a `schemas` list',
    does: "accepts it (a resource's `schemas` is computed)",
  },
  // entra-wire.md §2.2 Q12
  'schemas-incomplete': {
    sends: 'a POST or PUT body whose `schemas` leaves out the core or an extension URN the body uses',
    does: 'accepts it and computes `schemas` from the body',
  },
  // entra-wire.md §1.11, §2.2 Q13
  'legacy-group-urn': {
    sends: "Entra's `http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group` in `schemas`",
    does: 'ignores it (`schemas` is computed)',
  },
  // entra-wire.md §2.1 (aadOptscim062020 "Replace multiple attributes")
  'path-key': {
    sends:
      '`name.givenName`, `urn:…:User:employeeNumber` or the core URN as a key of a body or path-less PATCH value, and `emails[type eq "work"].value` as a key of a path-less PATCH value (Entra with `aadOptscim062020`; a body names attributes, so a value path there is 400 `invalidPath`)',
    does: 'resolves the key as that attribute path',
  },
  // entra-wire.md §1.3 Example 2, §1.8
  'unqualified-extension': {
    sends: 'an extension attribute without its URN (`manager`, `employeeNumber`), in a body, a PATCH path or a filter',
    does: 'means the one extension that declares it',
  },
  // src/scim/schema/coerce.ts header (the undeclared-attribute policy)
  'undeclared-attribute': {
    sends:
      "an attribute no loaded schema declares (MediusFlow's `name.displayName`, an extension whose pack is not enabled)",
    does: 'stores it as sent, where a strict server would refuse it; it cannot be filtered on',
  },
  // elimity-com/scim internal/idp_test/testdata/okta/update_group_name.json
  'echoed-read-only': {
    sends: '`id`, `schemas`, `meta` or `groups` inside a path-less PATCH value (Okta)',
    does: 'ignores them instead of answering `mutability`',
  },
  // entra-wire.md §1.7, §2.2 Q2
  'bool-string': {
    sends:
      '`"True"` or `"False"` (any case) for a boolean such as `active`, also in a filter (`roles[primary eq "True"]`; Entra)',
    does: 'reads it as the boolean',
  },
  // entra-wire.md §1.8, §2.2 Q10
  'manager-string': {
    sends: 'the manager as a bare id string (Entra)',
    does: 'stores `{"value": id}`',
  },
  // entra-wire.md §1.8 "Example 5"
  'array-as-single': {
    sends: "a one-element array for a single-valued attribute (the manager in Entra's documentation)",
    does: 'stores the element',
  },
  'single-as-multi': {
    sends: 'a lone value for a multi-valued attribute (`"emails": {…}`, one member object)',
    does: 'stores a one-element list',
  },
  // entra-wire.md §1.6 (Microsoft's validator clears attributes with "")
  'empty-string': {
    sends: '`""` as a value (Microsoft\'s validator clears attributes with it)',
    does: 'treats it as unassigned: nothing stored, or the attribute cleared',
  },
  // entra-wire.md §1.11, §2.2 Q4
  'null-ref': {
    sends: '`"$ref": null` in member values (Entra)',
    does: 'drops the null `$ref`',
  },
  // entra-wire.md §1.6, §2.2 Q7, Q8
  'vpath-create': {
    sends: 'add or replace on `emails[type eq "work"].value` when no element matches (Entra)',
    does: "creates the element from the filter's `eq` tests instead of answering `noTarget`",
  },
  // entra-wire.md §2.4 (failed operations are retried every cycle)
  'vpath-no-match': {
    sends: "remove, or a clearing replace, on a value path that matches nothing (Entra's retries)",
    does: 'succeeds without a change instead of answering `noTarget`',
  },
  // entra-wire.md §1.11, §2.2 Q3; azure-docs#30826
  'remove-by-value': {
    sends: 'remove with path `members` (or another multi-valued attribute) and a `value` (Entra)',
    does: 'removes only the elements the value lists, never all of them',
  },
  // entra-wire.md §2.2 Q16 (an unquoted value in one Entra doc example)
  'filter-unquoted': {
    sends: 'a filter value without quotes (`externalId eq jyoung`, or `externalId eq 00271` on a string attribute)',
    does: 'reads it as the string written',
  },
  // entra-wire.md §1.5 (the matching filter Entra documents)
  'filter-vpath-sub': {
    sends: 'a filter `emails[type eq "work"].value eq "x"` (Entra\'s documented matching form)',
    does: 'reads it as `emails[type eq "work" and value eq "x"]`',
  },
} as const satisfies Record<string, CompatRuleInfo>

/** The name of one compatibility rule, as the request log and the journal give it. */
export type CompatRule = keyof typeof COMPAT_RULES

/** Every rule name, in catalogue order. */
export const COMPAT_RULE_NAMES = Object.keys(COMPAT_RULES) as CompatRule[]

/** Told each time a rule changes what the client sent; may be told the same rule more than once. */
export type CompatSink = (rule: CompatRule) => void
