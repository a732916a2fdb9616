// The start banner's URLs: IPv6 listen addresses in brackets, so the printed Tenant URL can be pasted.
import { describe, expect, test } from 'bun:test'
import { listenOrigin, urlHost } from '../../src/cli/listen-url'

describe('cli/listen-url', () => {
  test('an IPv6 literal is bracketed; names and IPv4 addresses are not', () => {
    expect(listenOrigin('http', '::1', 8080)).toBe('http://[::1]:8080')
    expect(listenOrigin('https', '2001:db8::5', 443)).toBe('https://[2001:db8::5]:443')
    expect(new URL(`${listenOrigin('http', 'fe80::1', 9100)}/metrics`).port).toBe('9100')
    expect(listenOrigin('http', '127.0.0.1', 8080)).toBe('http://127.0.0.1:8080')
    expect(urlHost('scim.example.com')).toBe('scim.example.com')
    expect(urlHost('[::1]')).toBe('[::1]')
  })
})
