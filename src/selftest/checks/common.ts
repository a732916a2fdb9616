// Steps several suites share: create a user as Entra does, read a resource, delete and confirm.
import { finishUserBody, getKey } from '../entra'
import { expectStatus, fail, idOf, objectBody } from '../expect'
import type { Exchange, Session } from '../session'
import { URN_ENTERPRISE, type ScimObject } from '../wire'

export interface Created {
  id: string
  name: string
  /** The 201 exchange itself, for checks on its headers. */
  response: Exchange
}

/** A value an earlier check of the suite set; a suite skips the rest after a failure, so it is there. */
export function need<T>(value: T | undefined): T {
  if (value === undefined) fail('an earlier check left nothing to work on')
  return value
}

/** `POST /Users` with Entra's body for a fresh user (entra-wire §1.3); tracked for clean-up. */
export async function createEntraUser(s: Session, role: string): Promise<Created> {
  const name = s.name(role)
  const body = finishUserBody(
    {
      externalId: name,
      userName: `${name}@selftest.invalid`,
      active: true,
      displayName: `Selftest ${role}`,
      emails: [{ type: 'work', value: `${name}@selftest.invalid` }],
      name: { givenName: 'Selftest', familyName: role },
      [URN_ENTERPRISE]: { employeeNumber: name, department: 'Selftest' },
    },
    true
  )
  return create(s, '/Users', body)
}

/** POSTs `body`, expects 201 with an id, and tracks the new resource. */
export async function create(s: Session, collection: string, body: ScimObject): Promise<Created> {
  const x = await s.send('POST', collection, body)
  expectStatus(x, 201)
  const id = idOf(x)
  s.track(`${collection}/${id}`)
  const name = getKey(body, 'userName') ?? getKey(body, 'displayName')
  return { id, name: String(name), response: x }
}

export async function read(s: Session, path: string): Promise<ScimObject> {
  const x = await s.send('GET', path)
  expectStatus(x, 200)
  return objectBody(x)
}

/** PATCH with the given body; RFC 7644 §3.5.2 allows 200 with the resource or 204. */
export async function patch(s: Session, path: string, body: unknown): Promise<void> {
  expectStatus(await s.send('PATCH', path, body), 200, 204)
}

/** DELETE answers 204 (RFC 7644 §3.6) and a later GET answers 404. */
export async function deleteAndGone(s: Session, path: string): Promise<void> {
  expectStatus(await s.send('DELETE', path), 204, 200)
  s.untrack(path)
  const after = await s.send('GET', path)
  if (after.status !== 404) fail(`GET ${path} after its DELETE answered ${after.status}, expected 404`)
}

/** The ids in a group's `members`. */
export function memberIds(group: ScimObject): string[] {
  const members = getKey(group, 'members')
  return Array.isArray(members) ? members.map((m) => String(getKey(m, 'value'))) : []
}

/** The value of the `type: work` email. */
export function workEmail(user: ScimObject): unknown {
  const emails = getKey(user, 'emails')
  if (!Array.isArray(emails)) return undefined
  const work = emails.find((e) => String(getKey(e, 'type')).toLowerCase() === 'work')
  return getKey(work, 'value')
}
