// Durations for --expires: a whole number and one unit, nothing looser.
import { expect, test } from 'bun:test'
import { DurationError, parseDuration } from '../../src/cli/duration'

test.each([
  ['90d', 90 * 86_400_000],
  ['12h', 12 * 3_600_000],
  ['30m', 30 * 60_000],
  ['45s', 45_000],
  [' 1d ', 86_400_000],
])('%p is %p ms', (text, ms) => {
  expect(parseDuration(text)).toBe(ms)
})

test.each(['', '90', 'd', '0d', '-1d', '1.5d', '3mo', '1w', '90D', '1d2h', '01d', '1234567890d'])(
  '%p is refused with a message that shows the form',
  (text) => {
    expect(() => parseDuration(text)).toThrow(DurationError)
    expect(() => parseDuration(text)).toThrow('such as 90d')
  }
)
