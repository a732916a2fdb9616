// POST /Bulk (RFC 7644 §3.7): each operation runs through the service it would reach if sent alone.
import { parseBulkRequest, planBulk, resolvePathRef, resolveRefs, type BulkOperation } from '../scim/bulk'
import { URN_BULK_RESPONSE } from '../scim/constants'
import { ScimError, quoted, type ScimErrorBody } from '../scim/errors'
import { ElementBudget } from '../scim/limits'
import { locationOf } from '../scim/render'
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps } from './context'
import { createResource } from './create'
import type { Effect } from './effect'
import { deleteResource } from './delete'
import { patchResource } from './patch'
import { replaceResource } from './replace'
import type { RequestInfo, ServiceResult } from './result'

/** One entry of a BulkResponse's Operations (RFC 7644 §3.7.3). */
interface BulkAnswer {
  method: string
  bulkId?: string
  version?: string
  location?: string
  status: string
  response?: ScimErrorBody
}

/**
 * Runs a bulk request. Operations run one by one, each atomic on its own and answered on its own
 * (a failure rolls back only that operation), in an order where every `bulkId:x` reference follows
 * the POST that creates x. With `failOnErrors`, processing stops once that many have failed; the
 * operations not run are left out of the answer. Each operation passes the checks it would pass
 * alone (validation, uniqueness, If-Match from its `version`).
 */
export function* runBulk(
  deps: ServiceDeps,
  body: unknown,
  req: RequestInfo,
  maxOperations: number
): Effect<ServiceResult> {
  const request = parseBulkRequest(body, maxOperations)
  const plan = planBulk(request)
  const createdIds = new Map<string, string>()
  const answers = new Map<number, BulkAnswer>()
  let errors = 0
  // One request, one limit: its PATCHes share the element budget a PATCH sent alone has.
  const shared: RequestInfo = { ...req, elementBudget: new ElementBudget(deps.settings.limits) }
  for (const index of plan.order) {
    if (request.failOnErrors !== undefined && errors >= request.failOnErrors) break
    const op = request.operations[index]!
    let answer: BulkAnswer
    try {
      const refused = plan.refused.get(index) ?? dependencyFailure(op, createdIds)
      if (refused) throw refused
      answer = yield* runOne(deps, op, createdIds, shared)
    } catch (caught) {
      // Not a SCIM error: a 500 for this operation only (RFC 7644 §3.7.3), logged as a 500 is;
      // the operations before it are committed and those after it still run.
      const err = caught instanceof ScimError ? caught : internalFailure(req, caught)
      const location = op.method === 'POST' ? undefined : yield* existingLocation(deps, op, createdIds, req.base)
      answer = {
        method: op.method,
        ...(op.bulkId ? { bulkId: op.bulkId } : {}),
        ...(location ? { location } : {}),
        status: String(err.status),
        response: err.toJSON(),
      }
    }
    if (Number(answer.status) >= 400) errors++
    answers.set(index, answer)
  }
  const inRequestOrder = [...answers.keys()].sort((a, b) => a - b).map((i) => answers.get(i)!)
  return { status: 200, body: { schemas: [URN_BULK_RESPONSE], Operations: inRequestOrder } }
}

function internalFailure(req: RequestInfo, err: unknown): ScimError {
  return req.internalError?.(err) ?? new ScimError(500, 'internal server error')
}

/**
 * RFC 7644 §3.7.3: `location` is required in every answer but a failed POST's, so a failed PUT,
 * PATCH or DELETE names the resource it addressed, when that resource exists. A path naming no
 * resource (unknown id, an uncreated bulkId, a malformed path) has no URL to give, and its text is
 * never echoed back whole.
 */
function* existingLocation(
  deps: ServiceDeps,
  op: BulkOperation,
  createdIds: ReadonlyMap<string, string>,
  base: string
): Effect<string | undefined> {
  // Whatever fails here (the path, or the read after a failure of the store) leaves location out:
  // the operation's own answer is what the client needs.
  try {
    const { type, id } = target(deps, resolvePathRef(op.path, createdIds), op.method)
    const row = id === undefined ? undefined : yield* deps.store.get(type, id)
    return row ? locationOf(base, type, row.id) : undefined
  } catch {
    return undefined
  }
}

/**
 * The plan runs an operation after the POST of each bulkId it refers to, so a bulkId not created
 * by now is one whose POST failed. Only that POST decides it: a second POST of the bulkId (refused)
 * or another method carrying it failing says nothing about the resource the reference names.
 */
function dependencyFailure(op: BulkOperation, created: ReadonlyMap<string, string>): ScimError | undefined {
  const ref = [...op.refs].find((r) => !created.has(r))
  return ref === undefined
    ? undefined
    : new ScimError(409, `bulkId:${ref} was not created, so this operation that refers to it did not run`)
}

function* runOne(
  deps: ServiceDeps,
  op: BulkOperation,
  createdIds: Map<string, string>,
  req: RequestInfo
): Effect<BulkAnswer> {
  const { type, id } = target(deps, resolvePathRef(op.path, createdIds), op.method)
  // Each operation is journaled on its own, under the bulk request's token and request id.
  const info: RequestInfo = {
    base: req.base,
    ifMatch: op.version,
    compat: req.compat,
    actor: req.actor,
    requestId: req.requestId,
    firedCompat: req.firedCompat,
    elementBudget: req.elementBudget,
  }
  const data = resolveRefs(op.data, createdIds)
  let result: ServiceResult
  switch (op.method) {
    case 'POST':
      result = yield* createResource(deps, type, data, info)
      break
    case 'PUT':
      result = yield* replaceResource(deps, type, id!, data, info)
      break
    case 'PATCH':
      result = yield* patchResource(deps, type, id!, data, info)
      break
    case 'DELETE':
      result = yield* deleteResource(deps, type, id!, info)
      break
  }
  const createdId = op.method === 'POST' ? (result.body as { id: string }).id : id!
  if (op.method === 'POST' && op.bulkId) createdIds.set(op.bulkId, createdId)
  const answer: BulkAnswer = {
    method: op.method,
    location: locationOf(req.base, type, createdId),
    status: String(result.status),
  }
  if (op.bulkId) answer.bulkId = op.bulkId
  const etag = result.headers?.etag
  if (etag && op.method !== 'DELETE') answer.version = etag
  return answer
}

/** The resource type and id an operation's path names: `/Users` for POST, `/Users/{id}` otherwise. */
function target(deps: ServiceDeps, path: string, method: BulkOperation['method']): { type: ResourceType; id?: string } {
  // A path names a resource (RFC 7644 §3.7): a query would be read as part of the id, and a PUT
  // to `/Users/{id}?attributes=x` answered 404 for a user that exists.
  if (/[?#]/.test(path))
    throw ScimError.invalidPath(
      `${quoted(path)} is a resource path, with no query or fragment: /Users, /Groups/{id}, …`
    )
  const [, endpoint = '', id, ...rest] = path.split('/')
  const type = deps.registry.resourceTypes.find((t) => t.endpoint.toLowerCase() === `/${endpoint.toLowerCase()}`)
  if (!type || rest.length > 0)
    throw ScimError.invalidPath(`${quoted(path)} is not a resource endpoint (/Users, /Groups/{id}, …)`)
  if (method === 'POST' && id !== undefined)
    throw ScimError.invalidPath(`a POST goes to ${type.endpoint}, not to ${quoted(path)}`)
  if (method !== 'POST' && !id) throw ScimError.invalidPath(`a ${method} needs a resource id: ${type.endpoint}/{id}`)
  return { type, id }
}
