// readBytesWithin: bodies past the bound are refused without being read to their end.
import { describe, expect, test } from 'bun:test'
import { readBytesWithin } from '../../src/http/bounded-body'

/** A chunked body of `chunks` × 1 KiB that counts how much of it was pulled. */
function endlessBody(chunks: number) {
  const pulled = { bytes: 0 }
  let left = chunks
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (left-- <= 0) return controller.close()
      pulled.bytes += 1024
      controller.enqueue(new Uint8Array(1024).fill(97))
    },
  })
  return { body, pulled }
}

describe('readBytesWithin', () => {
  test('a chunked body past the bound is undefined after reading little more than the bound', async () => {
    const { body, pulled } = endlessBody(100_000)
    const request = new Request('http://x/', { method: 'POST', body })
    expect(await readBytesWithin(request, 16_384)).toBeUndefined()
    expect(pulled.bytes).toBeLessThan(16_384 + 4 * 1024)
  })

  test('a chunked body within the bound is read whole', async () => {
    const { body } = endlessBody(10)
    const bytes = await readBytesWithin(new Request('http://x/', { method: 'POST', body }), 16_384)
    expect(bytes?.byteLength).toBe(10_240)
  })

  test('a declared length over the bound is refused; one within is read', async () => {
    const big = new Request('http://x/', {
      method: 'POST',
      body: 'a'.repeat(20_000),
      headers: { 'content-length': '20000' },
    })
    expect(await readBytesWithin(big, 16_384)).toBeUndefined()
    // A header that says less than was sent is caught on the bytes.
    const lying = new Request('http://x/', {
      method: 'POST',
      body: 'a'.repeat(20_000),
      headers: { 'content-length': '10' },
    })
    expect(await readBytesWithin(lying, 16_384)).toBeUndefined()
    const small = new Request('http://x/', { method: 'POST', body: 'name=a', headers: { 'content-length': '6' } })
    expect(new TextDecoder().decode(await readBytesWithin(small, 16_384))).toBe('name=a')
  })
})
