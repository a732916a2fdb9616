// RFC 7644 §3.4.2.2 filter AST and §3.5.2 PATCH path, as parsed (no schema knowledge yet).

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le'
export type CompValue = string | number | boolean | null

/**
 * An attribute path as written: `urn:…:User:name.givenName` → { uri, name: 'name', sub: 'givenName' }.
 * `uri` is everything before the last colon when the path is URN-qualified.
 */
export interface AttrPath {
  uri?: string
  name: string
  sub?: string
}

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; expr: FilterNode }
  | { kind: 'present'; path: AttrPath }
  /** `raw`: the text of an unquoted number or bare word, so a string attribute matches it as written (`externalId eq 00271`). */
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: CompValue; raw?: string }
  /**
   * `emails[type eq "work"]`: one element must satisfy the whole inner filter. `trailing` is the
   * sub-attribute of Entra's `emails[type eq "work"].value eq "x"`, already folded into `filter`.
   */
  | { kind: 'valuePath'; path: AttrPath; filter: FilterNode; trailing?: string }

/**
 * A PATCH path (RFC 7644 §3.5.2): `attrPath`, or `valuePath [ "." subAttr ]`.
 * `members[value eq "x"]` → { path: {name:'members'}, filter, sub: undefined }
 * `emails[type eq "work"].value` → { path: {name:'emails'}, filter, sub: 'value' }
 */
export interface PatchPath {
  path: AttrPath
  filter?: FilterNode
  /** Sub-attribute after a value filter (`].value`). */
  sub?: string
}
