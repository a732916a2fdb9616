// Who is signed in: the one check every console page and action goes through, and CSRF for changes.
import type { AdminSession, AdminStore } from './admin-store'
import { randomSecret, secretHash } from './admin-store'
import { cookieValue, SESSION_COOKIE, sameSecret, setCookie } from './session'

/** How long a session lasts from sign-in; signing in again starts a new one. */
export const SESSION_TTL_MS = 8 * 3600_000

export interface SignedIn extends AdminSession {
  idHash: string
}

export class ConsoleSessions {
  constructor(
    private readonly admins: AdminStore,
    private readonly now: () => number,
    private readonly ttlMs = SESSION_TTL_MS
  ) {}

  /**
   * The session the request's cookie names, read from the database on every request, so
   * `admin remove` or a new password ends it at once (on every replica sharing the database). A bearer token is never looked at: the
   * console and the SCIM API share no credential.
   */
  async current(request: Request): Promise<SignedIn | undefined> {
    const id = cookieValue(request.headers.get('cookie'), SESSION_COOKIE)
    if (!id || id.length > 128) return undefined
    const idHash = secretHash(id)
    const session = await this.admins.session(idHash, new Date(this.now()).toISOString())
    return session ? { ...session, idHash } : undefined
  }

  /** Starts a session for `admin`; returns the Set-Cookie that carries its id (stored only hashed). */
  async start(admin: string, secure: boolean): Promise<string> {
    const id = randomSecret()
    const at = this.now()
    await this.admins.createSession(
      secretHash(id),
      admin,
      randomSecret(),
      new Date(at).toISOString(),
      new Date(at + this.ttlMs).toISOString()
    )
    return setCookie(SESSION_COOKIE, id, this.ttlMs / 1000, secure)
  }

  /** Ends the session; returns the Set-Cookie that deletes the cookie. */
  async end(session: SignedIn, secure: boolean): Promise<string> {
    await this.admins.endSession(session.idHash)
    return setCookie(SESSION_COOKIE, '', 0, secure)
  }

  /**
   * A change (every non-GET) must carry the session's CSRF token, in the form field `csrf` or the
   * `x-csrf-token` header (for fetch): another site can make a browser send the cookie (were it
   * not SameSite) but cannot read the token out of a console page.
   */
  csrfOk(session: SignedIn, request: Request, form: URLSearchParams | undefined): boolean {
    const given = request.headers.get('x-csrf-token') ?? form?.get('csrf') ?? undefined
    return sameSecret(given, session.csrf)
  }
}
