// An internal error: one log line with an id, the same id in the 500 body, the stack only when debugging.
import { afterEach, expect, spyOn, test } from 'bun:test'
import { consoleErrorLog } from '../../src/http/plugins/errors'
import { makeTestApp } from '../helpers/app'
import { expectScimError } from '../helpers/scim'

afterEach(() => {
  ;(console.error as unknown as { mockRestore?: () => void }).mockRestore?.()
})

test('the log line and the 500 detail carry the same id; no internals reach the client', async () => {
  const lines: string[] = []
  const { server, request } = makeTestApp({ log: (message) => lines.push(message) })
  server.deps.store.query = () => {
    throw new Error('disk on fire\n    at somewhere (x.ts:1:1)')
  }
  const body = await expectScimError(await request('GET', '/scim/v2/Users'), 500)
  expect(lines).toHaveLength(1)
  const m = /^internal error ([0-9a-f]{8}) on GET \/scim\/v2\/Users: disk on fire$/.exec(lines[0]!)
  expect(m).not.toBeNull()
  expect(body.detail).toBe(`internal server error (id ${m![1]})`)
})

test('the console log writes one line, and the stack too only with --debug', () => {
  const printed: string[] = []
  spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')))
  const error = new Error('boom')
  consoleErrorLog(false)('internal error 0badc0de on GET /x: boom', error)
  expect(printed).toEqual(['internal error 0badc0de on GET /x: boom'])
  consoleErrorLog(true)('internal error 0badc0de on GET /x: boom', error)
  expect(printed[1]).toStartWith('internal error 0badc0de on GET /x: boom\n')
  expect(printed[1]).toContain(error.stack!)
})
