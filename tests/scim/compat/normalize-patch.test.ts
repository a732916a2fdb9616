// PatchOp envelope validation and IdP quirk normalisation (RFC 7644 §3.5.2; entra-wire.md §2).
import { describe, expect, test } from 'bun:test'
import { normalizePatchRequest } from '../../../src/scim/compat/normalize-patch'
import { URN_PATCH_OP } from '../../../src/scim/constants'
import { ScimError } from '../../../src/scim/errors'
import { printAttrPath } from '../../../src/scim/filter/attr-path'

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

function errorOf(body: unknown): ScimError {
  try {
    normalizePatchRequest(body)
  } catch (err) {
    if (err instanceof ScimError) return err
    throw err
  }
  throw new Error('expected a ScimError')
}

/** A compact view: op, printed path (with [filter] marker and .sub), value. */
function view(body: unknown) {
  return normalizePatchRequest(body).map((o) => ({
    op: o.op,
    index: o.index,
    path: o.path
      ? `${printAttrPath(o.path.path)}${o.path.filter ? '[…]' : ''}${o.path.sub ? `.${o.path.sub}` : ''}`
      : undefined,
    value: o.value,
  }))
}

describe('scim/compat/normalize-patch envelope', () => {
  const bad: [string, unknown][] = [
    ['a non-object body', []],
    ['a null body', null],
    ['missing Operations', { schemas: [URN_PATCH_OP] }],
    ['empty Operations (scimmy#59 validator case)', { schemas: [URN_PATCH_OP], Operations: [] }],
    ['Operations not an array', { schemas: [URN_PATCH_OP], Operations: { op: 'add' } }],
    [
      'schemas present without the PatchOp URN',
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        Operations: [{ op: 'add', path: 'title', value: 'x' }],
      },
    ],
  ]
  test.each(bad)('rejects %s with invalidSyntax', (_name, body) => {
    expect(errorOf(body).scimType).toBe('invalidSyntax')
  })

  test('accepts a body without schemas (lenient)', () => {
    expect(view({ Operations: [{ op: 'add', path: 'title', value: 'x' }] })).toEqual([
      { op: 'add', index: 0, path: 'title', value: 'x' },
    ])
  })

  test('accepts the PatchOp URN in any case and a lower-case "operations" key', () => {
    expect(view({ schemas: [URN_PATCH_OP.toUpperCase()], operations: [{ op: 'remove', path: 'title' }] })).toHaveLength(
      1
    )
  })

  test('names the index of an unknown op', () => {
    const err = errorOf({
      Operations: [
        { op: 'add', path: 'a', value: 1 },
        { op: 'add', path: 'b', value: 2 },
        { op: 'copy', path: 'c' },
      ],
    })
    expect(err.scimType).toBe('invalidSyntax')
    expect(err.detail).toContain('operation 2')
    expect(err.detail).toContain('"copy"')
  })

  test('names the index of a non-object operation and of a missing op', () => {
    expect(errorOf({ Operations: ['add'] }).detail).toContain('operation 0')
    expect(errorOf({ Operations: [{ op: 'add', path: 'a', value: 1 }, { path: 'x' }] }).detail).toContain('operation 1')
  })

  test('add and replace need a value member; an explicit null is allowed (it clears)', () => {
    expect(errorOf({ Operations: [{ op: 'add', path: 'title' }] }).scimType).toBe('invalidSyntax')
    expect(view({ Operations: [{ op: 'replace', path: 'title', value: null }] })[0]!.value).toBeNull()
  })

  test('an unparsable path is invalidPath naming the index and the path', () => {
    const err = errorOf({
      Operations: [
        { op: 'add', path: 'title', value: 1 },
        { op: 'remove', path: 'emails[type eq "work"' },
      ],
    })
    expect(err.scimType).toBe('invalidPath')
    expect(err.detail).toStartWith('operation 1 (remove "emails[type eq \\"work\\""): invalid path')
  })

  test('a non-string path is invalidSyntax', () => {
    expect(errorOf({ Operations: [{ op: 'remove', path: 5 }] }).scimType).toBe('invalidSyntax')
  })

  test('an empty path is treated as absent', () => {
    expect(normalizePatchRequest({ Operations: [{ op: 'remove', path: '' }] })[0]!.path).toBeUndefined()
  })
})

describe('scim/compat/normalize-patch quirks', () => {
  test.each(['Add', 'ADD', 'add', 'Replace', 'replace', 'Remove', 'remove'])(
    'op %s is case-insensitive (entra-wire.md §2.2 Q1)',
    (op) => {
      const [o] = normalizePatchRequest({ Operations: [{ op, path: 'title', value: 'x' }] })
      expect(o!.op).toBe(op.toLowerCase() as never)
    }
  )

  test('keeps the raw path and the original index', () => {
    const [, o] = normalizePatchRequest({
      Operations: [
        { op: 'add', path: 'title', value: 'x' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'w' },
      ],
    })
    expect(o!.index).toBe(1)
    expect(o!.rawPath).toBe('emails[type eq "work"].value')
    expect(o!.path!.sub).toBe('value')
  })

  test('keeps a pathless value whole: its dotted and URN keys are resolved by applyPatch (entra-wire.md §2.1)', () => {
    const value = { displayName: 'Bjfe', 'name.givenName': 'Kkom', [`${ENT}:employeeNumber`]: 'Aklq' }
    expect(view({ Operations: [{ op: 'replace', value }] })).toEqual([
      { op: 'replace', index: 0, path: undefined, value },
    ])
  })

  test("keeps Okta's echoed id in a pathless value: applyPatch ignores it, with every other echo", () => {
    expect(view({ Operations: [{ op: 'replace', value: { id: '23a35c27', active: false } }] })).toEqual([
      { op: 'replace', index: 0, path: undefined, value: { id: '23a35c27', active: false } },
    ])
  })

  test('drops "$ref": null from member values (entra-wire.md §2.2 Q4)', () => {
    const [o] = normalizePatchRequest({
      Operations: [
        {
          op: 'Add',
          path: 'members',
          value: [
            { $ref: null, value: 'f648' },
            { $ref: 'https://x/Users/a', value: 'a' },
          ],
        },
      ],
    })
    expect(o!.value).toEqual([{ value: 'f648' }, { $ref: 'https://x/Users/a', value: 'a' }])
  })

  test('keeps the value of a remove (Entra member removal, entra-wire.md §2.2 Q3)', () => {
    const [o] = normalizePatchRequest({
      Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'u1' }] }],
    })
    expect(o).toEqual({
      op: 'remove',
      path: { path: { name: 'members' } },
      value: [{ value: 'u1' }],
      index: 0,
      rawPath: 'members',
    })
  })

  test('a remove without path stays pathless (applyPatch answers noTarget)', () => {
    expect(normalizePatchRequest({ Operations: [{ op: 'remove' }] })).toEqual([{ op: 'remove', index: 0 }])
  })
})
