// The naming leniencies a body key or PATCH path needed (path-key, unqualified-extension, undeclared-attribute).
import type { Target } from '../schema/resolve-key'
import type { CompatSink } from './rules'

/**
 * Reports how a key of a POST/PUT body or of a path-less PATCH value was read. RFC 7644 §3.5.2.3
 * makes such a value "a set of attributes", so a key that is a path (`name.givenName`, a
 * URN-qualified name, a value path, the core URN; Entra's `aadOptscim062020` dialect, entra-wire.md
 * §2.1) is `path-key`. An extension object under its own URN is plain RFC 7643 §3 and fires nothing.
 */
export function reportKey(key: string, t: Target, value: unknown, fired?: CompatSink): void {
  if (!fired) return
  const pathLike =
    t.kind === 'core' ||
    ((t.kind === 'attr' || t.kind === 'members') &&
      (t.filter !== undefined || t.sub !== undefined || key.includes(':')))
  if (pathLike) fired('path-key')
  reportTarget(key.toLowerCase().startsWith('urn:'), t, value, fired)
}

/**
 * What a resolved key or PATCH path names, whatever its spelling: an attribute named without its
 * URN that resolved into the one extension declaring it (`manager`, `employeeNumber`; unqualified
 * names mean the core schema in RFC 7644 §3.10), or a value for something no schema declares,
 * which is stored as sent (coerce.ts header). Clearing an undeclared attribute stores nothing, so
 * a null or "" value does not count.
 */
export function reportTarget(qualified: boolean, t: Target, value: unknown, fired?: CompatSink): void {
  if (!fired) return
  if (!qualified && t.kind === 'attr' && t.holderKey !== undefined && t.attr) fired('unqualified-extension')
  if (value === null || value === undefined || value === '') return
  const undeclared =
    (t.kind === 'attr' && (!t.attr || (t.sub !== undefined && !t.subAttr))) || (t.kind === 'extension' && !t.schema)
  if (undeclared) fired('undeclared-attribute')
}
