// The tenant a request is served by: its base follows each request's origin, however many hosts clients send.
import { expect, test } from 'bun:test'
import { servedBy } from '../../src/http/tenant-of'
import { attachContext } from '../../src/http/request-context'
import type { TenantServices } from '../../src/tenants/types'

const services = { name: 'default', deps: { settings: {} }, filters: {}, rateLimit: 0 } as unknown as TenantServices
const served = servedBy({ get: (name) => (name === 'default' ? services : undefined) })

function request(host: string): Request {
  const r = new Request(`http://${host}/scim/v2/Users`)
  attachContext(r, { id: 'x', tenant: 'default', origin: `http://${host}` })
  return r
}

test('each origin gets its own base, also past the remembered few, and one object per base', () => {
  const first = served(request('h0.example'))
  for (let i = 0; i < 40; i++) expect(served(request(`h${i}.example`)).base).toBe(`http://h${i}.example/scim/v2`)
  expect(served(request('h0.example')).base).toBe('http://h0.example/scim/v2')
  expect(served(request('h39.example'))).toBe(served(request('h39.example')))
  expect(first.deps).toBe(services.deps)
})

test('an unknown tenant is a SCIM 404', () => {
  const r = new Request('http://h/scim/v2/Users')
  attachContext(r, { id: 'x', tenant: 'nope' })
  expect(() => served(r)).toThrow('no tenant is called nope')
})
