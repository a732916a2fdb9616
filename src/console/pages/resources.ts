// The users and groups lists (search box, cursor pager) and a resource's detail page.
import type { Doc } from '../../scim/document'
import type { ListPage } from '../data'
import type { JournalPage } from '../journal-data'
import { html, type Html } from '../html'
import { href, page, tenantField, tenantHref, type Viewer } from '../layout'
import type { Search } from '../search'
import { entriesTable } from './entries'
import { nameOf, readable } from './resource-view'

type Kind = 'User' | 'Group'
const LIST = {
  User: { path: '/users', title: 'Users', nav: 'users' },
  Group: { path: '/groups', title: 'Groups', nav: 'groups' },
} as const
const DETAIL = { User: '/user', Group: '/group' }

function cell(label: string, value: unknown): Html {
  return html`<td data-label="${label}">${value === undefined || value === null ? '' : String(value)}</td>`
}

function firstEmail(doc: Doc): string | undefined {
  const emails = doc.emails as { value?: string; primary?: boolean }[] | undefined
  return (emails?.find((e) => e.primary) ?? emails?.[0])?.value
}

function row(tenant: string, kind: Kind, doc: Doc): Html {
  const link = html`<td data-label="${kind === 'User' ? 'userName' : 'displayName'}"><a href="${tenantHref(tenant, DETAIL[kind], { id: String(doc.id) })}">${nameOf(doc)}</a></td>`
  const modified = (doc.meta as { lastModified?: string } | undefined)?.lastModified
  if (kind === 'Group') return html`<tr>${link}${cell('externalId', doc.externalId)}${cell('Modified', modified)}</tr>`
  const name = (doc.name as { formatted?: string; givenName?: string; familyName?: string } | undefined) ?? {}
  const shown = doc.displayName ?? name.formatted ?? [name.givenName, name.familyName].filter(Boolean).join(' ')
  return html`<tr>${link}${cell('Name', shown)}${cell('Email', firstEmail(doc))}${cell('Active', doc.active)}${cell('Modified', modified)}</tr>`
}

export interface ListView {
  kind: Kind
  q: string
  search: Search
  /** The list, or the reason the search could not run (a filter the server refuses). */
  result: ListPage | { error: string }
}

