// Rendering over HTTP as RFC 7643/7644 reads it: value-path attribute lists, empty multi-valued attributes, /Schemas labels.
import { describe, expect, test } from 'bun:test'
import { makeTestApp, type TestApp } from '../helpers/app'
import { URN_ENTERPRISE, URN_GROUP, URN_USER, expectScimError, patchBody, readJson } from '../helpers/scim'

const EMAILS = [
  { value: 'b@work.example', type: 'work', primary: true },
  { value: 'b@home.example', type: 'home' },
  { value: 'b,comma@other.example', type: 'other', display: 'Other' },
]

async function user(t: TestApp, extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await t.request('POST', '/scim/v2/Users', {
    schemas: [URN_USER, URN_ENTERPRISE],
    userName: 'bjensen',
    emails: EMAILS,
    [URN_ENTERPRISE]: { department: 'Sales' },
    ...extra,
  })
  expect(res.status).toBe(201)
  return readJson(res)
}

const q = (name: string, value: string) => `${name}=${encodeURIComponent(value)}`

describe('http attributes/excludedAttributes with a value filter', () => {
  test('attributes=emails[type eq "work"] returns the matching elements only, with the always-returned attributes', async () => {
    const t = makeTestApp()
    const u = await user(t)
    const body = await readJson(
      await t.request('GET', `/scim/v2/Users/${u.id}?${q('attributes', 'emails[type eq "work"]')}`)
    )
    expect(body).toEqual({ schemas: [URN_USER], id: u.id, emails: [EMAILS[0]] })
  })

  test('a sub-attribute after the filter, a comma inside the quoted value, and plain names alongside', async () => {
    const t = makeTestApp()
    const u = await user(t)
    const sub = await readJson(
      await t.request('GET', `/scim/v2/Users/${u.id}?${q('attributes', 'emails[type ne "work"].value')}`)
    )
    expect(sub.emails).toEqual([{ value: 'b@home.example' }, { value: 'b,comma@other.example' }])
    const comma = await readJson(
      await t.request('GET', `/scim/v2/Users/${u.id}?${q('attributes', 'emails[value co ","],userName')}`)
    )
    expect(comma).toEqual({ schemas: [URN_USER], id: u.id, userName: 'bjensen', emails: [EMAILS[2]] })
    const two = await readJson(
      await t.request(
        'GET',
        `/scim/v2/Users/${u.id}?${q('attributes', 'emails[type eq "work"].value,emails[type eq "home"]')}`
      )
    )
    expect(two.emails).toEqual([{ value: 'b@work.example' }, EMAILS[1]])
  })

  test('excludedAttributes=emails[type eq "work"] drops the matching elements and keeps the rest of the resource', async () => {
    const t = makeTestApp()
    const u = await user(t)
    const body = await readJson(
      await t.request('GET', `/scim/v2/Users/${u.id}?${q('excludedAttributes', 'emails[type eq "work"]')}`)
    )
    expect(body.emails).toEqual([EMAILS[1], EMAILS[2]])
    expect(body.userName).toBe('bjensen')
    expect(body[URN_ENTERPRISE]).toEqual({ department: 'Sales' })
    const display = await readJson(
      await t.request('GET', `/scim/v2/Users/${u.id}?${q('excludedAttributes', 'emails[type eq "other"].display')}`)
    )
    expect(display.emails).toEqual([EMAILS[0], EMAILS[1], { value: 'b,comma@other.example', type: 'other' }])
  })

  test('quotes and brackets outside a value path stay as lenient as unknown names', async () => {
    const t = makeTestApp()
    const u = await user(t)
    for (const list of ['"userName",userName', 'userName,userName]', 'userName",userName']) {
      const body = await readJson(await t.request('GET', `/scim/v2/Users/${u.id}?${q('attributes', list)}`))
      expect(body).toEqual({ schemas: [URN_USER], id: u.id, userName: 'bjensen' })
    }
  })

  test('no element matching leaves the attribute out', async () => {
    const t = makeTestApp()
    const u = await user(t)
    const body = await readJson(
      await t.request('GET', `/scim/v2/Users/${u.id}?${q('attributes', 'emails[type eq "fax"],userName')}`)
    )
    expect(body).toEqual({ schemas: [URN_USER], id: u.id, userName: 'bjensen' })
  })

  test('works on lists, POST /.search and group members', async () => {
    const t = makeTestApp()
    const u = await user(t)
    const list = await readJson(
      await t.request(
        'GET',
        `/scim/v2/Users?${q('filter', 'userName eq "bjensen"')}&${q('attributes', 'emails[primary eq true]')}`
      )
    )
    expect(list.Resources).toEqual([{ schemas: [URN_USER], id: u.id, emails: [EMAILS[0]] }])
    const search = await readJson(
      await t.request('POST', '/scim/v2/Users/.search', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        attributes: ['emails[type eq "home"]', 'userName'],
      })
    )
    expect(search.Resources).toEqual([{ schemas: [URN_USER], id: u.id, userName: 'bjensen', emails: [EMAILS[1]] }])
    const other = await readJson(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'other' }))
    const g = await readJson(
      await t.request('POST', '/scim/v2/Groups', {
        schemas: [URN_GROUP],
        displayName: 'G',
        members: [{ value: u.id }, { value: other.id }],
      })
    )
    const members = await readJson(
      await t.request('GET', `/scim/v2/Groups/${g.id}?${q('attributes', `members[value eq "${other.id}"].value`)}`)
    )
    expect(members).toEqual({ schemas: [URN_GROUP], id: g.id, members: [{ value: other.id }] })
  })

  test.each([
    ['an unclosed bracket', 'emails[type eq "work"'],
    ['a filter that does not parse', 'emails[type zz "work"]'],
    ['an unknown sub-attribute in the filter', 'emails[kind eq "work"]'],
    ['a filter on a simple attribute', 'userName[value eq "x"]'],
    ['a filter on an undeclared attribute', 'nickNames[value eq "x"]'],
    ['text after the closing bracket', 'emails[type eq "work"]value'],
    ['an unterminated quote', 'emails[type eq "work]'],
  ])('%s is 400 invalidValue, on GET by id, on lists and in excludedAttributes', async (_, list) => {
    const t = makeTestApp()
    const u = await user(t)
    await expectScimError(
      await t.request('GET', `/scim/v2/Users/${u.id}?${q('attributes', list)}`),
      400,
      'invalidValue'
    )
    await expectScimError(
      await t.request('GET', `/scim/v2/Users?${q('excludedAttributes', list)}`),
      400,
      'invalidValue'
    )
  })
})

