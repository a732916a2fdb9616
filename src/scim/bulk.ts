// RFC 7644 §3.7 bulk requests: the envelope, bulkId references, and the order to run operations in.
import { URN_BULK_REQUEST } from './constants'
import { isObject } from './document'
import { ScimError } from './errors'

export type BulkMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface BulkOperation {
  /** Position in the request, 0-based; answers are reported in this order. */
  index: number
  method: BulkMethod
  bulkId?: string
  /** An ETag for If-Match (RFC 7644 §3.7: `version`). */
  version?: string
  path: string
  data?: unknown
  /** bulkIds this operation's path or data refers to (`bulkId:<id>`). */
  refs: Set<string>
}

export interface BulkRequest {
  /** Stop after this many errors (RFC 7644 §3.7.3); undefined runs every operation. */
  failOnErrors?: number
  operations: BulkOperation[]
}

const METHODS = new Set<string>(['POST', 'PUT', 'PATCH', 'DELETE'])
const REF_PREFIX = 'bulkId:'

/**
 * Reads a BulkRequest body. Envelope mistakes fail the whole request (400); more operations than
 * `maxOperations` is 413 (RFC 7644 §3.7.4). Problems of one operation are left to the plan.
 */
export function parseBulkRequest(body: unknown, maxOperations: number): BulkRequest {
  if (!isObject(body)) throw ScimError.invalidSyntax('a bulk request is a JSON object')
  const schemas = body.schemas
  if (!Array.isArray(schemas) || !schemas.includes(URN_BULK_REQUEST)) {
    throw ScimError.invalidSyntax(`a bulk request lists ${URN_BULK_REQUEST} in schemas`)
  }
  const ops = body.Operations
  if (!Array.isArray(ops) || ops.length === 0)
    throw ScimError.invalidSyntax('a bulk request needs a non-empty Operations array')
  if (ops.length > maxOperations) {
    throw ScimError.payloadTooLarge(
      `a bulk request may hold ${maxOperations} operations (maxOperations); this one has ${ops.length}`
    )
  }
  const fail = body.failOnErrors
  if (fail !== undefined && (typeof fail !== 'number' || !Number.isInteger(fail) || fail < 1)) {
    throw ScimError.invalidValue('failOnErrors must be a positive integer')
  }
  return { failOnErrors: fail as number | undefined, operations: ops.map(readOperation) }
}

function readOperation(raw: unknown, index: number): BulkOperation {
  const where = `Operations[${index}]`
  if (!isObject(raw)) throw ScimError.invalidSyntax(`${where} is not an object`)
  const method = typeof raw.method === 'string' ? raw.method.toUpperCase() : ''
  if (!METHODS.has(method)) throw ScimError.invalidValue(`${where}.method must be POST, PUT, PATCH or DELETE`)
  if (typeof raw.path !== 'string' || !raw.path.startsWith('/'))
    throw ScimError.invalidValue(`${where}.path must be a path such as /Users`)
  for (const key of ['bulkId', 'version'] as const) {
    if (raw[key] !== undefined && (typeof raw[key] !== 'string' || raw[key] === ''))
      throw ScimError.invalidValue(`${where}.${key} must be a non-empty string`)
  }
  if (method === 'POST' && raw.bulkId === undefined)
    throw ScimError.invalidValue(`${where}: a POST needs a bulkId (RFC 7644 §3.7)`)
  const refs = new Set<string>()
  const inPath = pathRef(raw.path)
  if (inPath !== undefined) refs.add(inPath)
  collectRefs(raw.data, refs)
  return {
    index,
    method: method as BulkMethod,
    bulkId: raw.bulkId as string | undefined,
    version: raw.version as string | undefined,
    path: raw.path,
    data: raw.data,
    refs,
  }
}

/** The bulkId a path's last segment names (`/Groups/bulkId:x`), if any. */
function pathRef(path: string): string | undefined {
  const at = path.lastIndexOf(`/${REF_PREFIX}`)
  return at < 0 ? undefined : path.slice(at + 1 + REF_PREFIX.length)
}

/** Every string value of `data` that is a whole `bulkId:<id>`; iterative, so depth cannot overflow the stack. */
function collectRefs(data: unknown, into: Set<string>): void {
  const stack = [data]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v === 'string') {
      if (v.startsWith(REF_PREFIX)) into.add(v.slice(REF_PREFIX.length))
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item)
    } else if (isObject(v)) {
      for (const item of Object.values(v)) stack.push(item)
    }
  }
}

