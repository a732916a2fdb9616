// The tenants page: every tenant with its counts, packs and Tenant URL, and the form that creates one.
import { PACK_NAMES, PACKS } from '../../scim/schema/pack'
import { html, type Html } from '../html'
import { page, tenantHref, type Viewer } from '../layout'

export interface TenantRowView {
  name: string
  /** Absent when the tenant cannot be served now (its schemas do not load). */
  users?: number
  groups?: number
  packs: readonly string[]
  created: string
  /** The SCIM base to paste into Entra as the Tenant URL; absent when the tenant cannot be served now. */
  tenantUrl?: string
}

export interface TenantsView {
  tenants: readonly TenantRowView[]
  /** The create form as it was sent, when it was refused. */
  form?: { name: string; packs: readonly string[] }
  notice?: { text: Html | string; bad: boolean }
}

const n = (x: number | undefined) => (x === undefined ? html`<span class="muted">—</span>` : x.toLocaleString('en'))

function row(v: Viewer, t: TenantRowView): Html {
  const packs = t.packs.length === 0 ? html`<span class="muted">none</span>` : t.packs.join(', ')
  return html`<tr><td data-label="Name"><a href="${tenantHref(t.name, '')}">${t.name}</a>${t.name === v.tenant ? html` <span class="muted">(shown)</span>` : ''}</td>
<td data-label="Users">${n(t.users)}</td><td data-label="Groups">${n(t.groups)}</td><td data-label="Packs">${packs}</td>
<td data-label="Created">${t.created === '' ? html`<span class="muted">—</span>` : t.created}</td>
<td data-label="Tenant URL">${
    t.tenantUrl === undefined
      ? html`<span class="muted">not served: its schemas do not load</span>`
      : html`<code id="url-${t.name}">${t.tenantUrl}</code> <button type="button" class="plain" data-copy="url-${t.name}" aria-label="Copy the Tenant URL of ${t.name}">Copy</button>`
  }</td>
<td><a href="${tenantHref(t.name, '/tokens')}" aria-label="Tokens of ${t.name}">Tokens</a></td></tr>`
}

function createForm(v: Viewer, sent: TenantsView['form']): Html {
  const chosen = new Set(sent?.packs ?? [])
  return html`<form class="create" method="post" action="${tenantHref(v.tenant, '/tenants/create')}" aria-labelledby="create-title">
<input type="hidden" name="csrf" value="${v.csrf}">
<label>Name <input type="text" name="name" value="${sent?.name ?? ''}" required maxlength="63" pattern="[a-z0-9][a-z0-9\\-]{0,62}" autocomplete="off" aria-describedby="name-help"></label>
<p id="name-help" class="muted">Lower-case letters, digits and -, starting with a letter or digit: it becomes part of the Tenant URL.</p>
<fieldset><legend>Schema packs</legend>${PACK_NAMES.map(
    (p) =>
      html`<label class="check"><input type="checkbox" name="pack" value="${p}"${chosen.has(p) ? html` checked` : ''}> ${p} <span class="muted">${PACKS[p].title}</span></label>`
  )}</fieldset>
<button type="submit">Create tenant</button></form>`
}

export function tenantsPage(v: Viewer, view: TenantsView): Html {
  const notice = view.notice
    ? html`<p class="notice${view.notice.bad ? ' bad' : ''}" role="${view.notice.bad ? 'alert' : 'status'}">${view.notice.text}</p>`
    : ''
  return page({
    title: 'Tenants',
    viewer: v,
    current: 'tenants',
    body: html`<h1>Tenants</h1>${notice}
<table class="list"><caption class="muted">Each tenant is served at its own Tenant URL, with its own users, groups, tokens and journal</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Users</th><th scope="col">Groups</th><th scope="col">Packs</th><th scope="col">Created</th><th scope="col">Tenant URL</th><th scope="col"><span class="muted">Tokens</span></th></tr></thead>
<tbody>${view.tenants.map((t) => row(v, t))}</tbody></table>
<h2 id="create-title">Create a tenant</h2>${createForm(v, view.form)}
<p class="muted">The same as <code>scim-server tenant add NAME --schema-pack P</code>. Its first token is issued on its tokens page.</p>`,
  })
}
