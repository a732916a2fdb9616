// RFC 7644 §3.7: the bulk envelope, bulkId references and the order operations run in.
import { describe, expect, test } from 'bun:test'
import { parseBulkRequest, planBulk, resolvePathRef, resolveRefs } from '../../src/scim/bulk'
import { ScimError } from '../../src/scim/errors'

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'

function request(ops: unknown[], extra: Record<string, unknown> = {}) {
  return parseBulkRequest({ schemas: [BULK], Operations: ops, ...extra }, 10)
}

const post = (bulkId: string, data: unknown = {}) => ({ method: 'POST', path: '/Users', bulkId, data })

describe('parseBulkRequest', () => {
  test.each([
    [[], 'invalidSyntax' as const],
    [{ schemas: ['x'], Operations: [post('a')] }, 'invalidSyntax'],
    [{ schemas: [BULK], Operations: [{ method: 'GET', path: '/Users' }] }, 'invalidValue'],
    [{ schemas: [BULK], Operations: [{ method: 'POST', path: '/Users' }] }, 'invalidValue'],
    [{ schemas: [BULK], Operations: [post('a')], failOnErrors: 0 }, 'invalidValue'],
    [{ schemas: [BULK], Operations: [{ method: 'DELETE', path: 'Users/1' }] }, 'invalidValue'],
  ])('refuses %j with %s', (body, scimType) => {
    expect(() => parseBulkRequest(body, 10)).toThrow(ScimError)
    try {
      parseBulkRequest(body, 10)
    } catch (err) {
      expect(String((err as ScimError).scimType)).toBe(String(scimType))
    }
  })

  test('more operations than maxOperations is 413', () => {
    try {
      parseBulkRequest({ schemas: [BULK], Operations: Array.from({ length: 11 }, (_, i) => post(`b${i}`)) }, 10)
      throw new Error('accepted')
    } catch (err) {
      expect((err as ScimError).status).toBe(413)
    }
  })

  test('collects references from data values and from the path', () => {
    const [op] = request([
      {
        method: 'PATCH',
        path: '/Groups/bulkId:g',
        data: { Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkId:u' }] }] },
      },
    ]).operations
    expect([...op!.refs].sort()).toEqual(['g', 'u'])
  })
})

describe('planBulk', () => {
  test('a forward reference runs after the POST it names; others keep request order', () => {
    const plan = planBulk(
      request([
        { method: 'POST', path: '/Groups', bulkId: 'g', data: { displayName: 'g', members: [{ value: 'bulkId:u' }] } },
        post('other'),
        post('u'),
      ])
    )
    expect(plan.order).toEqual([1, 2, 0])
    expect(plan.refused.size).toBe(0)
  })

  test('a cycle, and what depends on it, is refused with 409 naming the cycle', () => {
    const plan = planBulk(
      request([
        { method: 'POST', path: '/Groups', bulkId: 'a', data: { members: [{ value: 'bulkId:b' }] } },
        { method: 'POST', path: '/Groups', bulkId: 'b', data: { members: [{ value: 'bulkId:a' }] } },
        { method: 'POST', path: '/Groups', bulkId: 'c', data: { members: [{ value: 'bulkId:a' }] } },
        post('free'),
      ])
    )
    expect(plan.order[0]).toBe(3)
    for (const i of [0, 1, 2]) expect(plan.refused.get(i)?.status).toBe(409)
    expect(plan.refused.get(0)?.detail).toContain('bulkId:a → bulkId:b → bulkId:a')
  })

  test('a self-reference and an undefined reference are refused', () => {
    const plan = planBulk(
      request([
        { method: 'POST', path: '/Users', bulkId: 'me', data: { manager: 'bulkId:me' } },
        { method: 'PATCH', path: '/Users/bulkId:nobody', data: {} },
        post('dup'),
        post('dup'),
      ])
    )
    expect(plan.refused.get(0)?.status).toBe(409)
    expect(plan.refused.get(1)?.scimType).toBe('invalidValue')
    expect(plan.refused.get(3)?.detail).toContain('two operations')
    expect(plan.refused.has(2)).toBe(false)
  })
})

test('resolveRefs and resolvePathRef replace whole references only', () => {
  const ids = new Map([['u', 'id-1']])
  expect(resolveRefs({ members: [{ value: 'bulkId:u' }], note: 'see bulkId:u', other: 'bulkId:zz' }, ids)).toEqual({
    members: [{ value: 'id-1' }],
    note: 'see bulkId:u',
    other: 'bulkId:zz',
  })
  expect(resolvePathRef('/Users/bulkId:u', ids)).toBe('/Users/id-1')
  expect(resolvePathRef('/Users/abc', ids)).toBe('/Users/abc')
})
