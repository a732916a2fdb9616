// RFC 7644 §3.14 versioning: If-Match (412 on mismatch) and If-None-Match (304) with weak ETags.
import { ScimError, quoted } from '../scim/errors'

/** Weak comparison (RFC 7232 §2.3.2): W/ prefixes do not matter; `*` matches any version. */
function matchesAny(header: string, etag: string): boolean {
  const current = etag.replace(/^W\//, '')
  return header.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t.replace(/^W\//, '') === current
  })
}

export function checkIfMatch(header: string | undefined, etag: string): void {
  if (header !== undefined && header.trim() !== '' && !matchesAny(header, etag)) {
    throw ScimError.preconditionFailed(`resource version is ${etag}, not ${quoted(header)}`)
  }
}

export function notModified(header: string | undefined, etag: string): boolean {
  return header !== undefined && header.trim() !== '' && matchesAny(header, etag)
}
