// RFC 7644 §3.12 error responses: one ScimError class, one factory per scimType.
import { URN_ERROR } from './constants'

export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  | 'invalidCursor'
  | 'expiredCursor'
  | 'invalidCount'

export type ScimStatus = 304 | 400 | 401 | 403 | 404 | 405 | 409 | 412 | 413 | 415 | 429 | 500 | 501 | 503

/** Which status each scimType may travel with (RFC 7644 §3.12 Table 9, §3.3, §7.5.2). */
const STATUS_OF_TYPE: Record<ScimType, ScimStatus> = {
  invalidFilter: 400,
  tooMany: 400,
  uniqueness: 409,
  mutability: 400,
  invalidSyntax: 400,
  invalidPath: 400,
  noTarget: 400,
  invalidValue: 400,
  invalidVers: 400,
  sensitive: 403,
  // RFC 9865 §2.2 (cursor paging).
  invalidCursor: 400,
  expiredCursor: 400,
  invalidCount: 400,
}

/** Most characters of client input an error detail echoes: enough to recognise, never a megabyte back. */
export const MAX_ECHO = 80

/**
 * Client text as an error detail shows it: JSON-quoted (control characters escaped), clipped to
 * MAX_ECHO characters with its full length noted, so a hostile input is never echoed whole.
 */
export function quoted(text: string): string {
  if (text.length <= MAX_ECHO) return JSON.stringify(text)
  return `${JSON.stringify(text.slice(0, MAX_ECHO))}… (${text.length} characters)`
}

export interface ScimErrorBody {
  schemas: [typeof URN_ERROR]
  status: string
  scimType?: ScimType
  detail: string
}

/** A client-caused failure; everything thrown as ScimError reaches the client as a SCIM Error body. */
export class ScimError extends Error {
  readonly status: ScimStatus
  readonly scimType?: ScimType

  constructor(status: ScimStatus, detail: string, scimType?: ScimType, options?: { cause?: unknown }) {
    super(detail, options)
    if (scimType && STATUS_OF_TYPE[scimType] !== status) {
      throw new TypeError(`scimType ${scimType} cannot travel with status ${status}`)
    }
    this.name = 'ScimError'
    this.status = status
    this.scimType = scimType
  }

  get detail(): string {
    return this.message
  }

  toJSON(): ScimErrorBody {
    const body: ScimErrorBody = { schemas: [URN_ERROR], status: String(this.status), detail: this.message }
    if (this.scimType) body.scimType = this.scimType
    return body
  }

  static invalidFilter(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidFilter')
  }
  static invalidSyntax(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidSyntax')
  }
  static invalidPath(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidPath')
  }
  static invalidValue(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidValue')
  }
  static noTarget(detail: string): ScimError {
    return new ScimError(400, detail, 'noTarget')
  }
  static mutability(detail: string): ScimError {
    return new ScimError(400, detail, 'mutability')
  }
  static tooMany(detail: string): ScimError {
    return new ScimError(400, detail, 'tooMany')
  }
  static invalidCursor(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidCursor')
  }
  static expiredCursor(detail: string): ScimError {
    return new ScimError(400, detail, 'expiredCursor')
  }
  static invalidCount(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidCount')
  }
  static uniqueness(detail: string): ScimError {
    return new ScimError(409, detail, 'uniqueness')
  }
  static notFound(detail: string): ScimError {
    return new ScimError(404, detail)
  }
  static unauthorized(detail = 'Authorization failure: a valid bearer token is required'): ScimError {
    return new ScimError(401, detail)
  }
  static preconditionFailed(detail: string): ScimError {
    return new ScimError(412, detail)
  }
  static methodNotAllowed(detail: string): ScimError {
    return new ScimError(405, detail)
  }
  static notImplemented(detail: string): ScimError {
    return new ScimError(501, detail)
  }
  static payloadTooLarge(detail: string): ScimError {
    return new ScimError(413, detail)
  }
  static unsupportedMediaType(detail: string): ScimError {
    return new ScimError(415, detail)
  }
}

/**
 * A reference (a member, a manager) to a resource that does not exist: 400 invalidValue. Its own
 * class because an import can cure it with a later line, and retries exactly these.
 */
export class UnknownReferenceError extends ScimError {
  constructor(detail: string) {
    super(400, detail, 'invalidValue')
    this.name = 'UnknownReferenceError'
  }
}
