// Assertions shared by HTTP tests: SCIM error bodies, media type, and JSON reading.
import { expect } from 'bun:test'
import { ScimError } from '../../src/scim/errors'

import { URN_PATCH_OP } from './entra'

// Wire URNs are spelled out once for clients (src/selftest/wire.ts), independently of src/scim.
export { URN_ENTERPRISE, URN_GROUP, URN_USER } from './entra'

export function patchBody(...ops: object[]) {
  return { schemas: [URN_PATCH_OP], Operations: ops }
}

export async function readJson<T = Record<string, any>>(res: Response): Promise<T> {
  expect(res.headers.get('content-type') ?? '').toStartWith('application/scim+json')
  return (await res.json()) as T
}

/** A response's text and, when that text is JSON, its value: what tests show when an exchange fails. */
export async function textAndBody<T>(res: Response): Promise<{ text: string; body: T | undefined }> {
  const text = await res.text()
  try {
    return { text, body: text ? (JSON.parse(text) as T) : undefined }
  } catch {
    return { text, body: undefined }
  }
}

/** Asserts a SCIM Error body (RFC 7644 §3.12): string status, right scimType, SCIM media type. */
export async function expectScimError(res: Response, status: number, scimType?: string): Promise<Record<string, any>> {
  const body = await readJson(res)
  expect(res.status).toBe(status)
  expect(body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error'])
  expect(body.status).toBe(String(status))
  expect(body.scimType).toBe(scimType)
  expect(typeof body.detail).toBe('string')
  return body
}

/** Runs `fn`, which must throw a ScimError, and returns that error for inspection. */
export function catchScimError(fn: () => unknown): ScimError {
  try {
    fn()
  } catch (err) {
    if (err instanceof ScimError) return err
    throw err
  }
  throw new Error('expected a ScimError')
}