describe('http a bad value path on a write', () => {
  const bad = q('attributes', 'emails[type zz "work"]')

  test('POST, PUT and PATCH answer 400 invalidValue and change nothing', async () => {
    const t = makeTestApp()
    await expectScimError(
      await t.request('POST', `/scim/v2/Users?${bad}`, { schemas: [URN_USER], userName: 'ghost' }),
      400,
      'invalidValue'
    )
    expect(
      (await readJson(await t.request('GET', `/scim/v2/Users?${q('filter', 'userName eq "ghost"')}`))).totalResults
    ).toBe(0)
    const u = await user(t)
    await expectScimError(
      await t.request('PUT', `/scim/v2/Users/${u.id}?${bad}`, { schemas: [URN_USER], userName: 'renamed' }),
      400,
      'invalidValue'
    )
    await expectScimError(
      await t.request(
        'PATCH',
        `/scim/v2/Users/${u.id}?${bad}`,
        patchBody({ op: 'replace', path: 'userName', value: 'renamed' })
      ),
      400,
      'invalidValue'
    )
    const g = await readJson(await t.request('POST', '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'G' }))
    const groupBad = q('attributes', 'members[value zz "x"]')
    await expectScimError(
      await t.request(
        'PATCH',
        `/scim/v2/Groups/${g.id}?${groupBad}`,
        patchBody({ op: 'add', path: 'members', value: [{ value: u.id }] })
      ),
      400,
      'invalidValue'
    )
    const after = await readJson(await t.request('GET', `/scim/v2/Users/${u.id}`))
    expect(after.userName).toBe('bjensen')
    expect(after.meta.version).toBe(u.meta.version)
    expect('members' in (await readJson(await t.request('GET', `/scim/v2/Groups/${g.id}`)))).toBe(false)
  })
})

describe('http empty multi-valued attributes are left out (RFC 7643 §2.5)', () => {
  test('a group whose last member was removed has no members key, on GET, in lists and in PATCH and PUT answers', async () => {
    const t = makeTestApp()
    const u = await user(t)
    const g = await readJson(
      await t.request('POST', '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'G', members: [{ value: u.id }] })
    )
    expect(g.members).toHaveLength(1)
    const rm = await t.request(
      'PATCH',
      `/scim/v2/Groups/${g.id}?attributes=displayName,members`,
      patchBody({ op: 'remove', path: `members[value eq "${u.id}"]` })
    )
    expect(rm.status).toBe(200)
    expect('members' in (await readJson(rm))).toBe(false)
    expect('members' in (await readJson(await t.request('GET', `/scim/v2/Groups/${g.id}`)))).toBe(false)
    const list = await readJson(await t.request('GET', `/scim/v2/Groups?${q('filter', 'displayName eq "G"')}`))
    expect('members' in list.Resources[0]).toBe(false)
    const put = await readJson(
      await t.request('PUT', `/scim/v2/Groups/${g.id}`, { schemas: [URN_GROUP], displayName: 'G', members: [] })
    )
    expect('members' in put).toBe(false)
    const created = await readJson(
      await t.request('POST', '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'Empty', members: [] })
    )
    expect('members' in created).toBe(false)
  })

  test('a user whose emails became empty has no emails key, in every answer', async () => {
    const t = makeTestApp()
    const u = await user(t)
    for (const type of ['work', 'home', 'other']) {
      const res = await t.request(
        'PATCH',
        `/scim/v2/Users/${u.id}`,
        patchBody({ op: 'remove', path: `emails[type eq "${type}"]` })
      )
      expect(res.status).toBe(200)
    }
    expect('emails' in (await readJson(await t.request('GET', `/scim/v2/Users/${u.id}`)))).toBe(false)
    const put = await readJson(
      await t.request('PUT', `/scim/v2/Users/${u.id}`, {
        schemas: [URN_USER],
        userName: 'bjensen',
        emails: [],
        phoneNumbers: [],
        roles: [],
      })
    )
    for (const name of ['emails', 'phoneNumbers', 'roles']) expect(name in put).toBe(false)
  })

  test('undeclared lists kept as sent are left out when empty, and an extension left empty goes with its schemas entry', async () => {
    const t = makeTestApp()
    const thing = 'urn:example:params:scim:schemas:extension:thing:2.0:User'
    const created = await readJson(
      await t.request('POST', '/scim/v2/Users', {
        schemas: [URN_USER],
        userName: 'a',
        nickNames: [],
        [thing]: { tags: [] },
        [URN_ENTERPRISE]: { department: 'Ops', skills: [] },
      })
    )
    const views = [
      created,
      await readJson(await t.request('GET', `/scim/v2/Users/${created.id}`)),
      (await readJson(await t.request('GET', `/scim/v2/Users?${q('filter', 'userName eq "a"')}`))).Resources[0],
      (await readJson(await t.request('GET', '/scim/v2/Users?count=10'))).Resources[0],
    ]
    for (const view of views) {
      expect(view.schemas).toEqual([URN_USER, URN_ENTERPRISE])
      expect('nickNames' in view).toBe(false)
      expect(thing in view).toBe(false)
      expect(view[URN_ENTERPRISE]).toEqual({ department: 'Ops' })
    }
  })
})

describe('http /Schemas labels (RFC 7643 §8.7.1)', () => {
  type Attr = { name: string; mutability: string; subAttributes?: Attr[] }
  const attrOf = (schema: { attributes: Attr[] }, name: string) => schema.attributes.find((a) => a.name === name)!
  const subOf = (a: Attr, name: string) => a.subAttributes!.find((s) => s.name === name)!

  test('Group members.display is readOnly (derived from the member); its other sub-attributes are immutable', async () => {
    const t = makeTestApp()
    const group = await readJson(await t.request('GET', `/scim/v2/Schemas/${URN_GROUP}`))
    const members = attrOf(group as { attributes: Attr[] }, 'members')
    expect(subOf(members, 'display').mutability).toBe('readOnly')
    for (const name of ['value', '$ref', 'type']) expect(subOf(members, name).mutability).toBe('immutable')
  })

  test('User groups and all its sub-attributes are readOnly', async () => {
    const t = makeTestApp()
    const userSchema = await readJson(await t.request('GET', `/scim/v2/Schemas/${URN_USER}`))
    const groups = attrOf(userSchema as { attributes: Attr[] }, 'groups')
    expect(groups.mutability).toBe('readOnly')
    for (const s of groups.subAttributes!) expect(s.mutability).toBe('readOnly')
  })

  test('every other built-in attribute is readWrite and returned by default, as RFC 7643 §8.7.1 labels them', async () => {
    const t = makeTestApp()
    const special: Record<string, string> = {
      [`${URN_USER}:password`]: 'writeOnly/never',
      [`${URN_GROUP}:members.value`]: 'immutable/default',
      [`${URN_GROUP}:members.$ref`]: 'immutable/default',
      [`${URN_GROUP}:members.type`]: 'immutable/default',
      [`${URN_GROUP}:members.display`]: 'readOnly/default',
      [`${URN_ENTERPRISE}:manager.displayName`]: 'readOnly/default',
    }
    const list = await readJson(await t.request('GET', '/scim/v2/Schemas'))
    const seen: Record<string, string> = {}
    for (const schema of list.Resources as { id: string; attributes: (Attr & { returned: string })[] }[]) {
      const visit = (attrs: (Attr & { returned: string })[], prefix: string) => {
        for (const a of attrs) {
          const path = `${prefix}${a.name}`
          const label = `${a.mutability}/${a.returned}`
          const expected =
            special[path] ?? (path.startsWith(`${URN_USER}:groups`) ? 'readOnly/default' : 'readWrite/default')
          if (label !== expected) seen[path] = `${label}, not ${expected}`
          visit((a.subAttributes ?? []) as (Attr & { returned: string })[], `${path}.`)
        }
      }
      visit(schema.attributes, `${schema.id}:`)
    }
    expect(seen).toEqual({})
  })
})
