// The dashboard of one tenant: how many users and groups, what changed last and how fast.
import type { Doc } from '../../scim/document'
import { html, type Html } from '../html'
import { href, page } from '../layout'
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
  tenant: string
  pace: Pace[]
  recent: { type: 'User' | 'Group'; doc: Doc }[]
}

const PLURAL = { User: 'Users', Group: 'Groups' }

function when(doc: Doc): string {
  const meta = doc.meta as { lastModified?: string } | undefined
  return meta?.lastModified ?? ''
}

export function dashboardPage(session: { admin: string; csrf: string }, data: DashboardData): Html {
  const cards = data.pace.map(
    (p) => html`<section class="card" aria-labelledby="count-${p.type}">
<h2 id="count-${p.type}">${PLURAL[p.type]}</h2><p class="n">${p.total.toLocaleString('en')}</p>
<p class="muted">modified in the last 5 minutes: ${p.last5m.toLocaleString('en')} (${(p.last5m / 5).toLocaleString('en', { maximumFractionDigits: 1 })} a minute)<br>last hour: ${p.lastHour.toLocaleString('en')}<br>last 24 hours: ${p.lastDay.toLocaleString('en')}</p></section>`
  )
  const rows = data.recent.map(
    ({ type, doc }) =>
      html`<tr><td data-label="Type">${type}</td><td data-label="Name"><a href="${href(type === 'User' ? '/user' : '/group', { id: String(doc.id) })}">${nameOf(doc)}</a></td><td data-label="Modified"><time datetime="${when(doc)}">${when(doc)}</time></td></tr>`
  )
  return page({
    title: 'Dashboard',
    session,
    current: 'dashboard',
    body: html`<h1>Dashboard <span class="muted">· tenant ${data.tenant}</span></h1>
<div class="cards">${cards}</div>
<h2>Last provisioning activity</h2>
${
  rows.length === 0
    ? html`<p class="notice">Nothing provisioned yet.</p>`
    : html`<table class="list"><caption class="muted">The most recently modified users and groups, newest first</caption>
<thead><tr><th scope="col">Type</th><th scope="col">Name</th><th scope="col">Modified</th></tr></thead><tbody>${rows}</tbody></table>`
}`,
  })
}
