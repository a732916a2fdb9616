// Once a write is final: elements left with only `type`/`primary` are not stored, and a (type, value) pair is held once.
import { describe, expect, test } from 'bun:test'
import { normalizePatchRequest } from '../../../src/scim/compat/normalize-patch'
import { URN_PATCH_OP } from '../../../src/scim/constants'
import type { Doc } from '../../../src/scim/document'
import { applyPatch } from '../../../src/scim/patch/apply'
import { coerceResource } from '../../../src/scim/schema/coerce'
import { isVacantElement, settleElements } from '../../../src/scim/schema/settle-elements'
import { attribute } from '../../helpers/schema'
import { catchScimError } from '../../helpers/scim'
import { testRegistry, typeNamed, userTypeWith } from '../patch/registry'

const USER = typeNamed(testRegistry(), 'User')
const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User'
const phones = (required: boolean) => ({
  name: 'deskPhones',
  type: 'complex' as const,
  multiValued: true,
  required,
  mutability: 'readWrite' as const,
  returned: 'default' as const,
  subAttributes: [attribute('value', 'string'), attribute('type', 'string'), attribute('primary', 'boolean')],
})
const ACME_USER = userTypeWith({ id: ACME, attributes: [phones(false), attribute('site', 'string')] })
const STRICT_USER = userTypeWith({ id: ACME, attributes: [phones(true), attribute('site', 'string')] })
const ops = (...Operations: unknown[]) => normalizePatchRequest({ schemas: [URN_PATCH_OP], Operations })
const work = { value: 'w@x', type: 'work', primary: true }
const home = { value: 'h@x', type: 'home' }

describe('scim/schema isVacantElement', () => {
  test.each([
    [{ type: 'work' }, true],
    [{ type: 'work', primary: true }, true],
    [{}, true],
    [{ type: 'work', value: 'w@x' }, false],
    [{ type: 'work', display: 'Work' }, false],
    [{ type: 'work', streetAddress: '1 Main St' }, false],
    ['w@x', false],
  ])('%j → %p', (element, vacant) => {
    expect(isVacantElement(element)).toBe(vacant)
  })
})

describe('scim/schema settleElements', () => {
  test('drops vacant elements, and the attribute when none is left', () => {
    const doc: Doc = { userName: 'u', emails: [{ type: 'work', primary: true }, home], addresses: [{ type: 'work' }] }
    expect(settleElements(USER, doc)).toBe(true)
    expect(doc).toEqual({ userName: 'u', emails: [home] })
  })

  test('changes nothing and says so when every element holds a value', () => {
    const doc: Doc = { userName: 'u', emails: [work, home] }
    expect(settleElements(USER, doc)).toBe(false)
    expect(doc).toEqual({ userName: 'u', emails: [work, home] })
  })

  test('an extension object left empty goes too', () => {
    const doc: Doc = { userName: 'u', [ACME]: { deskPhones: [{ type: 'desk' }] } }
    expect(settleElements(ACME_USER, doc)).toBe(true)
    expect(doc).toEqual({ userName: 'u' })
  })

  test('with `only`, attributes outside it are left as they are', () => {
    const doc: Doc = { userName: 'u', emails: [{ type: 'work' }], phoneNumbers: [{ type: 'mobile' }] }
    settleElements(USER, doc, new Set(['phoneNumbers']))
    expect(doc).toEqual({ userName: 'u', emails: [{ type: 'work' }] })
  })
})

