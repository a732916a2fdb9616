// An internal error: one log line with the request id, the same id in the 500 body and x-request-id, the stack only at debug.
import { expect, spyOn, test } from 'bun:test'
import { makeTestApp } from '../helpers/app'
import { captureLog } from '../helpers/log-capture'
import { expectScimError } from '../helpers/scim'

function failingApp(level: 'info' | 'debug') {
  const log = captureLog(level)
  const t = makeTestApp({ logger: log.logger }, (a) => {
    a.server.deps.store.query = () => {
      throw new Error('disk on fire\n    at somewhere (x.ts:1:1)')
    }
  })
  return Object.assign(t, { log })
}

test('the error line and the 500 detail carry the request id; no internals reach the client', async () => {
  const { request, log } = failingApp('info')
  const res = await request('GET', '/scim/v2/Users')
  const id = res.headers.get('x-request-id')!
  const body = await expectScimError(res, 500)
  expect(body.detail).toBe(`internal server error (id ${id})`)
  const errors = log.records().filter((r) => r.level === 'error')
  expect(errors).toHaveLength(1)
  expect(errors[0]).toMatchObject({ reqId: id, msg: 'internal error on GET /scim/v2/Users: disk on fire' })
  expect(errors[0]!.stack).toBeUndefined()
  // The request line follows, with the same id.
  expect(log.records().find((r) => r.msg === 'request')).toMatchObject({ reqId: id, status: 500 })
  expect(log.lines.every((line) => !line.slice(0, -1).includes('\n'))).toBe(true)
})

test('at debug level the error record carries the stack', async () => {
  const { request, log } = failingApp('debug')
  await expectScimError(await request('GET', '/scim/v2/Users'), 500)
  const error = log.records().find((r) => r.level === 'error')!
  expect(String(error.stack)).toStartWith('Error: disk on fire')
})

test('without a logger an embedded server writes nothing, even for internal errors', async () => {
  const t = makeTestApp({}, (a) => {
    a.server.deps.store.query = () => {
      throw new Error('boom')
    }
  })
  const written: unknown[] = []
  const spies = [
    spyOn(console, 'error'),
    spyOn(console, 'log'),
    spyOn(process.stdout, 'write'),
    spyOn(process.stderr, 'write'),
  ]
  for (const spy of spies) spy.mockImplementation(((...args: unknown[]) => void written.push(args)) as never)
  try {
    await expectScimError(await t.request('GET', '/scim/v2/Users'), 500)
  } finally {
    for (const spy of spies) spy.mockRestore()
  }
  expect(written).toEqual([])
})
