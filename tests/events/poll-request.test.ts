// Poll bodies shaped as RFC 8936's examples (poll with ack, with setErrs, long poll) parse as the RFC means them.
import { describe, expect, test } from 'bun:test'
import { parsePollRequest } from '../../src/events/poll-request'
import { catchScimError } from '../helpers/scim'

describe('events/poll-request', () => {
  test('a poll with acknowledgements and an immediate return ', () => {
    const body = {
      ack: ['4d3559ec67504aaba65d40b0363faad8', '3d0c3cf797584bd193bd0fb1bd4e7d30'],
      returnImmediately: true,
    }
    expect(parsePollRequest(body)).toEqual({ ...body, maxEvents: undefined, setErrs: {} })
  })

  test('a poll reporting an error for one SET ', () => {
    const body = {
      ack: ['3d0c3cf797584bd193bd0fb1bd4e7d30'],
      setErrs: {
        '4d3559ec67504aaba65d40b0363faad8': {
          err: 'authentication_failed',
          description: 'The SET could not be authenticated',
        },
      },
      returnImmediately: true,
    }
    expect(parsePollRequest(body)).toEqual({ ...body, maxEvents: undefined })
  })

  test('maxEvents with a long poll, and every default for an empty body ', () => {
    expect(parsePollRequest({ maxEvents: 10, returnImmediately: false })).toEqual({
      maxEvents: 10,
      returnImmediately: false,
      ack: [],
      setErrs: {},
    })
    expect(parsePollRequest(undefined)).toEqual({ returnImmediately: false, ack: [], setErrs: {} })
  })

  test('a member sent as null is absent (clients that write every optional member), as null is unassigned in SCIM', () => {
    const body = { maxEvents: null, returnImmediately: null, ack: null, setErrs: null }
    expect(parsePollRequest(body)).toEqual({ maxEvents: undefined, returnImmediately: false, ack: [], setErrs: {} })
    const withError = { setErrs: { '4d3559ec67504aaba65d40b0363faad8': { err: 'invalid_request', description: null } } }
    expect(parsePollRequest(withError).setErrs).toEqual({
      '4d3559ec67504aaba65d40b0363faad8': { err: 'invalid_request' },
    })
  })

  test('a jti named __proto__ stays a jti of its own, in setErrs and in its error object', () => {
    const parsed = parsePollRequest(JSON.parse('{"setErrs":{"__proto__":{"err":"invalid_request","__proto__":null}}}'))
    expect(Object.keys(parsed.setErrs)).toEqual(['__proto__'])
    expect(Object.getPrototypeOf(parsed.setErrs)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(parsed.setErrs, '__proto__')?.value).toEqual({ err: 'invalid_request' })
  })

  test('a setErrs entry whose description is not a string is invalidValue (RFC 8936 §2.4: a human-readable string)', () => {
    for (const description of [5, false, {}, ['x']]) {
      const body = { setErrs: { '4d3559ec67504aaba65d40b0363faad8': { err: 'invalid_request', description } } }
      const err = catchScimError(() => parsePollRequest(body))
      expect([err.status, err.scimType]).toEqual([400, 'invalidValue'])
    }
  })
})
