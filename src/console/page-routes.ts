// The signed-in pages: dashboard, users, groups and a resource's detail, all read through the services.
import { Elysia } from 'elysia'
import type { Doc } from '../scim/document'
import { ScimError } from '../scim/errors'
import type { ServiceDeps } from '../service/context'
import type { RequestInfo } from '../service/result'
import {
  countOf,
  filtersOf,
  listPage as readList,
  MEMBER_LINKS,
  membersOf,
  modifiedSince,
  recentlyModified,
  resourceAsServed,
  typeNamed,
} from './data'
import { guard, type GuardDeps } from './guard'
import type { ConsoleJournal } from './console-store'
import { tenantHref, type Viewer } from './layout'
import { dashboardPage, type Pace } from './pages/dashboard'
import { detailPage, goneResourcePage, listPage } from './pages/resources'
import { htmlResponse, redirect } from './respond'
import { readSearch } from './search'

/** How many recently modified resources the dashboard lists. */
const RECENT = 10
const KINDS = ['User', 'Group'] as const

export interface PageDeps extends GuardDeps {
  journal: ConsoleJournal
  now: () => number
  certificateEnd?: (() => Date | undefined) | undefined
}

export function pageRoutes(deps: PageDeps) {
  const { journal, now, certificateEnd } = deps
  const signedIn = guard(deps).page
  const historyOf = (tenant: string, kind: string, id: string) =>
    journal.page({ tenant, resourceType: kind, resourceId: id })

  const list = (kind: (typeof KINDS)[number]) =>
    signedIn(async (v, deps, req, query) => {
      const type = typeNamed(deps, kind)!
      const q = query.q ?? ''
      const search = readSearch(q, kind)
      let result: Parameters<typeof listPage>[1]['result']
      let status = 200
      try {
        result = await readList(deps, filtersOf(deps), type, { filter: search.filter, cursor: query.cursor }, req)
      } catch (err) {
        if (!(err instanceof ScimError)) throw err
        result = { error: err.detail }
        status = err.status
      }
      return htmlResponse(listPage(v, { kind, q, search, result }), status)
    })

  const detail = (kind: (typeof KINDS)[number]) =>
    signedIn(async (v, deps, req, query) => {
      const id = query.id ?? ''
      if (id === '') return redirect(tenantHref(v.tenant, kind === 'User' ? '/users' : '/groups'))
      try {
        return await detailOf(v, deps, req, kind, id)
      } catch (err) {
        if (!(err instanceof ScimError) || err.status !== 404) throw err
        return htmlResponse(goneResourcePage(v, kind, id, err.detail), 404)
      }
    })

  const detailOf = async (
    v: Viewer,
    deps: ServiceDeps,
    req: RequestInfo,
    kind: (typeof KINDS)[number],
    id: string
  ): Promise<Response> => {
    const type = typeNamed(deps, kind)!
    if (kind === 'Group') {
      // A large group is shown without its member list in the JSON (as ?excludedAttributes=members
      // serves it) and with its first members as links: 100,000 members made a 43 MB page that
      // held the server for 1.4 s, 700 ms of it reading every member.
      const slim = await resourceAsServed(deps, type, id, { ...req, excludedAttributes: 'members' })
      const members = await membersOf(deps, id, MEMBER_LINKS)
      if (members.total > MEMBER_LINKS) {
        const view = {
          kind,
          doc: slim,
          json: JSON.stringify(slim, null, 2),
          members,
          history: await historyOf(v.tenant, kind, id),
        }
        return htmlResponse(detailPage(v, view))
      }
    }
    const doc = await resourceAsServed(deps, type, id, req)
    const history = await historyOf(v.tenant, kind, id)
    return htmlResponse(detailPage(v, { kind, doc, json: JSON.stringify(doc, null, 2), history }))
  }

  return new Elysia()
    .get(
      '',
      signedIn(async (v, deps, req) => {
        const filters = filtersOf(deps)
        const at = now()
        // Read before the page: an entry committed in between is shown twice rather than not at all.
        const drawnAfter = await journal.lastSeq(v.tenant)
        const pace: Pace[] = []
        const recent: { type: (typeof KINDS)[number]; doc: Doc }[] = []
        for (const kind of KINDS) {
          const type = typeNamed(deps, kind)!
          pace.push({
            type: kind,
            total: await countOf(deps, filters, type),
            last5m: await modifiedSince(deps, type, new Date(at - 5 * 60_000)),
            lastHour: await modifiedSince(deps, type, new Date(at - 3600_000)),
            lastDay: await modifiedSince(deps, type, new Date(at - 86_400_000)),
          })
          for (const doc of await recentlyModified(deps, type, RECENT, req)) recent.push({ type: kind, doc })
        }
        const modified = (d: { doc: { meta?: unknown } }) =>
          (d.doc.meta as { lastModified?: string }).lastModified ?? ''
        recent.sort((a, b) => modified(b).localeCompare(modified(a)))
        return htmlResponse(
          dashboardPage(v, {
            pace,
            recent: recent.slice(0, RECENT),
            journal: await journal.summary(v.tenant, at),
            undelivered: deps.events?.undelivered(),
            certificate: certificateEnd?.(),
            at: new Date(at),
            drawnAfter,
          })
        )
      })
    )
    .get('/users', list('User'))
    .get('/groups', list('Group'))
    .get('/user', detail('User'))
    .get('/group', detail('Group'))
}
