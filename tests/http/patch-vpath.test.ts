// PATCH replace on a value path over HTTP merges into the matched elements (RFC 7644 §3.5.2.3).
import { describe, expect, test } from 'bun:test'
import type { SchemaDocument } from '../../src/scim/schema/types'
import { makeTestApp, type TestApp } from '../helpers/app'
import { URN_USER, expectScimError, patchBody, readJson } from '../helpers/scim'
import { badgeAttribute } from '../scim/patch/registry'

const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User'
const acme: SchemaDocument = {
  id: ACME,
  attributes: [badgeAttribute('badges', true)],
}
const EMAILS = [
  { value: 'w@x.example', type: 'work', primary: true },
  { value: 'h@x.example', type: 'home' },
]

async function createUser(t: TestApp, body: Record<string, unknown>) {
  const res = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], ...body })
  expect(res.status).toBe(201)
  return readJson(res)
}

/** PATCHes, checks the 200 body, and returns what a later GET serves. */
async function patched(t: TestApp, id: string, ...ops: object[]) {
  const res = await t.request('PATCH', `/scim/v2/Users/${id}`, patchBody(...ops))
  expect(res.status).toBe(200)
  const body = await readJson(res)
  const after = await readJson(await t.request('GET', `/scim/v2/Users/${id}`))
  expect(after).toEqual(body)
  return after
}

describe('http PATCH replace emails[type eq "work"] merges into the element', () => {
  test.each([
    ['Entra default dialect', { op: 'Replace', path: 'emails[type eq "work"]', value: { primary: 'False' } }],
    ['RFC dialect', { op: 'replace', path: 'emails[type eq "work"]', value: { primary: false } }],
  ])('%s: {primary: false} keeps value and type', async (_n, op) => {
    const t = makeTestApp()
    const u = await createUser(t, { userName: 'merge', emails: EMAILS })
    const after = await patched(t, u.id, op)
    expect(after.emails).toEqual([
      { value: 'w@x.example', type: 'work', primary: false },
      { value: 'h@x.example', type: 'home' },
    ])
  })

  test('{primary: null} unassigns primary only; the email stays', async () => {
    const t = makeTestApp()
    const u = await createUser(t, { userName: 'nullprimary', emails: EMAILS })
    const after = await patched(t, u.id, { op: 'replace', path: 'emails[type eq "work"]', value: { primary: null } })
    expect(after.emails).toEqual([
      { value: 'w@x.example', type: 'work' },
      { value: 'h@x.example', type: 'home' },
    ])
  })

  test('in an extension: badges[color eq "red"] keeps number', async () => {
    const t = makeTestApp({ extraSchemas: [{ schema: acme, resourceType: 'User' }] })
    const u = await createUser(t, {
      userName: 'badged',
      schemas: [URN_USER, ACME],
      [ACME]: { badges: [{ number: '7', color: 'red' }] },
    })
    const after = await patched(t, u.id, {
      op: 'Replace',
      path: `${ACME}:badges[color eq "red"]`,
      value: { color: 'green' },
    })
    expect(after[ACME]).toEqual({ badges: [{ number: '7', color: 'green' }] })
  })

  test('clearing a required sub-attribute is 400 invalidValue and changes nothing', async () => {
    const t = makeTestApp({ extraSchemas: [{ schema: acme, resourceType: 'User' }] })
    const u = await createUser(t, {
      userName: 'required',
      schemas: [URN_USER, ACME],
      [ACME]: { badges: [{ number: '7', color: 'red' }] },
    })
    const res = await t.request(
      'PATCH',
      `/scim/v2/Users/${u.id}`,
      patchBody({ op: 'replace', path: `${ACME}:badges[color eq "red"]`, value: { number: null } })
    )
    await expectScimError(res, 400, 'invalidValue')
    const after = await readJson(await t.request('GET', `/scim/v2/Users/${u.id}`))
    expect(after.meta.version).toBe(u.meta.version)
    expect(after[ACME]).toEqual({ badges: [{ number: '7', color: 'red' }] })
  })
})
