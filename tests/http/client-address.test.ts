// The peer address is asked of the listener only when a limit needs it, never on every request.
import { expect, test } from 'bun:test'
import { clientAddress, rememberClientAddress, rememberListener } from '../../src/http/client-address'

test('the listener is asked for the address only when clientAddress is called', () => {
  let asked = 0
  const request = new Request('http://127.0.0.1/admin/sign-in')
  rememberListener(request, {
    requestIP: () => {
      asked += 1
      return { address: '192.0.2.7' }
    },
  })
  expect(asked).toBe(0)
  expect(clientAddress(request)).toBe('192.0.2.7')
  expect(asked).toBe(1)
})

test('a known address wins; without either it is unknown', () => {
  const known = new Request('http://127.0.0.1/admin/sign-in')
  rememberClientAddress(known, '198.51.100.1')
  rememberListener(known, { requestIP: () => ({ address: '192.0.2.7' }) })
  expect(clientAddress(known)).toBe('198.51.100.1')
  expect(clientAddress(new Request('http://127.0.0.1/admin/sign-in'))).toBe('unknown')
})
