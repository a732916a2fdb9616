// The one gate of every signed-in page and action: the session, the tenant's deps, CSRF on changes.
import { ScimError } from '../scim/errors'
import type { ServiceDeps } from '../service/context'
import type { RequestInfo } from '../service/result'
import { href } from './layout'
import { messagePage } from './pages/resources'
import { SIGN_IN_PATH } from './paths'
import { htmlResponse, readForm, redirect } from './respond'
import type { ConsoleSessions, SignedIn } from './sessions'

/** The tenant the pages show. The tenants page will choose among those `depsFor` knows. */
export const TENANT = 'default'

export interface GuardDeps {
  sessions: ConsoleSessions
  depsFor: (tenant: string) => ServiceDeps | undefined
  /** The SCIM API base of a tenant for this request, so meta.location reads as the API serves it. */
  apiBase: (tenant: string, request: Request) => string
}

type Query = Record<string, string | undefined>
export type PageRender = (s: SignedIn, deps: ServiceDeps, req: RequestInfo, query: Query) => Response
export type ChangeRender = (
  s: SignedIn,
  deps: ServiceDeps,
  req: RequestInfo,
  form: URLSearchParams
) => Response | Promise<Response>

export function guard({ sessions, depsFor, apiBase }: GuardDeps) {
  /**
   * Runs `fn` with the tenant's deps. A ScimError (a refused filter, an expired cursor, an
   * unknown id) becomes a page with its status and detail, as the API would have answered it.
   */
  const withDeps = async (
    session: SignedIn,
    request: Request,
    fn: (deps: ServiceDeps, req: RequestInfo) => Response | Promise<Response>
  ) => {
    const deps = depsFor(TENANT)
    if (!deps) return htmlResponse(messagePage(session, 'No such tenant', `Tenant ${TENANT} is not served.`), 404)
    try {
      return await fn(deps, { base: apiBase(TENANT, request) })
    } catch (err) {
      if (!(err instanceof ScimError)) throw err
      return htmlResponse(messagePage(session, err.status === 404 ? 'Not found' : 'Refused', err.detail), err.status)
    }
  }
  return {
    /** A GET page: signed-in requests are rendered, everything else goes to the sign-in page. */
    page:
      (render: PageRender) =>
      ({ request, query }: { request: Request; query: Query }) => {
        const session = sessions.current(request)
        if (!session) return redirect(href(SIGN_IN_PATH))
        return withDeps(session, request, (deps, req) => render(session, deps, req, query))
      },
    /** A POST: also needs the session's CSRF token in the form (or the x-csrf-token header). */
    change:
      (act: ChangeRender) =>
      async ({ request }: { request: Request }) => {
        const session = sessions.current(request)
        if (!session) return redirect(href(SIGN_IN_PATH))
        const form = await readForm(request)
        if (!form) return htmlResponse(messagePage(session, 'Too large', 'That form is too large.'), 413)
        if (!sessions.csrfOk(session, request, form))
          return htmlResponse(
            messagePage(session, 'Refused', 'The request did not carry this session’s CSRF token.'),
            403
          )
        return withDeps(session, request, (deps, req) => act(session, deps, req, form))
      },
  }
}
