// The one gate of every signed-in page and action: the session, the tenant the URL names, its deps, CSRF on changes.
import { ScimError } from '../scim/errors'
import type { ServiceDeps } from '../service/context'
import type { RequestInfo } from '../service/result'
import { DEFAULT_TENANT } from '../tenants/name'
import { href, TENANT_PARAM, type Viewer } from './layout'
import { messagePage } from './pages/resources'
import { SIGN_IN_PATH } from './paths'
import { htmlResponse, readForm, redirect } from './respond'
import type { ConsoleSessions, SignedIn } from './sessions'

export interface GuardDeps {
  sessions: ConsoleSessions
  depsFor: (tenant: string) => ServiceDeps | undefined
  /** The SCIM API base of a tenant for this request, so meta.location reads as the API serves it. */
  apiBase: (tenant: string, request: Request) => string
  /** Every tenant's name, for the picker (read per page: a tenant added elsewhere shows on the next one). */
  tenantNames: () => Promise<readonly string[]>
}

type Query = Record<string, string | undefined>
export type PageRender = (
  v: Viewer,
  deps: ServiceDeps,
  req: RequestInfo,
  query: Query,
  request: Request
) => Response | Promise<Response>
export type ChangeRender = (
  v: Viewer,
  deps: ServiceDeps,
  req: RequestInfo,
  form: URLSearchParams,
  request: Request
) => Response | Promise<Response>

/** The tenant a console URL names: its `tenant` query parameter, the default tenant without one. */
export function tenantOf(query: Query): string {
  return query[TENANT_PARAM] || DEFAULT_TENANT
}

export function guard({ sessions, depsFor, apiBase, tenantNames }: GuardDeps) {
  const viewerOf = async (session: SignedIn, tenant: string): Promise<Viewer> => {
    const names = await tenantNames()
    return {
      admin: session.admin,
      csrf: session.csrf,
      tenant,
      tenants: names.includes(DEFAULT_TENANT) ? names : [DEFAULT_TENANT, ...names],
    }
  }
  /**
   * Runs `fn` with the deps of the tenant the URL names (a 404 page for one that does not exist).
   * A ScimError (a refused filter, an expired cursor, an unknown id) becomes a page with its status
   * and detail, as the API would have answered it.
   */
  const withDeps = async (
    session: SignedIn,
    request: Request,
    query: Query,
    fn: (v: Viewer, deps: ServiceDeps, req: RequestInfo) => Response | Promise<Response>
  ) => {
    const tenant = tenantOf(query)
    const v = await viewerOf(session, tenant)
    try {
      const deps = depsFor(tenant)
      if (!deps)
        return htmlResponse(
          messagePage(await viewerOf(session, DEFAULT_TENANT), 'No such tenant', `There is no tenant named ${tenant}.`),
          404
        )
      return await fn(v, deps, { base: apiBase(tenant, request) })
    } catch (err) {
      if (!(err instanceof ScimError)) throw err
      return htmlResponse(messagePage(v, err.status === 404 ? 'Not found' : 'Refused', err.detail), err.status)
    }
  }
  return {
    /** A GET page: signed-in requests are rendered, everything else goes to the sign-in page. */
    page:
      (render: PageRender) =>
      async ({ request, query }: { request: Request; query: Query }) => {
        const session = await sessions.current(request)
        if (!session) return redirect(href(SIGN_IN_PATH))
        return withDeps(session, request, query, (v, deps, req) => render(v, deps, req, query, request))
      },
    /**
     * A POST: also needs the session's CSRF token in the form (or the x-csrf-token header). The
     * tenant is the one its URL's query names, as for a page: forms post to their tenant's URL.
     */
    change:
      (act: ChangeRender) =>
      async ({ request, query }: { request: Request; query: Query }) => {
        const session = await sessions.current(request)
        if (!session) return redirect(href(SIGN_IN_PATH))
        const form = await readForm(request)
        if (!form)
          return htmlResponse(
            messagePage(await viewerOf(session, DEFAULT_TENANT), 'Too large', 'That form is too large.'),
            413
          )
        if (!sessions.csrfOk(session, request, form))
          return htmlResponse(
            messagePage(
              await viewerOf(session, DEFAULT_TENANT),
              'Refused',
              'The request did not carry this session’s CSRF token.'
            ),
            403
          )
        return withDeps(session, request, query, (v, deps, req) => act(v, deps, req, form, request))
      },
  }
}
