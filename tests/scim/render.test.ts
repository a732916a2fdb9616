// The spliced view (renderResourceJson) is byte for byte the serialised renderResource, or declines.
import { describe, expect, test } from 'bun:test'
import { URN_ENTERPRISE_USER } from '../../src/scim/constants'
import type { Doc } from '../../src/scim/document'
import { type RenderContext, type RenderInput, renderResource, renderResourceJson } from '../../src/scim/render'
import { builtinRegistry, typeOf } from '../helpers/generate'

const registry = builtinRegistry()
const user = typeOf(registry, 'User')
const group = typeOf(registry, 'Group')

const stored = (data: Doc, id = '01a23273-5c1a-7596-bc66-e01a560c7e05'): RenderInput => ({
  id,
  data,
  version: 7,
  created: '2026-12-01T16:32:30.746Z',
  lastModified: '2026-12-01T16:40:00.000Z',
})

const bases = [
  'https://scim.example.com/scim/v2',
  'http://h"o\\st:80/tenants/a/scim/v2',
  'https://bücher.example/scim/v2',
]
const refs = [
  { value: 'g1', type: 'Group', display: 'Sales "EU"' },
  { value: 'g2', type: 'Group' },
]

const datas: Doc[] = [
  {},
  { userName: 'alice', active: true, emails: [{ value: 'a@x', type: 'work' }] },
  { userName: 'ü "quoted" \u0001', name: { givenName: 'A' } },
  { userName: 'e', [URN_ENTERPRISE_USER]: { employeeNumber: '7', manager: { value: 'm' } } },
  { userName: 'x', 'urn:example:undeclared': { a: 1 }, [URN_ENTERPRISE_USER]: { department: 'd' } },
  { userName: 'lone \ud800 surrogate' },
]

/** Those a view leaves something out of, or that hold a key the renderer sets: never spliced. */
const declined: Doc[] = [
  { userName: 'a', emails: [] },
  { userName: 'a', [URN_ENTERPRISE_USER]: { department: 'd', costCenters: [] } },
  { userName: 'a', [URN_ENTERPRISE_USER]: {} },
  { userName: 'a', meta: { version: 'x' } },
  { userName: 'a', schemas: ['x'] },
  { userName: 'a', id: 'other' },
  { userName: 'a', groups: [] },
]

describe('renderResourceJson', () => {
  test('is the serialised renderResource for users and groups, with references and odd text', () => {
    for (const base of bases) {
      const contexts: RenderContext[] = [{ base }, { base, groups: refs }, { base, members: [] }]
      for (const data of datas)
        for (const ctx of contexts)
          for (const [type, input] of [
            [user, stored(data)],
            [user, stored(data, 'id "with" \\ odd\ttext')],
            [group, stored({ displayName: String(data.userName ?? 'g') })],
          ] as const) {
            const groupCtx = type === group ? { base, members: [{ value: 'u1', type: 'User', display: 'U "1"' }] } : ctx
            expect(renderResourceJson(type, input, JSON.stringify(input.data), groupCtx)).toBe(
              JSON.stringify(renderResource(type, input, groupCtx))
            )
          }
    }
  })

  test('declines data a view would change or that holds a rendered key', () => {
    for (const data of declined)
      expect(renderResourceJson(user, stored(data), JSON.stringify(data), { base: bases[0]! })).toBeUndefined()
  })
})
