// Request ids: a proxy's x-request-id when it is short and safe, else one of ours.
import { randomBytes } from 'node:crypto'

/** Letters, digits and `._:-`, at most 64: a UUID, a ULID, nginx's $request_id, AWS's trace ids. */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,64}$/

/**
 * Ours are 8 random hex characters for this process, a dash and a counter (`3fa91c2e-1a`):
 * unique across restarts without costing a random draw per request, and short enough to read
 * out from a 500's detail.
 */
const PROCESS_PREFIX = randomBytes(4).toString('hex')
let counter = 0

export function newRequestId(): string {
  counter += 1
  return `${PROCESS_PREFIX}-${counter.toString(36)}`
}

/** The id for a request that came with `incoming` (its x-request-id header, or null). */
export function requestId(incoming: string | null): string {
  return incoming !== null && SAFE_ID.test(incoming) ? incoming : newRequestId()
}
