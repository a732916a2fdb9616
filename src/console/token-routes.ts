// The tokens page and its two changes: issue (the token shown once) and revoke (after a confirmation step).
import { Elysia } from 'elysia'
import { TokenAdminError } from '../auth/token-admin'
import type { ConsoleTokens } from './console-store'
import { guard, type GuardDeps } from './guard'
import { tenantHref, type Viewer } from './layout'
import { EXPIRY_DAYS, revokePage, tokensPage, type TokensView } from './pages/tokens'
import { htmlResponse, redirect } from './respond'
import type { RequestInfo } from '../service/result'

export interface TokenRouteDeps extends GuardDeps {
  tokens: ConsoleTokens
  now: () => number
  /** After a token was issued or revoked: the SCIM API accepts or refuses it from the next request. */
  tokensChanged: () => void | Promise<void>
}

/** Issue forms remembered as sent, per process. */
const MAX_SENT_FORMS = 1024

export function tokenRoutes(deps: TokenRouteDeps) {
  const { tokens, now, tokensChanged } = deps
  const { page, change } = guard(deps)
  // The Tenant URL is the SCIM base this request reached the server by (or --base-url).
  const render = async (v: Viewer, req: RequestInfo, extra: Partial<TokensView> = {}, status = 200) =>
    htmlResponse(
      tokensPage(v, {
        tenantUrl: req.base,
        tokens: await tokens.list(v.tenant),
        now: now(),
        ...extra,
      }),
      status
    )
  // Each issue form carries a one-time nonce: reloading the page that showed a new token resent
  // its POST and issued another, a provisioning credential nobody had seen, valid until revoked.
  // Kept per process, the last MAX_SENT_FORMS; a resend reaching another replica is not caught.
  const sent = new Set<string>()
  const sentBefore = (nonce: string) => {
    if (sent.has(nonce)) return true
    if (sent.size >= MAX_SENT_FORMS) sent.delete(sent.values().next().value!)
    sent.add(nonce)
    return false
  }
  // Only this tenant's tokens: an id of another tenant's token is as unknown as one never issued.
  const ownToken = async (tenant: string, id: string) => (await tokens.list(tenant)).find((t) => t.id === id)

  return new Elysia()
    .get(
      '/tokens',
      page((v, _deps, req, query) =>
        render(
          v,
          req,
          /^[0-9a-f]{12}$/.test(query.revoked ?? '')
            ? { notice: { text: `Token ${query.revoked} revoked.`, bad: false } }
            : {}
        )
      )
    )
    .post(
      '/tokens/issue',
      change(async (v, _deps, req, form) => {
        const days = Number(form.get('expires') ?? '0')
        if (!(EXPIRY_DAYS as readonly number[]).includes(days))
          return render(v, req, { notice: { text: 'Choose an expiry from the list.', bad: true } }, 400)
        const label = (form.get('label') ?? '').trim()
        const nonce = form.get('nonce') ?? ''
        if (nonce !== '' && sentBefore(nonce))
          return render(
            v,
            req,
            {
              notice: {
                text: 'This form was sent already: its token was issued then and shown once. Issue another below if it was not copied, and revoke the one not used.',
                bad: true,
              },
            },
            409
          )
        try {
          const issued = await tokens.issue(
            {
              tenant: v.tenant,
              label: label === '' ? null : label,
              scope: form.get('scope') ?? 'provision',
              expires: days === 0 ? null : new Date(now() + days * 86_400_000),
            },
            new Date(now())
          )
          await tokensChanged()
          return render(v, req, { issued }, 201)
        } catch (err) {
          if (!(err instanceof TokenAdminError)) throw err
          return render(v, req, { notice: { text: `Not issued: ${err.message}.`, bad: true } }, 400)
        }
      }),
      { parse: 'none' }
    )
    .post(
      '/tokens/revoke',
      change(async (v, _deps, req, form) => {
        const id = form.get('id') ?? ''
        const token = await ownToken(v.tenant, id)
        if (!token) return render(v, req, { notice: { text: `No token ${id} in this tenant.`, bad: true } }, 404)
        if (form.get('confirm') !== 'yes') return htmlResponse(revokePage(v, token))
        await tokens.revoke(token.id)
        await tokensChanged()
        return redirect(tenantHref(v.tenant, '/tokens', { revoked: token.id }))
      }),
      { parse: 'none' }
    )
}
