// Table-driven PATCH tests: every tests/fixtures/patch/*.json case through normalize + applyPatch.
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { normalizePatchRequest } from '../../../src/scim/compat/normalize-patch'
import { ScimError } from '../../../src/scim/errors'
import { applyPatch, type MemberOp } from '../../../src/scim/patch/apply'
import { testRegistry, typeNamed } from './registry'

interface PatchCase {
  name: string
  resourceType?: 'User' | 'Group'
  packs?: string[]
  before: Record<string, unknown>
  request: unknown
  after?: Record<string, unknown>
  memberOps?: unknown[]
  changed?: boolean
  error?: { status: number; scimType?: string; detail?: string }
}

const DIR = join(import.meta.dir, '../../fixtures/patch')
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()

/** removeWhere carries a resolved filter (with schema back-references); compare its kind only. */
function comparable(ops: MemberOp[]): unknown[] {
  return ops.map((op) => (op.kind === 'removeWhere' ? { kind: op.kind } : op))
}

function run(c: PatchCase) {
  const type = typeNamed(testRegistry(c.packs), c.resourceType ?? 'User')
  return applyPatch(type, c.before, normalizePatchRequest(c.request))
}

for (const file of FILES) {
  const { source, cases } = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { source: string; cases: PatchCase[] }
  describe(`scim/patch fixtures ${file} — ${source}`, () => {
    test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const before = structuredClone(c.before)
      if (c.error) {
        let caught: unknown
        try {
          run(c)
        } catch (err) {
          caught = err
        }
        expect(caught).toBeInstanceOf(ScimError)
        const e = caught as ScimError
        expect(e.status).toBe(c.error.status as never)
        if (c.error.scimType) expect(e.scimType).toBe(c.error.scimType as never)
        if (c.error.detail) expect(e.detail).toContain(c.error.detail)
      } else {
        const result = run(c)
        expect(result.doc).toEqual(c.after!)
        expect(comparable(result.memberOps)).toEqual(c.memberOps ?? [])
        if (c.changed !== undefined) expect(result.changed).toBe(c.changed)
      }
      // Pure: the input document is never modified, whether the patch succeeds or fails.
      expect(c.before).toEqual(before)
    })
  })
}
