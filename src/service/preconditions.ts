// RFC 7644 §3.14 versioning: If-Match and If-None-Match with weak ETags, evaluated as RFC 7232 §6 orders them.
import { ScimError, quoted } from '../scim/errors'

/** The conditional headers of one request, as the HTTP layer read them. */
export interface Preconditions {
  ifMatch?: string
  ifNoneMatch?: string
}

/** Weak comparison (RFC 7232 §2.3.2): W/ prefixes do not matter; `*` matches any version. */
function matchesAny(header: string, etag: string): boolean {
  const current = etag.replace(/^W\//, '')
  return header.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t.replace(/^W\//, '') === current
  })
}

const given = (header: string | undefined): header is string => header !== undefined && header.trim() !== ''

/**
 * RFC 7232 §3.1: If-Match that names no current version fails on every method. An empty one
 * names none (its grammar is `"*" / 1#entity-tag`): taken as absent, a client that meant a
 * conditional write got an unconditional one.
 */
function checkIfMatch(header: string | undefined, etag: string): void {
  if (header !== undefined && !matchesAny(header, etag)) {
    throw ScimError.preconditionFailed(`resource version is ${etag}, not ${quoted(header)}`)
  }
}

/**
 * PUT, PATCH and DELETE: If-Match must name the current version, and If-None-Match must not
 * (RFC 7232 §3.2: a matching If-None-Match, `*` included, is 412 on a method other than GET/HEAD).
 */
export function checkWritePreconditions(req: Preconditions, etag: string): void {
  checkIfMatch(req.ifMatch, etag)
  if (given(req.ifNoneMatch) && matchesAny(req.ifNoneMatch, etag)) {
    throw ScimError.preconditionFailed(
      `resource version is ${etag}, which If-None-Match ${quoted(req.ifNoneMatch)} excludes`
    )
  }
}

/** GET and HEAD: a failed If-Match is 412; then a matching If-None-Match is 304 (true). */
export function notModified(req: Preconditions, etag: string): boolean {
  checkIfMatch(req.ifMatch, etag)
  return given(req.ifNoneMatch) && matchesAny(req.ifNoneMatch, etag)
}
