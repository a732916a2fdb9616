// Responses made from service results and SCIM errors: the media type, the result's headers, nothing shared.
import { describe, expect, test } from 'bun:test'
import { errorResponse, respond, SCIM_CONTENT_TYPE } from '../../src/http/respond'
import { ScimError } from '../../src/scim/errors'

const headersOf = (response: Response) => Object.fromEntries(response.headers)

describe('respond and errorResponse', () => {
  test("each response has the SCIM media type and its own headers, never another response's", () => {
    const got = respond({ status: 200, headers: { etag: 'W/"1"' }, json: '{"id":"a"}' })
    got.headers.set('x-request-id', 'one')
    const refused = errorResponse(ScimError.unauthorized(), { 'www-authenticate': 'Bearer realm="scim"' })
    const created = respond({
      status: 201,
      headers: { location: 'https://h/scim/v2/Users/b', etag: 'W/"2"' },
      body: {},
    })
    const plain = errorResponse(ScimError.notFound('nothing'))
    expect(headersOf(got)).toEqual({ 'content-type': SCIM_CONTENT_TYPE, etag: 'W/"1"', 'x-request-id': 'one' })
    expect(headersOf(refused)).toEqual({ 'content-type': SCIM_CONTENT_TYPE, 'www-authenticate': 'Bearer realm="scim"' })
    expect(headersOf(created)).toEqual({
      'content-type': SCIM_CONTENT_TYPE,
      location: 'https://h/scim/v2/Users/b',
      etag: 'W/"2"',
    })
    expect(headersOf(plain)).toEqual({ 'content-type': SCIM_CONTENT_TYPE })
    expect([got.status, refused.status, created.status, plain.status]).toEqual([200, 401, 201, 404])
  })

  test('a result without a body has no media type; a service cannot replace the body media type', async () => {
    const notModified = respond({ status: 304, headers: { etag: 'W/"3"' } })
    expect(headersOf(notModified)).toEqual({ etag: 'W/"3"' })
    expect(await notModified.text()).toBe('')
    const typed = respond({ status: 200, headers: { 'content-type': 'text/html' }, json: '{}' })
    expect(typed.headers.get('content-type')).toBe(SCIM_CONTENT_TYPE)
  })
})
