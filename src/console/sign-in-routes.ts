// Sign-in with a password or a one-time link, and sign-out: the console's only unauthenticated actions.
import { Elysia } from 'elysia'
import type { AdminStore } from './admin-store'
import { ADMIN_NAME, randomSecret, secretHash } from './admin-store'
import { type AttemptPolicy, AttemptLimiter } from './attempts'
import { clientAddress } from '../http/client-address'
import { href } from './layout'
import { checkPassword, hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './passwords'
import { LINK_PATH, SIGN_IN_PATH } from './paths'
import { linkPage, signInPage } from './pages/sign-in'
import { messagePage } from './pages/resources'
import { htmlResponse, readForm, redirect } from './respond'
import { cookieValue, FORM_COOKIE, sameSecret, setCookie } from './session'
import type { ConsoleSessions } from './sessions'

/** A sign-in form stays usable this long after its page was loaded. */
const FORM_TTL_SECONDS = 3600

export interface SignInPolicy {
  /** Failed sign-ins per account name from one client address. */
  account: AttemptPolicy
  /** Failed sign-ins per account name over all addresses: what holds up guessing from many addresses. */
  accountTotal: AttemptPolicy
  /** Failed sign-ins per client address, over all account names. */
  address: AttemptPolicy
}

/**
 * In any 15 minutes: five wrong passwords for an account from one address, fifty for it from all
 * addresses together, twenty from one address over all names. Someone who knows an admin's name
 * can hold up only their own address for it; locking the admin out takes ten addresses.
 */
export const DEFAULT_SIGN_IN_POLICY: SignInPolicy = {
  account: { failures: 5, windowMs: 15 * 60_000 },
  accountTotal: { failures: 50, windowMs: 15 * 60_000 },
  address: { failures: 20, windowMs: 15 * 60_000 },
}

export interface SignInDeps {
  admins: AdminStore
  sessions: ConsoleSessions
  /** Whether cookies get Secure: the server is reached over https (directly or per --base-url). */
  secure: (request: Request) => boolean
  now: () => number
  policy?: SignInPolicy
}

export function signInRoutes({ admins, sessions, secure, now, policy = DEFAULT_SIGN_IN_POLICY }: SignInDeps) {
  const byAddress = new AttemptLimiter(policy.address)
  const byNameAndAddress = new AttemptLimiter(policy.account)
  // Every name a client may post is counted, an account's or not, so a made-up name is answered
  // exactly as a real one (a 429 only for real names told which names exist). Real accounts' totals
  // are kept apart: a flood of made-up names can only push made-up names out of their limiter.
  const byAccount = new AttemptLimiter({ ...policy.accountTotal, maxKeys: Number.POSITIVE_INFINITY })
  const byOtherName = new AttemptLimiter(policy.accountTotal)
  // Each real account's password hash when its failures were last counted: one set again since
  // (`scim-server admin add`, the README's way out of a lockout) starts its counts over, where the
  // new password was refused for up to 15 minutes.
  const countedAgainst = new Map<string, string>()
  /** A form page with a fresh pre-session token in its cookie and its hidden field. */
  const formPage = (request: Request, render: (pre: string) => Parameters<typeof htmlResponse>[0], status = 200) => {
    const pre = randomSecret()
    return htmlResponse(render(pre), status, {
      'set-cookie': setCookie(FORM_COOKIE, pre, FORM_TTL_SECONDS, secure(request)),
    })
  }
  /** The form came from a page this server served to this browser (RFC 6265 SameSite=Strict cookie). */
  const fromOurForm = (request: Request, form: URLSearchParams) =>
    sameSecret(cookieValue(request.headers.get('cookie'), FORM_COOKIE), form.get('csrf') ?? undefined)
  const signedIn = async (request: Request, admin: string) => {
    const headers = new Headers({ location: href('') })
    headers.append('set-cookie', await sessions.start(admin, secure(request)))
    headers.append('set-cookie', setCookie(FORM_COOKIE, '', 0, secure(request)))
    return redirect(href(''), headers)
  }

  return new Elysia()
    .get(SIGN_IN_PATH, async ({ request }) =>
      (await sessions.current(request)) ? redirect(href('')) : formPage(request, (pre) => signInPage(pre))
    )
    .post(
      SIGN_IN_PATH,
      async ({ request }) => {
        const form = await readForm(request)
        if (!form) return htmlResponse(messagePage(undefined, 'Too large', 'That form is too large.'), 413)
        const name = (form.get('name') ?? '').trim()
        if (!fromOurForm(request, form))
          return formPage(request, (pre) => signInPage(pre, 'The form expired. Please sign in again.', name), 403)
        // The (quick) look-up comes first, so the wait and the count below run with no await between.
        const counted = ADMIN_NAME.test(name)
        const hash = counted ? await admins.passwordHash(name) : undefined
        const total = hash === undefined ? byOtherName : byAccount
        const at = now()
        const address = clientAddress(request)
        const fromHere = `${name}\n${address}`
        if (typeof hash === 'string' && countedAgainst.has(name) && countedAgainst.get(name) !== hash) {
          byNameAndAddress.clearAll((key) => key.startsWith(`${name}\n`))
          byAccount.clear(name)
          countedAgainst.delete(name)
        }
        const wait = Math.max(
          byAddress.wait(address, at),
          counted ? byNameAndAddress.wait(fromHere, at) : 0,
          counted ? total.wait(name, at) : 0
        )
        if (wait > 0) {
          const page = formPage(
            request,
            (pre) => signInPage(pre, `Too many failed sign-ins. Try again in ${Math.ceil(wait / 60)} minute(s).`, name),
            429
          )
          page.headers.set('retry-after', String(wait))
          return page
        }
        const password = form.get('password') ?? ''
        // Counted before the (slow) check, so attempts in flight together are all counted.
        byAddress.fail(address, at)
        if (counted) {
          byNameAndAddress.fail(fromHere, at)
          total.fail(name, at)
          if (typeof hash === 'string') countedAgainst.set(name, hash)
        }
        if (!(await checkPassword(password, hash)))
          return formPage(request, (pre) => signInPage(pre, 'Wrong account name or password.', name), 401)
        byAddress.forgive(address, at)
        byNameAndAddress.clear(fromHere)
        byAccount.clear(name)
        return signedIn(request, name)
      },
      { parse: 'none' }
    )
    .get(LINK_PATH, ({ request, query }) =>
      formPage(request, (pre) => linkPage(pre, typeof query.token === 'string' ? query.token : ''))
    )
    .post(
      LINK_PATH,
      async ({ request }) => {
        const form = await readForm(request)
        if (!form) return htmlResponse(messagePage(undefined, 'Too large', 'That form is too large.'), 413)
        const token = form.get('token') ?? ''
        if (!fromOurForm(request, form))
          return formPage(request, (pre) => linkPage(pre, token, 'The form expired. Please submit it again.'), 403)
        const password = form.get('password') ?? ''
        if (password !== '' || (form.get('repeat') ?? '') !== '') {
          // Checked before the link is used up, so a typo does not cost the admin their link.
          let problem: string | undefined
          if (password !== form.get('repeat')) problem = 'The two passwords differ.'
          else if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH)
            problem = `A password has ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`
          if (problem) return formPage(request, (pre) => linkPage(pre, token, problem), 400)
        }
        const admin = token === '' ? undefined : await admins.takeLink(secretHash(token), new Date(now()).toISOString())
        if (!admin)
          return htmlResponse(
            messagePage(
              undefined,
              'Link not valid',
              'This sign-in link was used already, has expired or never existed. Ask for a new one: scim-server admin add NAME --link.'
            ),
            400
          )
        if (password !== '') {
          await admins.save(admin, await hashPassword(password), new Date(now()).toISOString())
          await admins.endSessionsOf(admin)
        }
        return signedIn(request, admin)
      },
      { parse: 'none' }
    )
    .post(
      '/sign-out',
      async ({ request }) => {
        const session = await sessions.current(request)
        if (!session) return redirect(href(SIGN_IN_PATH))
        const form = await readForm(request)
        if (!sessions.csrfOk(session, request, form))
          return htmlResponse(
            messagePage(undefined, 'Refused', 'The request did not carry this session’s CSRF token.'),
            403
          )
        return redirect(href(SIGN_IN_PATH), { 'set-cookie': await sessions.end(session, secure(request)) })
      },
      { parse: 'none' }
    )
}
