// The journal page: filters, a page of entries newest first, export, and the result of verifying the chain.
import { html, type Html } from '../html'
import { JOURNAL_OPS, type JournalPage } from '../journal-data'
import { href, page, tenantField, tenantHref, type Viewer } from '../layout'
import { entriesTable } from './entries'
import { liveSection } from './live'

/** The filter as typed into the form (echoed back as it was), keyed by query parameter; the tenant is the page's. */
export interface JournalQuery {
  actor: string
  op: string
  type: string
  id: string
  from: string
  to: string
}

export interface JournalView {
  query: JournalQuery
  /** The page, or why the filter could not run. */
  result: JournalPage | { error: string }
  /** What `scim-server journal verify` prints for the tenant, after the Verify button. */
  verdict?: { lines: string[]; ok: boolean }
  /** The tenant's newest entry when the page was read: the live box shows those after it. */
  drawnAfter: number
}

function select(name: string, label: string, value: string, options: readonly (readonly [string, string])[]): Html {
  return html`<label>${label} <select name="${name}">${options.map(
    ([v, text]) => html`<option value="${v}"${v === value ? html` selected` : ''}>${text}</option>`
  )}</select></label>`
}

function text(name: string, label: string, value: string, placeholder = ''): Html {
  return html`<label>${label} <input type="text" name="${name}" value="${value}" placeholder="${placeholder}"></label>`
}

function filterForm(tenant: string, q: JournalQuery): Html {
  return html`<form class="search filters" method="get" action="${href('/journal')}" aria-label="Filter the journal">${tenantField(tenant)}
${text('actor', 'Actor (token label)', q.actor)}
${select('op', 'Operation', q.op, [['', 'any'], ...JOURNAL_OPS.map((o) => [o, o] as const)])}
${select('type', 'Resource type', q.type, [
  ['', 'any'],
  ['User', 'User'],
  ['Group', 'Group'],
])}
${text('id', 'Resource id', q.id)}
${text('from', 'From (UTC)', q.from, '2026-05-01T09:00')}
${text('to', 'To (UTC)', q.to, '2026-05-01T18:00')}
<button type="submit">Filter</button></form>`
}

export function journalPage(v: Viewer, view: JournalView): Html {
  const { query, result, verdict } = view
  const shown = verdict
    ? html`<output id="verify-result" class="notice${verdict.ok ? '' : ' bad'}" role="${verdict.ok ? 'status' : 'alert'}">${verdict.lines.map((l) => html`<span>${l}</span><br>`)}</output>`
    : ''
  let listing: Html
  if ('error' in result) listing = html`<p class="notice bad" role="alert">${result.error}</p>`
  else {
    listing = html`${
      result.entries.length === 0
        ? html`<p class="notice" role="status">No entry matches.</p>`
        : entriesTable(v.tenant, result.entries, 'Newest first', true)
    }<nav class="pager" aria-label="Pages">${
      result.older === undefined
        ? ''
        : html`<a class="button" rel="next" href="${tenantHref(v.tenant, '/journal', { ...query, before: String(result.older) })}">Older entries</a>`
    }</nav>`
  }
  return page({
    title: 'Journal',
    viewer: v,
    current: 'journal',
    body: html`<h1>Journal <span class="muted">· tenant ${v.tenant}</span></h1>
${filterForm(v.tenant, query)}
<div class="actions"><a class="button plain" href="${tenantHref(v.tenant, '/journal/export', { ...query })}" download>Export (JSON lines)</a>
<form method="post" action="${tenantHref(v.tenant, '/journal/verify')}"><input type="hidden" name="csrf" value="${v.csrf}">
<button type="submit">Verify chain</button></form></div>
${shown}
${liveSection(v.tenant, view.drawnAfter)}
<h2>Entries</h2>
${listing}`,
  })
}
