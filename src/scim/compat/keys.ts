// The naming leniencies a body key or PATCH path needed to resolve (rules path-key, unqualified-extension).
import type { Target } from '../schema/resolve-key'
import type { CompatSink } from './rules'

/**
 * Reports how a key of a POST/PUT body or of a path-less PATCH value was read. RFC 7644 §3.5.2.3
 * makes such a value "a set of attributes", so a key that is a path (`name.givenName`, a
 * URN-qualified name, a value path, the core URN; Entra's `aadOptscim062020` dialect, entra-wire.md
 * §2.1) is `path-key`. An extension object under its own URN is plain RFC 7643 §3 and fires nothing.
 */
export function reportKey(key: string, t: Target, fired?: CompatSink): void {
  if (!fired) return
  const pathLike =
    t.kind === 'core' ||
    ((t.kind === 'attr' || t.kind === 'members') &&
      (t.filter !== undefined || t.sub !== undefined || key.includes(':')))
  if (pathLike) fired('path-key')
  reportUnqualified(key.toLowerCase().startsWith('urn:'), t, fired)
}

/**
 * An attribute named without its URN resolves to the one extension declaring it (`manager`,
 * `employeeNumber`); unqualified names mean the core schema in RFC 7644 §3.10, so that is a rule.
 */
export function reportUnqualified(qualified: boolean, t: Target, fired?: CompatSink): void {
  if (!qualified && t.kind === 'attr' && t.holderKey !== undefined) fired?.('unqualified-extension')
}
