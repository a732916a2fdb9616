// RFC 7644 §3.5.2 PATCH paths: bounded length and nesting, clipped echoes.
import { describe, expect, test } from 'bun:test'
import { parsePatchPath } from '../../../src/scim/path/parse'
import { MAX_ECHO, quoted } from '../../../src/scim/errors'
import { catchScimError } from '../../helpers/scim'

describe('scim/path/parse', () => {
  test('a path past the filter length limit is invalidPath, without echoing it', () => {
    const err = catchScimError(() => parsePatchPath(`emails[value eq "${'x'.repeat(5000)}"]`))
    expect(err.scimType).toBe('invalidPath')
    expect(err.detail).toBe('path is longer than 4096 characters')
  })

  test('a value filter nested past the node limit is invalidPath naming the depth', () => {
    const err = catchScimError(() => parsePatchPath(`emails[${'('.repeat(1000)}value pr${')'.repeat(1000)}]`))
    expect(err.scimType).toBe('invalidPath')
    expect(err.detail).toContain('nested more than 200 levels deep')
    expect(err.detail.length).toBeLessThan(300)
  })

  test('a malformed path is echoed clipped and JSON-quoted', () => {
    const err = catchScimError(() => parsePatchPath(`${'a'.repeat(200)}!`))
    expect(err.detail).toBe(`invalid path ${quoted(`${'a'.repeat(200)}!`)}`)
    expect(err.detail).toContain('… (201 characters)')
  })
})

describe('scim/errors quoted', () => {
  test('short text is JSON-quoted whole; long text is clipped to MAX_ECHO with its length', () => {
    expect(quoted('emails[type eq "work"]')).toBe('"emails[type eq \\"work\\"]"')
    expect(quoted('a\u0001b')).toBe('"a\\u0001b"')
    const long = 'y'.repeat(MAX_ECHO + 1)
    expect(quoted(long)).toBe(`"${'y'.repeat(MAX_ECHO)}"… (${MAX_ECHO + 1} characters)`)
  })
})
