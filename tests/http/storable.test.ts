// Over HTTP: nothing a later path or reader cannot handle is stored, at any depth of an undeclared value.
import { describe, expect, test } from 'bun:test'
import { makeTestApp } from '../helpers/app'
import { attribute } from '../helpers/schema'
import { expectScimError, readJson } from '../helpers/scim'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

describe('stored documents', () => {
  // RFC 7643 §3: a resource's schemas are its type's core schema and that type's extensions. Taken
  // as an undeclared extension, a Group's core URN on a User was stored, listed in `schemas`, and
  // then refused by every filter naming it.
  const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
  test.each([
    ['POST', '/scim/v2/Users', { schemas: [USER], userName: 'g@x', [GROUP]: { displayName: 'Admins' } }],
    ['POST', '/scim/v2/Users', { schemas: [USER], userName: 'g@x', [`${GROUP}:displayName`]: 'Admins' }],
    ['POST', '/scim/v2/Groups', { schemas: [GROUP], displayName: 'u', [USER]: { userName: 'alice' } }],
    ['POST', '/scim/v2/Users', { schemas: [USER], userName: 'g@x', [`${USER.slice(0, -4)}Schema`]: { id: 'x' } }],
  ])(
    '%s %s with another core schema as a key is 400 invalidPath, and nothing is stored',
    async (method, path, body) => {
      const t = makeTestApp()
      await expectScimError(await t.request(method, path, body), 400, 'invalidPath')
      expect((await readJson(await t.request('GET', path))).totalResults).toBe(0)
    }
  )

  test('keys naming one attribute twice with different values are 400 invalidSyntax on POST and in a pathless PATCH', async () => {
    const t = makeTestApp()
    await expectScimError(
      await t.request('POST', '/scim/v2/Users', { schemas: [USER], userName: 'casedup-a', USERNAME: 'casedup-b' }),
      400,
      'invalidSyntax'
    )
    expect((await readJson(await t.request('GET', '/scim/v2/Users'))).totalResults).toBe(0)
    const created = await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [USER], userName: 'd@x' }))
    await expectScimError(
      await t.request('PATCH', `/scim/v2/Users/${created.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', value: { displayName: 'one', DISPLAYNAME: 'two' } }],
      }),
      400,
      'invalidSyntax'
    )
    const after = await readJson(await t.request('GET', `/scim/v2/Users/${created.id}`))
    expect([after.displayName, after.meta.version]).toEqual([undefined, created.meta.version])
  })

  test('a PATCH path or pathless value under another core schema is 400 invalidPath, and nothing changes', async () => {
    const t = makeTestApp()
    const created = await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [USER], userName: 'p@x' }))
    for (const op of [
      { op: 'add', path: `${GROUP}:displayName`, value: 'x' },
      { op: 'add', value: { [GROUP]: { displayName: 'x' } } },
    ])
      await expectScimError(
        await t.request('PATCH', `/scim/v2/Users/${created.id}`, { schemas: [PATCH_OP], Operations: [op] }),
        400,
        'invalidPath'
      )
    const after = await readJson(await t.request('GET', `/scim/v2/Users/${created.id}`))
    expect(after.schemas).toEqual([USER])
    expect(after.meta.version).toBe(created.meta.version)
  })

  test('a bracketed key inside an undeclared value is 400 invalidPath on POST and PATCH, and nothing is stored', async () => {
    const t = makeTestApp()
    await expectScimError(
      await t.request('POST', '/scim/v2/Users', { schemas: [USER], userName: 'j@x', x: { 'emails[type eq "w"]': 1 } }),
      400,
      'invalidPath'
    )
    const created = await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [USER], userName: 'k@x' }))
    await expectScimError(
      await t.request('PATCH', `/scim/v2/Users/${created.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', value: { x: { 'a[b': 'Z' } } }],
      }),
      400,
      'invalidPath'
    )
    const after = await readJson(await t.request('GET', `/scim/v2/Users/${created.id}`))
    expect(after.x).toBeUndefined()
    expect(after.meta.version).toBe(created.meta.version)
    expect((await readJson(await t.request('GET', '/scim/v2/Users'))).totalResults).toBe(1)
  })

  test.each(['\\ud800@y', '\\u0000z'])('userName %s (a lone surrogate, NUL) is 400 invalidValue', async (escaped) => {
    const t = makeTestApp()
    const body = `{"schemas":["${USER}"],"userName":"${escaped}"}`
    await expectScimError(await t.request('POST', '/scim/v2/Users', body), 400, 'invalidValue')
  })

  // `urn:x:y` reads as attribute `y` of URN `urn:x`, and `urn:x` is no attribute path: once stored, no
  // later PUT, PATCH or import could name it again.
  test.each(['urn:x:y', 'urn:x:1.0:y'])(
    'a key %s whose holder no path can name is 400 invalidPath on every write',
    async (key) => {
      const t = makeTestApp()
      await expectScimError(
        await t.request('POST', '/scim/v2/Users', { schemas: [USER], userName: 'a@x', [key]: 5 }),
        400,
        'invalidPath'
      )
      const created = await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [USER], userName: 'b@x' }))
      const at = `/scim/v2/Users/${created.id}`
      await expectScimError(
        await t.request('PUT', at, { schemas: [USER], userName: 'b@x', [key]: [1, 2] }),
        400,
        'invalidPath'
      )
      for (const op of [
        { op: 'add', path: key, value: 5 },
        { op: 'replace', value: { [key]: 'v' } },
      ]) {
        await expectScimError(
          await t.request('PATCH', at, { schemas: [PATCH_OP], Operations: [op] }),
          400,
          'invalidPath'
        )
      }
      const after = await readJson(await t.request('GET', at))
      expect(after.meta.version).toBe(created.meta.version)
      expect(Object.keys(after).filter((k) => k.startsWith('urn:x'))).toEqual([])
    }
  )

  test('extensions under a proper URN round-trip GET → PUT unchanged', async () => {
    const t = makeTestApp()
    const body = {
      schemas: [USER],
      userName: 'c@x',
      'urn:example:params:scim:schemas:extension:acme:2.0:User': { costCenter: 'x', tags: ['a'] },
      'urn:a:b:C': 5,
    }
    const created = await readJson(await t.request('POST', '/scim/v2/Users', body))
    expect(created['urn:a:b']).toEqual({ C: 5 })
    // As GET serves it: PostgreSQL's jsonb orders keys its own way, and `schemas` follows them.
    const before = await readJson(await t.request('GET', `/scim/v2/Users/${created.id}`))
    const put = await t.request('PUT', `/scim/v2/Users/${created.id}`, before)
    expect(put.status).toBe(200)
    expect(await readJson(put)).toEqual(before)
  })

  // JSON.parse reads 1e400 as Infinity, which JSON.stringify would store as null: export → import would change the user.
  test.each([
    '"undecl":1e400',
    '"undecl":{"a":[1,-1e999]}',
    '"urn:example:params:scim:schemas:extension:acme:2.0:User":{"n":1e400}',
    '"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"x":[1e400]}',
  ])('a non-finite number (%s) is 400 invalidValue on POST, PUT and PATCH, and nothing is stored', async (member) => {
    const t = makeTestApp()
    await expectScimError(
      await t.request('POST', '/scim/v2/Users', `{"schemas":["${USER}"],"userName":"a@x",${member}}`),
      400,
      'invalidValue'
    )
    const created = await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [USER], userName: 'b@x' }))
    const at = `/scim/v2/Users/${created.id}`
    await expectScimError(
      await t.request('PUT', at, `{"schemas":["${USER}"],"userName":"b@x",${member}}`),
      400,
      'invalidValue'
    )
    const patch = `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","value":{${member}}}]}`
    await expectScimError(await t.request('PATCH', at, patch), 400, 'invalidValue')
    expect((await readJson(await t.request('GET', at))).meta.version).toBe(created.meta.version)
    expect((await readJson(await t.request('GET', '/scim/v2/Users'))).totalResults).toBe(1)
  })

  test('a declared decimal or integer given 1e400 is 400 invalidValue, by the same check', async () => {
    const acme = 'urn:example:params:scim:schemas:extension:acme:2.0:User'
    const schema = { id: acme, attributes: [attribute('score', 'decimal'), attribute('badge', 'integer')] }
    const t = makeTestApp({ extraSchemas: [{ schema, resourceType: 'User' }] })
    for (const name of ['score', 'badge']) {
      const body = `{"schemas":["${USER}"],"userName":"${name}@x","${acme}":{"${name}":1e400}}`
      await expectScimError(await t.request('POST', '/scim/v2/Users', body), 400, 'invalidValue')
    }
  })

  test('-0 and 1e-400 are finite and stored as 0', async () => {
    const t = makeTestApp()
    const res = await t.request('POST', '/scim/v2/Users', `{"schemas":["${USER}"],"userName":"z@x","a":-0,"b":1e-400}`)
    const created = await readJson(res)
    expect(res.status).toBe(201)
    expect([created.a, created.b]).toEqual([0, 0])
  })

  // RFC 7643 §2.5: `[]` is unassigned for an undeclared attribute as for a declared one, on PATCH as on
  // POST and PUT: nothing is stored for it, so a PATCH that sets it where nothing was changes nothing.
  test.each([
    ['a path', [{ op: 'add', path: 'bar', value: [] }]],
    ['no path', [{ op: 'add', value: { bar: [] } }]],
    ['replace', [{ op: 'replace', path: 'bar', value: [] }]],
    ['an extension URN', [{ op: 'add', path: 'urn:x:y:bar', value: [] }]],
    ['an extension object', [{ op: 'add', path: 'urn:x:y', value: { bar: [] } }]],
    ['a sub-attribute', [{ op: 'add', path: 'bag.bar', value: [] }]],
  ])('PATCH of an undeclared [] (%s) stores nothing and changes nothing', async (_, ops) => {
    const t = makeTestApp()
    const created = await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [USER], userName: 'k@x' }))
    const res = await t.request('PATCH', `/scim/v2/Users/${created.id}`, { schemas: [PATCH_OP], Operations: ops })
    expect(res.status).toBe(200)
    const after = await readJson(await t.request('GET', `/scim/v2/Users/${created.id}`))
    expect(after.meta.version).toBe(created.meta.version)
    expect(await t.journal('default', 0, 10)).toHaveLength(1)
  })

  test('PATCH replacing an undeclared value with [] removes it, as null does', async () => {
    const t = makeTestApp()
    const body = { schemas: [USER], userName: 'k@x', bar: 'a', 'urn:x:y': { bar: 'b' }, bag: { bar: 'c', keep: 1 } }
    const created = await readJson(await t.request('POST', '/scim/v2/Users', body))
    const ops = ['bar', 'urn:x:y:bar', 'bag.bar'].map((path) => ({ op: 'replace', path, value: [] }))
    const res = await t.request('PATCH', `/scim/v2/Users/${created.id}`, { schemas: [PATCH_OP], Operations: ops })
    expect(res.status).toBe(200)
    const entries = await t.journal('default', 0, 10)
    expect(entries).toHaveLength(2)
    // What the journal keeps is what is stored: the values are gone, no [] left in their place.
    expect(JSON.stringify(entries[1])).not.toContain('[]')
    const after = await readJson(await t.request('GET', `/scim/v2/Users/${created.id}`))
    expect([after.bar, after['urn:x:y'], after.bag]).toEqual([undefined, undefined, { keep: 1 }])
  })
})
