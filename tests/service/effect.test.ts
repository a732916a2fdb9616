// Effects: a store call that never waits runs synchronously; one that waits is driven through its promises.
import { describe, expect, test } from 'bun:test'
import { awaited, type Effect, run, runSync } from '../../src/service/effect'

// Effects that stand for a synchronous store's calls: they return without yielding.
function* now<T>(value: T): Effect<T> {
  return value
}
function* failsNow(message: string): Effect<never> {
  throw new Error(message)
}

describe('service/effect', () => {
  test('run gives the value itself, not a promise, when nothing is yielded', () => {
    function* both(): Effect<number> {
      const a = yield* now(2)
      const b = yield* now(3)
      return a * b
    }
    const value = run(both())
    expect(value instanceof Promise).toBe(false)
    expect(value).toBe(6)
  })

  test('run throws synchronously what a never-yielding effect throws', () => {
    expect(() => run(failsNow('at once'))).toThrow('at once')
  })

  test('run awaits each yielded promise and resumes the effect with its value', async () => {
    const seen: number[] = []
    function* chain(): Effect<number> {
      const a = yield* awaited(Promise.resolve(1))
      seen.push(a)
      const b = yield* now(a + 1)
      seen.push(b)
      const c = yield* awaited(new Promise<number>((resolve) => setTimeout(() => resolve(b + 1), 1)))
      seen.push(c)
      return a + b + c
    }
    const value = run(chain())
    expect(value instanceof Promise).toBe(true)
    expect(await value).toBe(6)
    expect(seen).toEqual([1, 2, 3])
  })

  test('run is synchronous up to the first yield', async () => {
    const order: string[] = []
    function* effect(): Effect<string> {
      order.push('before')
      yield* awaited(Promise.resolve())
      order.push('after')
      return 'done'
    }
    const result = run(effect())
    order.push('returned')
    await result
    expect(order).toEqual(['before', 'returned', 'after'])
  })

  test('a rejected promise is thrown into the effect, where try/catch catches it', async () => {
    function* recovering(): Effect<string> {
      try {
        yield* awaited(Promise.reject(new Error('refused')))
        return 'not reached'
      } catch (err) {
        // After the error, the effect goes on waiting as before.
        const again = yield* awaited(Promise.resolve('again'))
        return `${(err as Error).message}, then ${again}`
      }
    }
    expect(await run(recovering())).toBe('refused, then again')
  })

  test('an uncaught rejection rejects the run, and finally blocks run on the way out', async () => {
    const cleaned: string[] = []
    function* inner(): Effect<number> {
      try {
        return yield* awaited(Promise.reject(new Error('inner')))
      } finally {
        cleaned.push('inner')
      }
    }
    function* outer(): Effect<number> {
      try {
        return (yield* inner()) + 1
      } finally {
        cleaned.push('outer')
      }
    }
    await expect(run(outer())).rejects.toThrow('inner')
    expect(cleaned).toEqual(['inner', 'outer'])
  })

  test('an error thrown after a yield (not by a promise) rejects the run', async () => {
    function* late(): Effect<number> {
      yield* awaited(Promise.resolve())
      throw new Error('after the wait')
    }
    await expect(run(late())).rejects.toThrow('after the wait')
  })

  test('an error caught across a yield and thrown again keeps its identity', async () => {
    const original = new Error('kept')
    function* rethrowing(): Effect<void> {
      try {
        yield* awaited(Promise.reject(original))
      } catch (err) {
        yield* awaited(Promise.resolve())
        throw err
      }
    }
    const settled = await (run(rethrowing()) as Promise<void>).catch((err) => err)
    expect(settled).toBe(original)
  })

  test('runSync drives a never-yielding effect and passes its errors on', () => {
    function* both(): Effect<string> {
      return `${yield* now('a')}${yield* now('b')}`
    }
    expect(runSync(both())).toBe('ab')
    expect(() => runSync(failsNow('sync'))).toThrow('sync')
  })

  test('runSync refuses an effect that yields, stopping it (finally runs, nothing after the yield)', () => {
    const reached: string[] = []
    function* waits(): Effect<void> {
      try {
        yield* awaited(Promise.reject(new Error('never awaited')))
        reached.push('after the yield')
      } finally {
        reached.push('finally')
      }
    }
    expect(() => runSync(waits())).toThrow('its store is synchronous')
    expect(reached).toEqual(['finally'])
  })
})
