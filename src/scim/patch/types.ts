// RFC 7644 §3.5.2 PATCH operations after envelope validation and IdP-quirk normalisation.
import type { PatchPath } from '../filter/ast'

/** One normalised PATCH operation; `index` is its position in the request's `Operations`. */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace'
  path?: PatchPath
  value?: unknown
  /** Index in the request's `Operations` array. */
  index: number
  /** The path text as sent, for error messages. */
  rawPath?: string
}
