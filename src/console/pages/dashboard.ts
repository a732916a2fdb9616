// The dashboard of one tenant: how many users and groups, what changed last and how fast.
import type { Doc } from '../../scim/document'
import { daysLeft, expiryWarning } from '../../http/certificate'
import { html, type Html } from '../html'
import { page, tenantHref, type Viewer } from '../layout'
import type { JournalSummary } from '../journal-data'
import { RECENT_WINDOW } from '../journal-data'
import { actorOf, resourceLink } from './entries'
import { liveSection } from './live'
import { nameOf } from './resource-view'

export interface Pace {
  type: 'User' | 'Group'
  total: number
  /** Resources of the type whose lastModified is within the last 5 minutes, hour and 24 hours. */
  last5m: number
  lastHour: number
  lastDay: number
}

export interface DashboardData {
  pace: Pace[]
  recent: { type: 'User' | 'Group'; doc: Doc }[]
  journal: JournalSummary
  /** Change events pushed receivers have not accepted yet (every tenant's); undefined when events are off. */
  undelivered?: number | undefined
  /** The end of the certificate new HTTPS connections get; undefined without HTTPS. */
  certificate?: Date | undefined
  /** When the page was made. */
  at: Date
  /** The tenant's newest entry when the page was read: the live box shows those after it. */
  drawnAfter: number
}

const PLURAL = { User: 'Users', Group: 'Groups' }

function when(doc: Doc): string {
  const meta = doc.meta as { lastModified?: string } | undefined
  return meta?.lastModified ?? ''
}

const n = (x: number) => x.toLocaleString('en')

/** The journal's side: the newest entry, entries per period, and the compatibility rules that fired most. */
function journalCards(tenant: string, j: JournalSummary, undelivered: number | undefined): Html {
  const last = j.last
    ? html`<p><time datetime="${j.last.at}">${j.last.at}</time></p><p class="muted">${j.last.op} of ${resourceLink(tenant, j.last)} by ${actorOf(j.last)}</p>`
    : html`<p class="muted">No journal entries yet.</p>`
  const rules =
    j.compat.length === 0
      ? html`<p class="muted">None fired.</p>`
      : html`<ol>${j.compat.map((c) => html`<li><code>${c.rule}</code> <span class="muted">${n(c.count)}×</span></li>`)}</ol>`
  const events =
    undelivered === undefined
      ? ''
      : html`<section class="card" aria-labelledby="events"><h2 id="events">Change events</h2><p class="n" id="undelivered">${n(undelivered)}</p>
<p class="muted">pushed but not yet accepted by their receivers (all tenants)</p></section>`
  return html`<div class="cards"><section class="card" aria-labelledby="last-entry"><h2 id="last-entry">Last change</h2>${last}</section>
<section class="card" aria-labelledby="journal-pace"><h2 id="journal-pace">Journal entries</h2><p class="n" id="pace-5m">${n(j.last5m)}</p>
<p class="muted">in the last 5 minutes (${(j.last5m / 5).toLocaleString('en', { maximumFractionDigits: 1 })} a minute)<br>last hour: ${n(j.lastHour)}<br>last 24 hours: ${n(j.lastDay)}</p></section>
<section class="card" aria-labelledby="compat-top"><h2 id="compat-top">Compatibility rules</h2>${rules}<p class="muted">most fired, in the newest ${n(RECENT_WINDOW)} entries</p></section>${events}</div>`
}

/** Days left on the served certificate, with the warning start-up and reloads log inside 14 days. */
function certificateCard(end: Date | undefined, at: Date): Html | string {
  if (!end) return ''
  const days = daysLeft(end, at)
  const warning = expiryWarning(end, at)
  return html`<section class="card" aria-labelledby="certificate"><h2 id="certificate">HTTPS certificate</h2><p class="n">${n(Math.max(days, 0))} days</p>
<p class="muted">valid until <time datetime="${end.toISOString()}">${end.toISOString()}</time>, as served to new connections</p>${warning ? html`<p class="notice bad">${warning}</p>` : ''}</section>`
}

export function dashboardPage(v: Viewer, data: DashboardData): Html {
  const cards = data.pace.map(
    (p) => html`<section class="card" aria-labelledby="count-${p.type}">
<h2 id="count-${p.type}">${PLURAL[p.type]}</h2><p class="n">${p.total.toLocaleString('en')}</p>
<p class="muted">modified in the last 5 minutes: ${p.last5m.toLocaleString('en')} (${(p.last5m / 5).toLocaleString('en', { maximumFractionDigits: 1 })} a minute)<br>last hour: ${p.lastHour.toLocaleString('en')}<br>last 24 hours: ${p.lastDay.toLocaleString('en')}</p></section>`
  )
  const rows = data.recent.map(
    ({ type, doc }) =>
      html`<tr><td data-label="Type">${type}</td><td data-label="Name"><a href="${tenantHref(v.tenant, type === 'User' ? '/user' : '/group', { id: String(doc.id) })}">${nameOf(doc)}</a></td><td data-label="Modified"><time datetime="${when(doc)}">${when(doc)}</time></td></tr>`
  )
  return page({
    title: 'Dashboard',
    viewer: v,
    current: 'dashboard',
    body: html`<h1>Dashboard <span class="muted">· tenant ${v.tenant}</span></h1>
<div class="cards">${cards}${certificateCard(data.certificate, data.at)}</div>
<h2>Provisioning journal</h2>
${journalCards(v.tenant, data.journal, data.undelivered)}
${liveSection(v.tenant, data.drawnAfter)}
<h2>Last modified</h2>
${
  rows.length === 0
    ? html`<p class="notice">Nothing provisioned yet.</p>`
    : html`<table class="list"><caption class="muted">The most recently modified users and groups, newest first</caption>
<thead><tr><th scope="col">Type</th><th scope="col">Name</th><th scope="col">Modified</th></tr></thead><tbody>${rows}</tbody></table>`
}`,
  })
}