export function listPage(v: Viewer, view: ListView): Html {
  const { kind, q, search, result } = view
  const meta = LIST[kind]
  const heads =
    kind === 'User' ? ['userName', 'Name', 'Email', 'Active', 'Modified'] : ['displayName', 'externalId', 'Modified']
  const attribute = kind === 'User' ? 'userName' : 'displayName'
  const ran =
    search.mode === 'all'
      ? ''
      : html`<p class="muted">${search.mode === 'text' ? 'Plain text, run as the filter' : 'Filter'}: <code>${search.filter}</code></p>`
  let listing: Html
  if ('error' in result) listing = html`<p class="notice bad" role="alert">${result.error}</p>`
  else {
    const pager = html`<nav class="pager" aria-label="Pages">${
      result.previous
        ? html`<a class="button" rel="prev" href="${tenantHref(v.tenant, meta.path, { q, cursor: result.previous })}">Previous page</a>`
        : ''
    }${
      result.next
        ? html`<a class="button" rel="next" href="${tenantHref(v.tenant, meta.path, { q, cursor: result.next })}">Next page</a>`
        : ''
    }</nav>`
    listing = html`<p role="status">${result.total.toLocaleString('en')} ${result.total === 1 ? kind.toLowerCase() : `${kind.toLowerCase()}s`} match.</p>${ran}
${
  result.resources.length === 0
    ? ''
    : html`<table class="list resources"><thead><tr>${heads.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${result.resources.map((doc) => row(v.tenant, kind, doc))}</tbody></table>`
}${pager}`
  }
  return page({
    title: meta.title,
    viewer: v,
    current: meta.nav,
    body: html`<h1>${meta.title}</h1>
<form class="search" method="get" action="${href(meta.path)}" role="search">${tenantField(v.tenant)}
<label>Search ${meta.title.toLowerCase()} <input type="search" name="q" value="${q}" aria-describedby="search-help"></label>
<button type="submit">Search</button></form>
<p id="search-help" class="muted">A SCIM filter (<code>${attribute} sw "ad"</code>, <code>${kind === 'User' ? 'emails.value co "example.com"' : 'members.value eq "…"'}</code>) or plain text, which matches the start of ${attribute}.</p>
${listing}`,
  })
}

export interface DetailView {
  kind: Kind
  doc: Doc
  /** The JSON exactly as the SCIM API serves the resource (for a large group: as ?excludedAttributes=members serves it). */
  json: string
  /** A group too large to show whole: its first members and how many it has; the JSON is then without them. */
  members?: { total: number; rows: readonly Ref[] }
  /** The resource's journal entries, newest first (one page; the journal page has the rest). */
  history: JournalPage
}

type Ref = { value: string; display?: string; type?: string }

function related(tenant: string, kind: Kind, doc: Doc, members: DetailView['members']): Html {
  const list = members?.rows ?? ((kind === 'User' ? doc.groups : doc.members) as readonly Ref[] | undefined) ?? []
  const total = members?.total ?? list.length
  const title = kind === 'User' ? 'Groups' : 'Members'
  if (total === 0)
    return html`<h2>${title}</h2><p class="muted">${kind === 'User' ? 'In no group.' : 'No members.'}</p>`
  const target = (item: Ref) => (kind === 'User' || item.type === 'Group' ? '/group' : '/user')
  const more = total - list.length
  return html`<h2>${title} <span class="muted">(${total.toLocaleString('en')})</span></h2>${
    more > 0
      ? html`<p class="muted">The first ${list.length.toLocaleString('en')} are listed; ${more.toLocaleString('en')} more are not.</p>`
      : ''
  }
<ul>${list.map((m) => html`<li><a href="${tenantHref(tenant, target(m), { id: m.value })}">${m.display ?? m.value}</a>${m.type ? html` <span class="muted">${m.type}</span>` : ''}</li>`)}</ul>`
}

export function detailPage(v: Viewer, view: DetailView): Html {
  const { kind, doc, json, members, history } = view
  // Groups and members are listed as links below the attributes instead of inside them.
  const { groups: _groups, members: _members, ...attributes } = doc
  const served = members
    ? html`<p class="muted">This group has ${members.total.toLocaleString('en')} members, more than this page shows: the JSON is what <code>GET /Groups/{id}?excludedAttributes=members</code> serves.</p>`
    : ''
  return page({
    title: nameOf(doc),
    viewer: v,
    current: LIST[kind].nav,
    body: html`<p><a href="${tenantHref(v.tenant, LIST[kind].path)}">← ${LIST[kind].title}</a></p>
<h1>${nameOf(doc)} <span class="muted">· ${kind}</span></h1>
<div class="cols"><section aria-labelledby="readable"><h2 id="readable">Attributes</h2>${readable(attributes)}${related(v.tenant, kind, doc, members)}</section>
<section aria-labelledby="as-served"><h2 id="as-served">As served by SCIM</h2>${served}
<p><button type="button" class="plain" data-copy="resource-json">Copy JSON</button></p>
<pre id="resource-json" tabindex="0" aria-label="JSON">${json}</pre></section></div>
${historySection(v.tenant, kind, String(doc.id), history)}`,
  })
}

function historySection(tenant: string, kind: Kind, id: string, history: JournalPage): Html {
  const all = tenantHref(tenant, '/journal', { type: kind, id })
  const body =
    history.entries.length === 0
      ? html`<p class="muted">No journal entries (the journal is off, or they were pruned).</p>`
      : html`${entriesTable(tenant, history.entries, 'Newest first', false)}${
          history.older === undefined
            ? ''
            : html`<p><a href="${tenantHref(tenant, '/journal', { type: kind, id, before: String(history.older) })}">Older entries</a></p>`
        }`
  return html`<section aria-labelledby="history"><h2 id="history">History</h2>
<p class="muted">Every change the journal recorded, with what each attribute was before and after. <a href="${all}">In the journal</a></p>${body}</section>`
}

/**
 * A user or group that is not there (deleted, most often, as the journal's links to it say): who
 * deleted it is what the admin came to find, so the page leads to its history.
 */
export function goneResourcePage(v: Viewer, kind: Kind, id: string, detail: string): Html {
  return page({
    title: 'Not found',
    viewer: v,
    body: html`<h1>Not found</h1><p class="notice bad" role="alert">${detail}</p>
<p>If it was deleted, <a href="${tenantHref(v.tenant, '/journal', { type: kind, id })}">its history in the journal</a> says when and by whom.</p>`,
  })
}

export function messagePage(v: Viewer | undefined, title: string, message: string): Html {
  return page({ title, viewer: v, body: html`<h1>${title}</h1><p class="notice bad" role="alert">${message}</p>` })
}
