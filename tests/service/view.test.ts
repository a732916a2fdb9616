// A whole view spliced from the stored JSON equals the view rendered from the parsed document.
import { describe, expect, test } from 'bun:test'
import { documentText, parseDocument } from '../../src/scim/document-text'
import { DEFAULT_LIMITS } from '../../src/scim/limits'
import { planOf } from '../../src/scim/project'
import { visibleData } from '../../src/scim/render'
import type { ServiceDeps, StoredResource } from '../../src/service/context'
import { runSync } from '../../src/service/effect'
import { renderView as renderViewOf, viewJson as viewJsonOf } from '../../src/service/view'
import { openDatabase } from '../../src/store/db'
import { createResourceStore } from '../../src/store/resource-store'
import { builtinRegistry, generateDataset, Rng, storeDataset, typeOf } from '../helpers/generate'
import { syncStore } from '../helpers/sync-store'

function depsWithDataset(seed: number) {
  const db = openDatabase(':memory:', 'normal')
  const ds = generateDataset(new Rng(seed), 200, 30)
  // An integer-like key goes first in a JS object, so a rendered view puts it before `schemas`
  // while a spliced one keeps it where the stored text has it: the test can tell the paths apart.
  for (const doc of [...ds.users, ...ds.groups].filter((_, i) => i % 3 === 0)) doc['7'] = 'undeclared, kept as sent'
  storeDataset(db, ds)
  const registry = builtinRegistry(true)
  const deps: ServiceDeps = {
    store: createResourceStore(db.orm, db.sqlite),
    registry,
    settings: { maxResults: 1000, defaultCount: 100, cursorTimeout: 3600, limits: DEFAULT_LIMITS },
    now: () => new Date(),
    newId: () => crypto.randomUUID(),
  }
  return { deps, store: syncStore(deps.store), ds, registry }
}

// The views, run at once: the SQLite store never makes them wait.
const viewJson = (...args: Parameters<typeof viewJsonOf>) => runSync(viewJsonOf(...args))
const renderView = (...args: Parameters<typeof renderViewOf>) => runSync(renderViewOf(...args))

/** The same row with a parsed copy of its data, which has no stored text: the rendered path. */
const unspliced = (row: StoredResource): StoredResource => ({ ...row, data: structuredClone(row.data) })

describe('service/view spliced JSON', () => {
  const req: { base: string; attributes?: string; excludedAttributes?: string } = {
    base: 'https://scim.example.com/scim/v2',
  }

  // The default view, and the ones Entra asks for groups: leaving out what is only looked up to be
  // shown (members, groups) keeps the rest of the view whole, so these are spliced too.
  const shapes = [{}, { excludedAttributes: 'members' }, { excludedAttributes: 'groups,members' }]

  test.each(shapes)(
    'equals the rendered view for every generated user and group, read by id, by name and in pages (%o)',
    (shape) => {
      const { deps, store, ds, registry } = depsWithDataset(3)
      const request = { ...req, ...shape }
      let splicedMarked = 0
      for (const [name, docs] of [
        ['User', ds.users],
        ['Group', ds.groups],
      ] as const) {
        const type = typeOf(registry, name)
        const pageRows = store.query(type, {
          sortBy: undefined,
          descending: false,
          startIndex: 1,
          count: 1000,
        }).rows
        for (const doc of docs) {
          const byId = store.get(type, doc.id as string)!
          const key = String(name === 'User' ? doc.userName : doc.displayName).toLowerCase()
          for (const row of [byId, ...store.findByName(type, key), pageRows.find((r) => r.id === doc.id)!]) {
            expect(documentText(row.data)).toBeDefined()
            const { json, etag } = viewJson(deps, type, row, request)
            const rendered = renderView(deps, type, unspliced(row), request)
            expect(JSON.parse(json)).toEqual(rendered.doc)
            expect(etag).toBe(rendered.etag)
            const spliced = json !== JSON.stringify(rendered.doc)
            // Only a view that keeps everything may be spliced (nothing for the lists or for
            // rendering to leave out, such as an empty list); a marked one that does must be.
            const plan = planOf(type, request.attributes, request.excludedAttributes)
            if (!(plan.keepsRendered && plan.keepsWhole(row.data)) || visibleData(row.data) !== row.data)
              expect(spliced).toBe(false)
            else if ('7' in row.data) {
              expect(spliced).toBe(true)
              splicedMarked++
            }
          }
        }
      }
      expect(splicedMarked).toBeGreaterThan(150)
    }
  )

  test('a selection or exclusion, and a document changed after reading, take the rendered path', () => {
    const { deps, store, ds, registry } = depsWithDataset(4)
    const type = typeOf(registry, 'User')
    const row = store.get(type, ds.users[0]!.id as string)!
    expect(JSON.parse(viewJson(deps, type, row, { ...req, attributes: 'userName' }).json)).toEqual(
      renderView(deps, type, row, { ...req, attributes: 'userName' }).doc
    )
    expect(JSON.parse(viewJson(deps, type, row, { ...req, excludedAttributes: 'emails' }).json).emails).toBeUndefined()
    const changed: StoredResource = { ...row, data: { ...row.data, title: 'Changed after reading' } }
    expect(JSON.parse(viewJson(deps, type, changed, req).json).title).toBe('Changed after reading')
  })

  test('a document read from the database cannot be changed in place in a source run, so its text cannot go stale', () => {
    const { deps, store, ds, registry } = depsWithDataset(5)
    const type = typeOf(registry, 'User')
    const user = ds.users.find((u) => Array.isArray(u.emails) && u.emails.length > 0 && u.name)!
    const row = store.get(type, user.id as string)!
    const data = row.data as { title?: string; name: { givenName?: string }; emails: { value: string }[] }
    expect(() => {
      data.title = 'changed in place'
    }).toThrow(TypeError)
    expect(() => {
      data.name.givenName = 'changed in place'
    }).toThrow(TypeError)
    expect(() => {
      data.emails[0]!.value = 'changed@in.place'
    }).toThrow(TypeError)
    expect(() => {
      data.emails.push({ value: 'pushed@in.place' })
    }).toThrow(TypeError)
    expect(JSON.parse(viewJson(deps, type, row, req).json)).toEqual(renderView(deps, type, unspliced(row), req).doc)
  })

  test('parsed documents remember their text; copies do not', () => {
    const doc = parseDocument('{"userName":"a","0":1}')
    expect(documentText(doc)).toBe('{"userName":"a","0":1}')
    expect(documentText({ ...doc })).toBeUndefined()
  })
})