describe('scim/patch a whole PATCH drops what it emptied', () => {
  test.each([
    ['remove', { op: 'remove', path: 'emails[type eq "work"].value' }],
    ['Entra\'s Replace with ""', { op: 'Replace', path: 'emails[type eq "work"].value', value: '' }],
    ['replace with null', { op: 'replace', path: 'emails[type eq "work"].value', value: null }],
  ])('%s of the work email leaves only the home one', (_, op) => {
    const out = applyPatch(USER, { userName: 'u', emails: [work, home] }, ops(op))
    expect(out.doc.emails).toEqual([home])
    expect(out.changed).toBe(true)
  })

  test('clearing the only email leaves no emails attribute', () => {
    const out = applyPatch(
      USER,
      { userName: 'u', emails: [work] },
      ops({ op: 'Replace', path: 'emails[type eq "work"].value', value: '' })
    )
    expect(out.doc).toEqual({ userName: 'u' })
  })

  test('a value cleared and set again in one PATCH keeps its primary', () => {
    const out = applyPatch(
      USER,
      { userName: 'u', emails: [work] },
      ops(
        { op: 'remove', path: 'emails[type eq "work"].value' },
        { op: 'add', path: 'emails[type eq "work"].value', value: 'new@x' }
      )
    )
    expect(out.doc.emails).toEqual([{ type: 'work', primary: true, value: 'new@x' }])
  })

  test('a primary sent before its value is kept', () => {
    const out = applyPatch(
      USER,
      { userName: 'u' },
      ops(
        { op: 'Add', path: 'phoneNumbers[type eq "mobile"].primary', value: 'True' },
        { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555' }
      )
    )
    expect(out.doc.phoneNumbers).toEqual([{ type: 'mobile', primary: true, value: '+1 555' }])
  })

  test('an address whose every field was removed goes', () => {
    const out = applyPatch(
      USER,
      { userName: 'u', addresses: [{ type: 'work', streetAddress: '1 Main St', locality: 'Town' }] },
      ops(
        { op: 'remove', path: 'addresses[type eq "work"].streetAddress' },
        { op: 'remove', path: 'addresses[type eq "work"].locality' }
      )
    )
    expect(out.doc).toEqual({ userName: 'u' })
  })

  test('an extension attribute emptied takes its extension object with it when nothing else is there', () => {
    const doc = { userName: 'u', [ACME]: { deskPhones: [{ value: '1', type: 'desk' }] } }
    const out = applyPatch(ACME_USER, doc, ops({ op: 'remove', path: `${ACME}:deskPhones[type eq "desk"].value` }))
    expect(out.doc).toEqual({ userName: 'u' })
  })

  test('a PATCH elsewhere leaves an untouched attribute as stored', () => {
    const out = applyPatch(
      USER,
      { userName: 'u', emails: [{ type: 'work' }] },
      ops({ op: 'replace', path: 'title', value: 'Boss' })
    )
    expect(out.doc).toEqual({ userName: 'u', emails: [{ type: 'work' }], title: 'Boss' })
  })

  test('emptying a required attribute of a present extension this way is refused, naming it', () => {
    const doc = { userName: 'u', [ACME]: { deskPhones: [{ value: '1', type: 'desk' }], site: 'HQ' } }
    const err = catchScimError(() =>
      applyPatch(STRICT_USER, doc, ops({ op: 'remove', path: `${ACME}:deskPhones[type eq "desk"].value` }))
    )
    expect(err.status).toBe(400)
    expect(err.scimType).toBe('invalidValue')
    expect(err.detail).toContain('deskPhones')
  })
})

describe('scim/schema coerceResource drops vacant elements of a body', () => {
  test('an email sent with an empty value is not stored; one with a display is', () => {
    const { doc } = coerceResource(
      USER,
      {
        userName: 'u',
        emails: [{ type: 'work', value: '', primary: true }, home],
        ims: [{ type: 'xmpp', display: 'me' }],
      },
      { mode: 'create' }
    )
    expect(doc).toEqual({ userName: 'u', emails: [home], ims: [{ type: 'xmpp', display: 'me' }] })
  })
})

describe('scim/schema settleElements: one (type, value) pair once (RFC 7643 §2.4)', () => {
  test('a POST body with a work email twice, differing in case, stores it once, the later over the earlier', () => {
    const { doc } = coerceResource(
      USER,
      { userName: 'u', emails: [{ value: 'a@x', type: 'work' }, home, { value: 'A@X', type: 'work', primary: true }] },
      { mode: 'create' }
    )
    expect(doc.emails).toEqual([{ value: 'A@X', type: 'work', primary: true }, home])
  })

  test('the same value under two types, or a caseExact value in two cases, is two elements', () => {
    const doc: Doc = {
      emails: [
        { value: 'a@x', type: 'work' },
        { value: 'a@x', type: 'home' },
      ],
    }
    expect(settleElements(USER, doc)).toBe(false)
    expect(doc.emails).toHaveLength(2)
  })

  test('a filtered PATCH giving two elements one value leaves one of them', () => {
    const doc = { userName: 'u', emails: [{ value: 'w@x', type: 'home', display: 'd' }, home] }
    const { doc: after } = applyPatch(
      USER,
      doc,
      ops({ op: 'replace', path: 'emails[type eq "home"].value', value: 'p@x' })
    )
    expect(after.emails).toEqual([{ value: 'p@x', type: 'home', display: 'd' }])
  })
})
