// Route labels for logs and metrics: every route of the app maps back to its own pattern.
import { describe, expect, test } from 'bun:test'
import { RoutePatterns } from '../../src/http/route-fallback'
import { makeTestApp } from '../helpers/app'

describe('RoutePatterns', () => {
  const routes = [
    { method: 'GET', path: '/scim/v2/Users' },
    { method: 'GET', path: '/scim/v2/Users/:id' },
    { method: 'PATCH', path: '/scim/v2/Users/:id' },
    { method: 'ALL', path: '/admin/live/:tenant' },
    { method: 'GET', path: '/scim/v2/:type/:id/history' },
    { method: 'GET', path: '/healthz' },
  ]
  const patterns = new RoutePatterns(routes)

  test('static, last-segment and inner parameters, ALL and HEAD', () => {
    expect(patterns.patternOf('GET', '/scim/v2/Users')).toBe('/scim/v2/Users')
    expect(patterns.patternOf('GET', '/scim/v2/Users/abc')).toBe('/scim/v2/Users/:id')
    expect(patterns.patternOf('HEAD', '/scim/v2/Users/abc')).toBe('/scim/v2/Users/:id')
    expect(patterns.patternOf('PATCH', '/scim/v2/Users/abc')).toBe('/scim/v2/Users/:id')
    expect(patterns.patternOf('POST', '/admin/live/acme')).toBe('/admin/live/:tenant')
    expect(patterns.patternOf('GET', '/scim/v2/Groups/g1/history')).toBe('/scim/v2/:type/:id/history')
  })

  test('what no route serves has no pattern', () => {
    expect(patterns.patternOf('DELETE', '/scim/v2/Users/abc')).toBeUndefined()
    expect(patterns.patternOf('GET', '/scim/v2/Users/abc/def')).toBeUndefined()
    expect(patterns.patternOf('GET', '/scim/v2/Users/')).toBeUndefined()
    expect(patterns.patternOf('GET', '/scim/v2/Groups/abc')).toBeUndefined()
    expect(patterns.patternOf('GET', '/nothing')).toBeUndefined()
  })

  test("each of the app's routes, with its parameters filled in, is labelled with its own pattern", async () => {
    const t = makeTestApp()
    await t.ready
    const app = t.server.app
    const all = app.routes.map(({ method, path }) => ({ method, path }))
    const labels = new RoutePatterns(all)
    let checked = 0
    for (const { method, path } of all) {
      if (path.includes('*')) continue
      const concrete = path.replace(/:[^/]+/g, 'x1')
      const label = labels.patternOf(method === 'ALL' ? 'GET' : method, concrete)
      // Another route may take the same concrete path first (a static one, say); then it is that one's.
      const owner = all.find((r) => r.path === label)
      expect(owner).toBeDefined()
      if (!path.includes(':') || label === path) checked += 1
    }
    expect(checked).toBeGreaterThan(20)
  })
})