export interface BulkPlan {
  /** Operation indexes in the order to run them: each after the POSTs whose bulkIds it uses. */
  order: number[]
  /** Operations that cannot run at all, with the error each answers. */
  refused: Map<number, ScimError>
}

/**
 * Orders operations so that a reference to `bulkId:x` runs after the POST that creates x, forward
 * references included (Kahn's algorithm, request order among the ready ones). A reference to a
 * bulkId no POST defines is 400; operations on a cycle of references, and those that depend on
 * one, are refused with 409 (RFC 7644 §3.7.1 lets the server stop instead of breaking the cycle).
 */
export function planBulk(request: BulkRequest): BulkPlan {
  const ops = request.operations
  const refused = new Map<number, ScimError>()
  const definedBy = new Map<string, number>()
  for (const op of ops) {
    if (op.bulkId === undefined || op.method !== 'POST') continue
    if (definedBy.has(op.bulkId))
      refused.set(op.index, ScimError.invalidValue(`bulkId ${op.bulkId} is used by two operations`))
    else definedBy.set(op.bulkId, op.index)
  }
  const dependsOn = ops.map(() => new Set<number>())
  const dependents = ops.map(() => [] as number[])
  for (const op of ops) {
    for (const ref of op.refs) {
      const definer = definedBy.get(ref)
      if (definer === undefined) {
        if (!refused.has(op.index))
          refused.set(op.index, ScimError.invalidValue(`bulkId:${ref} is not the bulkId of a POST in this request`))
      } else if (definer === op.index) {
        refused.set(op.index, circular([op.bulkId ?? ref]))
      } else if (!dependsOn[op.index]!.has(definer)) {
        dependsOn[op.index]!.add(definer)
        dependents[definer]!.push(op.index)
      }
    }
  }
  const waiting = dependsOn.map((d) => d.size)
  const ready = ops.filter((op) => waiting[op.index] === 0).map((op) => op.index)
  const order: number[] = []
  while (ready.length > 0) {
    ready.sort((a, b) => a - b)
    const next = ready.shift()!
    order.push(next)
    for (const d of dependents[next]!) if (--waiting[d]! === 0) ready.push(d)
  }
  // Whatever never became ready waits on a cycle, directly or through an operation that does.
  for (const op of ops) {
    if (waiting[op.index]! > 0 && !refused.has(op.index))
      refused.set(op.index, circular(cycleThrough(op.index, dependsOn, ops)))
  }
  return { order: order.concat(ops.filter((op) => waiting[op.index]! > 0).map((op) => op.index)), refused }
}

function circular(ids: string[]): ScimError {
  return new ScimError(
    409,
    `circular bulkId references (${ids.map((id) => `bulkId:${id}`).join(' → ')}) are not resolved; split the request`
  )
}

/** The bulkIds along the first cycle reached from `start` through unresolved dependencies. */
function cycleThrough(start: number, dependsOn: Set<number>[], ops: readonly BulkOperation[]): string[] {
  const path: number[] = []
  let at = start
  while (!path.includes(at)) {
    path.push(at)
    const next = [...dependsOn[at]!][0]
    if (next === undefined) break
    at = next
  }
  const loop = path.slice(path.indexOf(at))
  return [...loop, at].map((i) => ops[i]!.bulkId ?? `#${i}`)
}

/** `data` with every whole-string `bulkId:<id>` replaced by the id its POST created. */
export function resolveRefs<T>(data: T, ids: ReadonlyMap<string, string>): T {
  if (typeof data === 'string')
    return (data.startsWith(REF_PREFIX) ? (ids.get(data.slice(REF_PREFIX.length)) ?? data) : data) as T
  if (Array.isArray(data)) return data.map((v) => resolveRefs(v, ids)) as T
  if (isObject(data)) return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, resolveRefs(v, ids)])) as T
  return data
}

/** `path` with a last segment `bulkId:<id>` replaced by the created id. */
export function resolvePathRef(path: string, ids: ReadonlyMap<string, string>): string {
  const ref = pathRef(path)
  const id = ref === undefined ? undefined : ids.get(ref)
  return id === undefined ? path : `${path.slice(0, path.length - ref!.length - REF_PREFIX.length)}${id}`
}
