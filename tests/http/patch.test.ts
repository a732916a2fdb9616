// PATCH over HTTP: atomicity, errors that name the operation, vendor packs typing values.
import { describe, expect, test } from 'bun:test'
import { makeTestApp } from '../helpers/app'
import { URN_USER, expectScimError, patchBody, readJson } from '../helpers/scim'

const ALERTMEDIA = 'urn:ietf:params:scim:schemas:extension:alertmedia:2.0:CustomAttribute:User'

describe('http PATCH', () => {
  test('all operations apply or none; the error names the failing index and path', async () => {
    const t = makeTestApp()
    const u = await readJson(
      await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'atom', title: 'Before' })
    )
    const res = await t.request(
      'PATCH',
      `/scim/v2/Users/${u.id}`,
      patchBody({ op: 'Replace', path: 'title', value: 'After' }, { op: 'Replace', path: 'active', value: 'maybe' })
    )
    const err = await expectScimError(res, 400, 'invalidValue')
    expect(err.detail).toContain('operation 1')
    expect(err.detail).toContain('active')
    const after = await readJson(await t.request('GET', `/scim/v2/Users/${u.id}`))
    expect(after.title).toBe('Before')
    expect(after.meta.version).toBe(u.meta.version)
  })

  test('invalid envelopes and paths get invalidSyntax / invalidPath', async () => {
    const t = makeTestApp()
    const u = await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'env' }))
    await expectScimError(await t.request('PATCH', `/scim/v2/Users/${u.id}`, patchBody()), 400, 'invalidSyntax')
    await expectScimError(
      await t.request('PATCH', `/scim/v2/Users/${u.id}`, patchBody({ op: 'Frobnicate', path: 'title', value: 'x' })),
      400,
      'invalidSyntax'
    )
    await expectScimError(
      await t.request(
        'PATCH',
        `/scim/v2/Users/${u.id}`,
        patchBody({ op: 'replace', path: 'emails[type eq ', value: 'x' })
      ),
      400,
      'invalidPath'
    )
    await expectScimError(
      await t.request('PATCH', `/scim/v2/Users/${u.id}`, patchBody({ op: 'replace', path: 'id', value: 'x' })),
      400,
      'mutability'
    )
    await expectScimError(
      await t.request('PATCH', `/scim/v2/Users/nope`, patchBody({ op: 'replace', path: 'title', value: 'x' })),
      404
    )
  })

  test('with a vendor pack a wrongly typed value is 400 invalidValue; without it, it is kept as sent', async () => {
    const body = { schemas: [URN_USER], userName: 'typed', [ALERTMEDIA]: { first_name: 42 } }
    await expectScimError(
      await makeTestApp({ schemaPacks: ['alertmedia'] }).request('POST', '/scim/v2/Users', body),
      400,
      'invalidValue'
    )
    const lenient = await readJson(await makeTestApp().request('POST', '/scim/v2/Users', body))
    expect(lenient[ALERTMEDIA]).toEqual({ first_name: 42 })
  })

  test('vendor attributes are filterable when their pack is enabled, and a 400 invalidFilter when not', async () => {
    const body = { schemas: [URN_USER], userName: 'v', [ALERTMEDIA]: { city: 'Austin' } }
    const withPack = makeTestApp({ schemaPacks: ['alertmedia'] })
    await withPack.request('POST', '/scim/v2/Users', body)
    const found = await readJson(
      await withPack.request('GET', `/scim/v2/Users?filter=${encodeURIComponent(`${ALERTMEDIA}:city eq "austin"`)}`)
    )
    expect(found.totalResults).toBe(1)
    const without = makeTestApp()
    await without.request('POST', '/scim/v2/Users', body)
    await expectScimError(
      await without.request('GET', `/scim/v2/Users?filter=${encodeURIComponent(`${ALERTMEDIA}:city eq "austin"`)}`),
      400,
      'invalidFilter'
    )
  })

  test('a PATCH that changes nothing keeps the version', async () => {
    const t = makeTestApp()
    const u = await readJson(
      await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'same', title: 'T' })
    )
    const res = await readJson(
      await t.request('PATCH', `/scim/v2/Users/${u.id}`, patchBody({ op: 'Replace', path: 'title', value: 'T' }))
    )
    expect(res.meta.version).toBe(u.meta.version)
  })
})
