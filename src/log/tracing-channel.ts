// Gives Bun's diagnostics_channel TracingChannel the `hasSubscribers` getter Node has, which pino reads on every line.
import { tracingChannel } from 'node:diagnostics_channel'

type Channels = Record<'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error', { hasSubscribers: boolean }>

/**
 * pino serialises each line through `asJsonChan.traceSync(...)` unless the channel's
 * `hasSubscribers` is `false`. Bun (1.4) leaves that getter out, so the check sees `undefined`
 * and every log line ran through traceSync and its AsyncLocalStorage bookkeeping: ~2.5 µs of
 * a 4 µs request line. Node defines it as "any of the five channels has a subscriber"; this adds
 * the same definition where it is missing, once, before any logger is made.
 */
export function ensureTracingHasSubscribers(): void {
  const proto = Object.getPrototypeOf(tracingChannel('scim-server:probe')) as object
  if ('hasSubscribers' in proto) return
  Object.defineProperty(proto, 'hasSubscribers', {
    configurable: true,
    get(this: Channels) {
      return (
        this.start.hasSubscribers ||
        this.end.hasSubscribers ||
        this.asyncStart.hasSubscribers ||
        this.asyncEnd.hasSubscribers ||
        this.error.hasSubscribers
      )
    },
  })
}
