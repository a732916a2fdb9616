// The tokens page: the tenant's bearer tokens, the form that issues one (shown once), and revoking one.
import type { IssuedToken, TokenInfo } from '../../auth/token-admin'
import { scopesOf } from '../../auth/token-admin'
import { DEFAULT_TENANT } from '../../tenants/name'
import { html, type Html } from '../html'
import { page, tenantHref, type Viewer } from '../layout'

/** Expiry choices of the issue form, in days; 0 is never. */
export const EXPIRY_DAYS = [0, 7, 30, 90, 365] as const

export interface TokensView {
  /** The Tenant URL an Entra admin pastes beside the token. */
  tenantUrl: string
  tokens: readonly TokenInfo[]
  now: number
  /** Just issued: the only time the token itself is shown. */
  issued?: IssuedToken
  notice?: { text: string; bad: boolean }
}

function expiry(t: TokenInfo, now: number): Html | string {
  if (t.expires === null) return 'never'
  return Date.parse(t.expires) <= now ? html`${t.expires} <strong>(expired)</strong>` : t.expires
}

function row(v: Viewer, t: TokenInfo, now: number): Html {
  return html`<tr><td data-label="Id"><code>${t.id}</code></td><td data-label="Label">${t.label ?? html`<span class="muted">(none)</span>`}</td>
<td data-label="Scope">${t.scope}</td><td data-label="Created">${t.created}</td><td data-label="Expires">${expiry(t, now)}</td>
<td data-label="Last used">${t.lastUsed ?? html`<span class="muted">never</span>`}</td>
<td><form method="post" action="${tenantHref(v.tenant, '/tokens/revoke')}"><input type="hidden" name="csrf" value="${v.csrf}"><input type="hidden" name="id" value="${t.id}">
<button type="submit" class="plain" aria-label="Revoke token ${t.id}">Revoke…</button></form></td></tr>`
}

function issuedBox(issued: IssuedToken): Html {
  return html`<section class="notice issued" aria-labelledby="issued-title"><h2 id="issued-title">Token ${issued.record.id} issued</h2>
<p>Copy it now: it is shown only this once (the server keeps only its hash).</p>
<p><code id="new-token">${issued.token}</code> <button type="button" class="plain" data-copy="new-token">Copy token</button></p></section>`
}

function issueForm(v: Viewer): Html {
  return html`<form class="search" method="post" action="${tenantHref(v.tenant, '/tokens/issue')}" aria-labelledby="issue-title">
<input type="hidden" name="csrf" value="${v.csrf}"><input type="hidden" name="nonce" value="${crypto.randomUUID()}">
<label>Label <input type="text" name="label" maxlength="64" placeholder="entra-prod"></label>
<label>Scope <select name="scope">${scopesOf(v.tenant).map((s) => html`<option value="${s}">${s}</option>`)}</select></label>
<label>Expires <select name="expires">${EXPIRY_DAYS.map((d) => html`<option value="${d}">${d === 0 ? 'never' : `in ${d} days`}</option>`)}</select></label>
<button type="submit">Issue token</button></form>`
}

export function tokensPage(v: Viewer, view: TokensView): Html {
  const notice = view.notice
    ? html`<p class="notice${view.notice.bad ? ' bad' : ''}" role="${view.notice.bad ? 'alert' : 'status'}">${view.notice.text}</p>`
    : ''
  const list =
    view.tokens.length === 0
      ? html`<p class="muted">No stored tokens. Tokens given with --token on the command line are not listed.</p>`
      : html`<table class="list"><thead><tr><th scope="col">Id</th><th scope="col">Label</th><th scope="col">Scope</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
<tbody>${view.tokens.map((t) => row(v, t, view.now))}</tbody></table>`
  return page({
    title: 'Tokens',
    viewer: v,
    current: 'tokens',
    body: html`<h1>Tokens <span class="muted">· tenant ${v.tenant}</span></h1>${notice}${view.issued ? issuedBox(view.issued) : ''}
<section class="card" aria-labelledby="tenant-url-title"><h2 id="tenant-url-title">Tenant URL</h2>
<p class="muted">Paste it into Entra (Provisioning → Admin credentials → Tenant URL), with a token as the Secret Token.</p>
<p><code id="tenant-url">${view.tenantUrl}</code> <button type="button" class="plain" data-copy="tenant-url">Copy URL</button></p></section>
<h2 id="issue-title">Issue a token</h2>${issueForm(v)}
<h2>Tokens of this tenant</h2>${list}
${
  // --token stands for the default tenant's stored tokens only; named tenants' are always these.
  v.tenant === DEFAULT_TENANT
    ? html`<p class="muted">A server started with <code>--token</code> (or <code>SCIM_TOKEN</code>) accepts only those tokens for this tenant, not the ones listed here.</p>`
    : ''
}`,
  })
}

/** The step before a revocation: what goes, and the button that does it. */
export function revokePage(v: Viewer, token: TokenInfo): Html {
  return page({
    title: 'Revoke token',
    viewer: v,
    current: 'tokens',
    body: html`<p><a href="${tenantHref(v.tenant, '/tokens')}">← Tokens</a></p><h1>Revoke token ${token.id}?</h1>
<p>Label ${token.label ?? '(none)'}, scope ${token.scope}. Clients using it are refused within a second; this cannot be undone.</p>
<form method="post" action="${tenantHref(v.tenant, '/tokens/revoke')}"><input type="hidden" name="csrf" value="${v.csrf}">
<input type="hidden" name="id" value="${token.id}"><input type="hidden" name="confirm" value="yes">
<button type="submit">Revoke token ${token.id}</button> <a href="${tenantHref(v.tenant, '/tokens')}">Cancel</a></form>`,
  })
}
