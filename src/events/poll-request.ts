// The RFC 8936 poll request body, checked: maxEvents, returnImmediately, ack, setErrs.
import { ScimError } from '../scim/errors'

/** RFC 8936 error of one SET the recipient could not process. */
export interface SetError {
  err: string
  description?: string
}

export interface PollRequest {
  /** Absent: as many as the server returns in one response. */
  maxEvents?: number
  /** RFC 8936: false (long polling) unless the recipient asks for an immediate answer. */
  returnImmediately: boolean
  ack: string[]
  setErrs: Record<string, SetError>
}

/**
 * The most jtis one poll may acknowledge (`ack` and `setErrs` together): ten responses of the
 * default maxEvents. Each is checked against the journal inside the writer's transaction, so an
 * unbounded list (230,000 made-up jtis, 9.9 MB) held every other write for seconds.
 */
export const MAX_ACKS = 10_000

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * The object's members with null ones left out: null is unassigned in SCIM (RFC 7643 §2.5), and
 * client libraries that write every optional member send it for those they leave unset.
 */
function assigned(obj: Record<string, unknown>): Record<string, unknown> {
  // Spread defines own members, a `__proto__` one included; assignment would set the prototype.
  const out = { ...obj }
  for (const key of Object.keys(out)) if (out[key] === null) delete out[key]
  return out
}

/** The poll request in `body` (a request without a body is a poll with every default; an empty JSON body is refused before, as on every endpoint), or a 400 SCIM Error. */
export function parsePollRequest(body: unknown): PollRequest {
  if (body === undefined || body === null) return { returnImmediately: false, ack: [], setErrs: {} }
  if (!isObject(body)) throw ScimError.invalidSyntax('a poll request is a JSON object (RFC 8936)')
  const { maxEvents, returnImmediately = false, ack = [], setErrs = {} } = assigned(body)
  if (maxEvents !== undefined && !(Number.isSafeInteger(maxEvents) && (maxEvents as number) >= 0)) {
    throw ScimError.invalidValue('"maxEvents" must be a non-negative integer')
  }
  if (typeof returnImmediately !== 'boolean') throw ScimError.invalidValue('"returnImmediately" must be a boolean')
  if (!Array.isArray(ack) || !ack.every((jti) => typeof jti === 'string')) {
    throw ScimError.invalidValue('"ack" must be an array of jti strings')
  }
  if (!isObject(setErrs)) throw ScimError.invalidValue('"setErrs" must be an object keyed by jti')
  if (ack.length + Object.keys(setErrs).length > MAX_ACKS)
    throw ScimError.invalidValue(`a poll acknowledges at most ${MAX_ACKS} jtis ("ack" and "setErrs" together)`)
  const errors: Record<string, SetError> = {}
  for (const [jti, sent] of Object.entries(setErrs)) {
    const error = isObject(sent) ? assigned(sent) : undefined
    if (!error || typeof error.err !== 'string') {
      throw ScimError.invalidValue(`"setErrs" of ${JSON.stringify(jti)} must be an object with an "err" string`)
    }
    if (error.description !== undefined && typeof error.description !== 'string')
      throw ScimError.invalidValue(`"setErrs" of ${JSON.stringify(jti)} has a "description" that is not a string`)
    Object.defineProperty(errors, jti, { value: error, enumerable: true, writable: true, configurable: true })
  }
  return {
    maxEvents: maxEvents as number | undefined,
    returnImmediately,
    ack: ack as string[],
    setErrs: errors,
  }
}
