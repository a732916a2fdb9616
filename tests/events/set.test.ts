// SET claims from journal entries, checked against RFC 9967's examples (draft-ietf-scim-events-16 §2.4).
import { describe, expect, test } from 'bun:test'
import type { JournalEntry } from '../../src/journal/types'
import { attributesOf, jtiOf, seqOfJti, setClaims, type Feed } from '../../src/events/set'
import { EMITTED_EVENT_URIS } from '../../src/events/uris'

const feed: Feed = {
  issuer: 'https://scim.example.com',
  audience: 'https://scim.example.com/Events',
  endpointOf: (type) => (type === 'Group' ? '/Groups' : '/Users'),
}

function entry(over: Partial<JournalEntry>): JournalEntry {
  return {
    seq: 7,
    tenant: 'default',
    at: '2016-03-20T17:53:24.000Z',
    actor: 'entra',
    requestId: 'b7b953f11cc6489bbfb87834747cc4c1',
    op: 'create',
    resourceType: 'User',
    resourceId: '44f6142df96bd6ab61e7521d9',
    versionBefore: null,
    versionAfter: 1,
    changes: [],
    compat: [],
    cascade: false,
    prevHash: '',
    hash: '4d3559ec67504aaba65d40b0363faad84d3559ec67504aaba65d40b0363faad8',
    ...over,
  }
}

describe('events/set', () => {
  test('a create is a create:notice naming the set attributes, with sub_id.format scim (RFC 9967 §2.4.1 Figure 5)', () => {
    const claims = setClaims(
      entry({
        changes: [
          { path: 'userName', after: 'jdoe' },
          { path: 'name.givenName', after: 'John' },
          { path: 'name.familyName', after: 'Doe' },
          { path: 'emails[type eq "work"].value', after: 'jdoe@example.com' },
          { path: 'externalId', after: 'jdoe' },
        ],
      }),
      feed
    )
    expect(claims).toEqual({
      iss: 'https://scim.example.com',
      iat: 1458496404,
      jti: '7.4d3559ec67504aaba65d40b0363faad8',
      aud: ['https://scim.example.com/Events'],
      txn: 'b7b953f11cc6489bbfb87834747cc4c1:7',
      sub_id: {
        format: 'scim',
        uri: '/Users/44f6142df96bd6ab61e7521d9',
        id: '44f6142df96bd6ab61e7521d9',
        externalId: 'jdoe',
      },
      events: {
        'urn:ietf:params:scim:event:prov:create:notice': {
          attributes: ['userName', 'name.givenName', 'name.familyName', 'emails.value', 'externalId'],
          version: 'W/"1"',
        },
      },
    })
  })

  test('a group member PATCH is a patch:notice with attributes and version (RFC 9967 §2.4.2 Figure 7)', () => {
    const claims = setClaims(
      entry({
        op: 'patch',
        resourceType: 'Group',
        resourceId: '176f397ec4c44b94b2cfcb759780b8c2',
        versionBefore: 3,
        versionAfter: 4,
        changes: [{ path: 'members[value eq "2819c223-7f76-453a-919d-413861904646"]', after: { value: '2819c223' } }],
      }),
      feed
    )
    expect(claims.sub_id.uri).toBe('/Groups/176f397ec4c44b94b2cfcb759780b8c2')
    expect(claims.events).toEqual({
      'urn:ietf:params:scim:event:prov:patch:notice': { attributes: ['members'], version: 'W/"4"' },
    })
  })

  test('a replace is a put:notice (RFC 9967 §2.4.3 Figure 9)', () => {
    const claims = setClaims(
      entry({ op: 'replace', versionAfter: 2, changes: [{ path: 'userName', before: 'a', after: 'b' }] }),
      feed
    )
    expect(Object.keys(claims.events)).toEqual(['urn:ietf:params:scim:event:prov:put:notice'])
  })

  test('a delete carries no payload and no full/notice suffix (RFC 9967 §2.4.4 Figure 10)', () => {
    const claims = setClaims(entry({ op: 'delete', versionAfter: null, changes: [] }), feed)
    expect(claims.events).toEqual({ 'urn:ietf:params:scim:event:prov:delete': {} })
  })

  test('active turning false adds deactivate beside the patch notice, true adds activate (RFC 9967 §2.1, §2.4.5-6)', () => {
    const off = setClaims(entry({ op: 'patch', changes: [{ path: 'active', before: true, after: false }] }), feed)
    expect(off.events).toEqual({
      'urn:ietf:params:scim:event:prov:patch:notice': { attributes: ['active'], version: 'W/"1"' },
      'urn:ietf:params:scim:event:prov:deactivate': {},
    })
    const on = setClaims(entry({ op: 'replace', changes: [{ path: 'active', before: false, after: true }] }), feed)
    expect(Object.keys(on.events)).toEqual([
      'urn:ietf:params:scim:event:prov:put:notice',
      'urn:ietf:params:scim:event:prov:activate',
    ])
  })

  test('every event URI a SET carries is listed in EMITTED_EVENT_URIS', () => {
    const ops = ['create', 'replace', 'patch', 'delete'] as const
    const seen = new Set<string>()
    for (const op of ops) {
      for (const after of [true, false]) {
        const claims = setClaims(entry({ op, changes: [{ path: 'active', before: !after, after }] }), feed)
        for (const uri of Object.keys(claims.events)) seen.add(uri)
      }
    }
    expect([...seen].sort()).toEqual([...EMITTED_EVENT_URIS].sort())
  })

  test('txn falls back to the journal position when no request made the change (command line, restore)', () => {
    expect(setClaims(entry({ requestId: null }), feed).txn).toBe('7')
  })

  // A client chooses its x-request-id, and a Bulk request's operations share their request's id:
  // a receiver that drops SETs whose txn it saw (RFC 9967 §2.2) would drop a change.
  test('two changes made under one request id have different txns; one change keeps its txn', () => {
    const first = setClaims(entry({ seq: 8, requestId: 'retry-1' }), feed).txn
    const second = setClaims(entry({ seq: 9, requestId: 'retry-1' }), feed).txn
    expect(first).not.toBe(second)
    expect(setClaims(entry({ seq: 8, requestId: 'retry-1' }), feed).txn).toBe(first)
    expect(first).toStartWith('retry-1')
  })

  test('a jti names its journal position; foreign jtis name none', () => {
    expect(seqOfJti(jtiOf({ seq: 42, hash: 'ab'.repeat(32) }))).toBe(42)
    for (const bad of ['', '0.ab', '-1.ab', 'x.ab', '42', '1e3.ab', '42.XYZ']) expect(seqOfJti(bad)).toBeUndefined()
  })

  test('attribute paths drop value filters, also with ] or " inside the filter value', () => {
    expect(
      attributesOf([
        { path: 'emails[value eq "a]b\\"c"].value' },
        { path: 'emails[type eq "home"].value' },
        { path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager' },
      ])
    ).toEqual(['emails.value', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager'])
  })
})
