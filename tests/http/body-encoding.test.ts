// Request bodies are UTF-8 (RFC 8259 §8.1): other bytes are 400 invalidSyntax, other charsets 415, never replaced and stored.
import { describe, expect, test } from 'bun:test'
import { ENTRA_CONTENT_TYPE, TEST_TOKEN, makeTestApp, type TestApp } from '../helpers/app'
import { URN_USER, expectScimError, readJson } from '../helpers/scim'

const encode = (text: string) => new TextEncoder().encode(text)

/** `{"schemas":[…],"userName":"<name>"}` with `raw` spliced in as bytes of the userName. */
function userBytes(name: string, raw: number[] = []): Uint8Array {
  const [head, tail] = [encode(`{"schemas":["${URN_USER}"],"userName":"${name}`), encode('"}')]
  return new Uint8Array([...head, ...raw, ...tail])
}

/** A POST whose body is `bytes`, sent with a Content-Length or, when `chunked`, as a stream without one. */
function post(t: TestApp, bytes: Uint8Array, contentType = ENTRA_CONTENT_TYPE, chunked = false): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': contentType }
  if (!chunked) headers['content-length'] = String(bytes.byteLength)
  const body = chunked
    ? new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(bytes.subarray(0, 10))
          c.enqueue(bytes.subarray(10))
          c.close()
        },
      })
    : bytes
  return t.handle(new Request('http://localhost/scim/v2/Users', { method: 'POST', headers, body }))
}

async function userCount(t: TestApp): Promise<number> {
  return (await readJson(await t.request('GET', '/scim/v2/Users'))).totalResults
}

describe('request body encoding', () => {
  // 0xFF never occurs in UTF-8; C3 alone is a truncated sequence; ED A0 80 encodes a surrogate; C0 AF is overlong.
  test.each([
    ['a byte that never occurs', [0xff]],
    ['a truncated sequence', [0xc3]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['an overlong form', [0xc0, 0xaf]],
  ])('%s is 400 invalidSyntax, with or without Content-Length, and nothing is stored', async (_, raw) => {
    const t = makeTestApp()
    for (const chunked of [false, true]) {
      await expectScimError(await post(t, userBytes('bad', raw), ENTRA_CONTENT_TYPE, chunked), 400, 'invalidSyntax')
    }
    expect(await userCount(t)).toBe(0)
  })

  test.each([
    'application/json; charset=latin1',
    'application/scim+json; charset=utf-16',
    'application/scim+json; charset="ISO-8859-1"',
    'application/scim+json;charset=us-ascii',
  ])('content type %s is 415 with a SCIM Error, and nothing is stored', async (type) => {
    const t = makeTestApp()
    await expectScimError(await post(t, userBytes('latin'), type), 415)
    expect(await userCount(t)).toBe(0)
  })

  test.each([
    'application/scim+json; charset=UTF-8',
    'application/scim+json; charset="utf-8"',
    'application/json; Charset=Utf-8',
    'application/scim+json ; charset = utf-8',
  ])('content type %s is accepted', async (type) => {
    const t = makeTestApp()
    expect((await post(t, userBytes('ok'), type)).status).toBe(201)
  })

  test('valid multi-byte text and a leading BOM are accepted, the text stored as sent', async () => {
    const t = makeTestApp()
    for (const chunked of [false, true]) {
      const name = `bjørn-${chunked}-\u{1f600}`
      const res = await post(t, new Uint8Array([0xef, 0xbb, 0xbf, ...userBytes(name)]), ENTRA_CONTENT_TYPE, chunked)
      expect(res.status).toBe(201)
      expect((await readJson(res)).userName).toBe(name)
    }
  })
})
