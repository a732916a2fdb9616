// Failed sign-ins within a sliding window: the wait, its end, a success's reset, and the cap on keys.
import { describe, expect, test } from 'bun:test'
import { AttemptLimiter } from '../../src/console/attempts'

describe('console sign-in attempts', () => {
  test('after `failures` in the window a key waits until the oldest one leaves it', () => {
    const limiter = new AttemptLimiter({ failures: 3, windowMs: 60_000 })
    limiter.fail('ada', 0)
    limiter.fail('ada', 10_000)
    expect(limiter.wait('ada', 20_000)).toBe(0)
    limiter.fail('ada', 20_000)
    expect(limiter.wait('ada', 20_000)).toBe(40)
    expect(limiter.wait('ada', 59_500)).toBe(1)
    expect(limiter.wait('ada', 60_001)).toBe(0)
    expect(limiter.wait('bob', 20_000)).toBe(0)
  })

  test('clear forgets a key; the number of keys kept is capped, oldest first', () => {
    const limiter = new AttemptLimiter({ failures: 1, windowMs: 60_000, maxKeys: 2 })
    limiter.fail('a', 0)
    limiter.clear('a')
    expect(limiter.wait('a', 1)).toBe(0)
    limiter.fail('a', 0)
    limiter.fail('b', 0)
    limiter.fail('c', 0)
    expect(limiter.wait('a', 1)).toBe(0)
    expect(limiter.wait('b', 1)).toBeGreaterThan(0)
    expect(limiter.wait('c', 1)).toBeGreaterThan(0)
  })
})
