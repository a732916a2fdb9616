// seed(): creates test data through the POST service (createResource), all of a call or none of it.
import { isObject } from '../scim/document'
import { ScimError } from '../scim/errors'
import { checkDepth } from '../scim/limits'
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps } from '../service/context'
import { createResource } from '../service/create'
import { deleteResource } from '../service/delete'
import { run } from '../service/effect'
import type { ScimResource, SeededResources, SeedInput } from './types'

function typeNamed(deps: ServiceDeps, name: string): ResourceType {
  const type = deps.registry.resourceType(name)
  if (!type) throw new Error(`resource type ${name} is not registered`)
  return type
}

/**
 * seed's argument as plain JavaScript may pass it: refused in one line naming what it takes, where
 * null was 'bodies.entries is not a function' and { userz: […] } seeded nothing without a word.
 */
function checkInput(input: unknown): void {
  const takes = 'seed() takes { users?: [...], groups?: [...] }'
  if (!isObject(input)) throw new TypeError(`${takes}, got ${input === null ? 'null' : typeof input}`)
  for (const [key, value] of Object.entries(input)) {
    if (key !== 'users' && key !== 'groups') throw new TypeError(`${takes}, not '${key}'`)
    if (value !== undefined && !Array.isArray(value)) throw new TypeError(`${takes}: ${key} must be an array`)
  }
}

/**
 * Creates `input.users`, then `input.groups`, in order. The first rejection deletes what this call
 * created (newest first) and rethrows the ScimError with the failing entry named in its detail.
 */
export async function seedResources(deps: ServiceDeps, base: string, input: SeedInput): Promise<SeededResources> {
  checkInput(input)
  const done: { type: ResourceType; id: string }[] = []
  const created: SeededResources = { users: [], groups: [] }
  const batches = [
    { key: 'users', type: typeNamed(deps, 'User'), bodies: input.users ?? [] },
    { key: 'groups', type: typeNamed(deps, 'Group'), bodies: input.groups ?? [] },
  ] as const
  for (const { key, type, bodies } of batches) {
    for (const [index, body] of bodies.entries()) {
      try {
        // As a request body is held to --max-depth before it is parsed (http/plugins/scim-json.ts):
        // seed's objects never were text, and one nested 1,000 levels deep reached SQLite.
        const text = JSON.stringify(body) ?? ''
        checkDepth(text, deps.settings.limits, 'the resource')
        // And to the byte bound a request body is held to (a 413 over HTTP).
        if (Buffer.byteLength(text) > deps.settings.limits.maxRequestBytes)
          throw ScimError.payloadTooLarge(`the resource is larger than ${deps.settings.limits.maxRequestBytes} bytes`)
        const result = await run(createResource(deps, type, body, { base }))
        const resource = result.body as ScimResource
        done.push({ type, id: resource.id })
        created[key].push(resource)
      } catch (err) {
        for (const { type: t, id } of done.reverse()) await run(deleteResource(deps, t, id, { base }))
        if (!(err instanceof ScimError)) throw err
        throw new ScimError(err.status, `seed ${key}[${index}]: ${err.message}`, err.scimType, { cause: err })
      }
    }
  }
  return created
}
