// The document size limit bounds what either store sends back: numbers JavaScript writes in exponent form count at their plain-decimal length.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ScimError } from '../../src/scim/errors'
import { DEFAULT_LIMITS } from '../../src/scim/limits'
import { documentText } from '../../src/scim/document-text'
import type { StoredResource } from '../../src/service/context'
import { run } from '../../src/service/effect'
import { builtinRegistry, typeOf } from '../helpers/generate'
import { testPostgres } from '../helpers/postgres'
import { pgHarness, sqliteHarness, type StoreHarness } from './store-harness'

const server = await testPostgres()
const User = typeOf(builtinRegistry(), 'User')
const T0 = '2026-01-01T00:00:00.000Z'
const LIMIT = DEFAULT_LIMITS.maxDocumentBytes
const user = (id: string, data: Record<string, unknown>): StoredResource => ({
  id,
  type: 'User',
  data: { userName: id, ...data },
  version: 1,
  created: T0,
  lastModified: T0,
})

/** "1e+308," is 7 bytes here; PostgreSQL's text of it is 309 digits and ", ". */
const huge = (n: number) => ({ scores: Array.from({ length: n }, () => 1e308) })

for (const [kind, open] of [
  ['sqlite', async () => sqliteHarness()],
  ['pg', async () => pgHarness(server!)],
] as const) {
  describe.skipIf(kind === 'pg' && !server)(
    `stores (${kind}): exponent-form numbers against the document size limit`,
    () => {
      let h: StoreHarness
      beforeAll(async () => {
        h = await open()
      })
      afterAll(async () => {
        await h?.close()
      })
      const insert = (r: StoredResource) =>
        h.open('default').write(function* (tx) {
          yield* tx.insert(User, r)
        })

      test('3,400 × 1e308 (24 KB as JSON, 1.05 MB written out) is 413, as any document over the limit', async () => {
        const err = await insert(user('big', huge(3400))).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(ScimError)
        expect((err as ScimError).status).toBe(413)
        expect((err as ScimError).message).toContain('max-document-bytes')
        // The smallest positive double, 5e-324, is 326 characters written out.
        const tiny = await insert(user('tiny', { x: Array.from({ length: 3300 }, () => 5e-324) })).catch(
          (e: unknown) => e
        )
        expect((tiny as ScimError).status).toBe(413)
        expect(await run(h.open('default').get(User, 'big'))).toBeUndefined()
      })

      test('3,350 × 1e308 is stored, and what the store reads back stays within the limit', async () => {
        await insert(user('under', huge(3350)))
        const got = await run(h.open('default').get(User, 'under'))
        expect((got!.data.scores as number[]).length).toBe(3350)
        const text = documentText(got!.data) ?? JSON.stringify(got!.data)
        expect(Buffer.byteLength(text)).toBeLessThanOrEqual(LIMIT)
      })

      test('plain numbers, and exponent-like text in strings, cost nothing extra', async () => {
        // One byte under the limit as JSON: 1e20 is written out by JavaScript too; strings are text.
        const base = JSON.stringify(user('plain', { n: [1e20, 1.5e-6], s: '1e+308', pad: '' }).data).length
        const pad = 'x'.repeat(LIMIT - 1 - base)
        await insert(user('plain', { n: [1e20, 1.5e-6], s: '1e+308', pad }))
        expect(await run(h.open('default').get(User, 'plain'))).toBeDefined()
      })
    }
  )
}
