// The last catch around main: one line for any failure, a storage one said plainly, the stack only when asked.
import { afterEach, expect, spyOn, test } from 'bun:test'
import { reportFailure } from '../../src/cli/report-failure'

afterEach(() => {
  process.exitCode = 0
})

function printed(err: unknown, debug: boolean): string[] {
  const lines: string[] = []
  const spy = spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)))
  try {
    reportFailure(err, debug)
  } finally {
    spy.mockRestore()
  }
  return lines
}

test('a full disk is one line saying so, exit status 1', () => {
  const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
  expect(printed(full, false)).toEqual([
    'scim-server: the disk holding the database is full (database or disk is full): free some space and try again',
  ])
  expect(process.exitCode).toBe(1)
})

test('anything else is its message and a hint, the stack only with SCIM_DEBUG=1', () => {
  const odd = new Error('something odd')
  expect(printed(odd, false)).toEqual([
    'scim-server: something odd',
    'scim-server: that was unexpected; SCIM_DEBUG=1 prints where it happened',
  ])
  const debugged = printed(odd, true)
  expect(debugged[0]).toBe('scim-server: something odd')
  expect(debugged[1]).toContain('report-failure.test.ts')
})
