// RFC 7644 §3.14 versioning: If-Match (412 on mismatch) and If-None-Match (304) with weak ETags.
import { ScimError } from '../scim/errors'
import { etagOf } from '../scim/render'

/** Weak comparison (RFC 7232 §2.3.2): W/ prefixes do not matter; `*` matches any version. */
function matchesAny(header: string, version: number): boolean {
  const current = etagOf(version).replace(/^W\//, '')
  return header.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t.replace(/^W\//, '') === current
  })
}

export function checkIfMatch(header: string | undefined, version: number): void {
  if (header !== undefined && header.trim() !== '' && !matchesAny(header, version)) {
    throw ScimError.preconditionFailed(`resource version is ${etagOf(version)}, not ${header}`)
  }
}

export function notModified(header: string | undefined, version: number): boolean {
  return header !== undefined && header.trim() !== '' && matchesAny(header, version)
}
