// A request body read with a byte bound: a declared length checked first, a chunked one counted as it comes.

/**
 * The body's bytes, or undefined once it is known to exceed `maxBytes`: a Content-Length over the
 * bound is refused before anything is read, and a body without one (chunked) is read with a
 * running count and cancelled as soon as it passes the bound, so no client makes the server hold
 * more than `maxBytes` (plus one chunk) of a body it will refuse.
 */
export async function readBytesWithin(request: Request, maxBytes: number): Promise<Uint8Array | undefined> {
  const declared = request.headers.get('content-length')
  if (declared !== null && declared.trim() !== '' && Number.isFinite(Number(declared))) {
    if (Number(declared) > maxBytes) return undefined
    const bytes = await request.bytes()
    // A lying header is caught here.
    return bytes.byteLength > maxBytes ? undefined : bytes
  }
  if (request.body === null) return new Uint8Array()
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let bytes = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    bytes += value.byteLength
    if (bytes > maxBytes) {
      void reader.cancel()
      return undefined
    }
    chunks.push(value)
  }
  return new Uint8Array(Bun.concatArrayBuffers(chunks))
}
