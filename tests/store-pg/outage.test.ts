// A PostgreSQL server that cannot be reached: every store entry point, reads as well as writes, answers 503.
import { describe, expect, test } from 'bun:test'
import { SQL } from 'bun'
import { drizzle } from 'drizzle-orm/bun-sql'
import { ScimError } from '../../src/scim/errors'
import type { StoredResource } from '../../src/service/context'
import { run, type Effect } from '../../src/service/effect'
import { createPgResourceStore } from '../../src/store-pg/resource-store'
import { builtinRegistry, typeOf } from '../helpers/generate'

const User = typeOf(builtinRegistry(), 'User')
const T0 = '2026-01-01T00:00:00.000Z'
const someone: StoredResource = {
  id: 'u1',
  type: 'User',
  data: { userName: 'u1' },
  version: 1,
  created: T0,
  lastModified: T0,
}

const failure = async (effect: () => Effect<unknown>) => {
  try {
    await run(effect())
  } catch (err) {
    return err
  }
  return undefined
}

describe('store-pg/resource-store while the server is down', () => {
  // Nothing listens on port 1: each connection attempt is refused at once.
  const client = new SQL('postgres://scim@127.0.0.1:1/none', { max: 1, connectionTimeout: 2 })
  const store = createPgResourceStore(drizzle({ client }))

  test('every read is a 503 ScimError (as writes are), never the driver error that would be a 500', async () => {
    // Each read made only when it is driven: a read's query starts when the store call is made.
    const reads: [string, () => Effect<unknown>][] = [
      ['get', () => store.get(User, 'u1')],
      ['findByName', () => store.findByName(User, 'u1')],
      ['findByExternalId', () => store.findByExternalId(User, 'x1')],
      ['query', () => store.query(User, { startIndex: 1, count: 10 })],
      ['query count=0', () => store.query(User, { startIndex: 1, count: 0 })],
      ['recentlyModified', () => store.recentlyModified(User, 5)],
      ['modifiedSince', () => store.modifiedSince(User, T0)],
      ['members', () => store.members('g1')],
      ['memberPage', () => store.memberPage('g1', 5)],
      ['groupsOf', () => store.groupsOf(someone)],
    ]
    for (const [name, effect] of reads) {
      const err = await failure(effect)
      expect({ name, error: err instanceof ScimError ? err.status : String(err) }).toEqual({ name, error: 503 })
    }
    const written = await store.write(function* () {}).catch((err: unknown) => err)
    expect((written as ScimError).status).toBe(503)
  })
})
