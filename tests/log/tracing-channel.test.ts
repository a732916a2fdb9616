// pino's per-line check for tracing subscribers sees false without subscribers, true with one, as on Node.
import { expect, test } from 'bun:test'
import { channel, tracingChannel } from 'node:diagnostics_channel'
import { createLogger } from '../../src/log/logger'

test('after a logger is made, a tracing channel without subscribers says false, with one true', () => {
  createLogger({ format: 'json', level: 'info', sink: { write() {} } })
  const traced = tracingChannel('scim-server:test')
  expect(traced.hasSubscribers).toBe(false)
  const listener = () => {}
  channel('tracing:scim-server:test:end').subscribe(listener)
  expect(traced.hasSubscribers).toBe(true)
  channel('tracing:scim-server:test:end').unsubscribe(listener)
  expect(traced.hasSubscribers).toBe(false)
})

test("pino's own channel is skipped: no line goes through traceSync", () => {
  const lines: string[] = []
  const logger = createLogger({ format: 'json', level: 'info', sink: { write: (line: string) => lines.push(line) } })
  let traced = 0
  const proto = Object.getPrototypeOf(tracingChannel('scim-server:test')) as { traceSync: (...a: unknown[]) => unknown }
  const original = proto.traceSync
  proto.traceSync = function (this: unknown, ...args: unknown[]) {
    traced += 1
    return original.apply(this, args)
  }
  try {
    logger.info({ a: 1 }, 'request')
  } finally {
    proto.traceSync = original
  }
  expect(lines).toHaveLength(1)
  expect(traced).toBe(0)
})
