// Rendering over HTTP as RFC 7643/7644 reads it: value-path attribute lists, empty multi-valued attributes, /Schemas labels.
import { describe, expect, test } from 'bun:test'
import { makeTestApp } from '../helpers/app'
import { URN_ENTERPRISE, URN_GROUP, URN_USER, readJson } from '../helpers/scim'

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
          const expected = special[path] ?? (path.startsWith(`${URN_USER}:groups`) ? 'readOnly/default' : 'readWrite/default')
          if (label !== expected) seen[path] = `${label}, not ${expected}`
          visit((a.subAttributes ?? []) as (Attr & { returned: string })[], `${path}.`)
        }
      }
      visit(schema.attributes, `${schema.id}:`)
    }
    expect(seen).toEqual({})
  })
})
