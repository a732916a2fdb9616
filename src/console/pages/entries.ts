// Journal entries as a readable table: time, actor, operation, request id, and each change's before and after.
import type { JournalChange, JournalEntry } from '../../journal/types'
import { html, type Html } from '../html'
import { tenantHref } from '../layout'

/** A value as JSON on one line; an absent one says so (the attribute had no value). */
function shown(value: unknown): Html {
  return value === undefined ? html`<span class="muted">(none)</span>` : html`<code>${JSON.stringify(value)}</code>`
}

function changesTable(changes: readonly JournalChange[]): Html {
  if (changes.length === 0) return html`<span class="muted">no attribute changed</span>`
  return html`<table class="changes"><thead><tr><th scope="col">Attribute</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
<tbody>${changes.map((c) => html`<tr><td data-label="Attribute"><code>${c.path}</code></td><td data-label="Before">${shown(c.before)}</td><td data-label="After">${shown(c.after)}</td></tr>`)}</tbody></table>`
}

/** The detail page of an entry's resource (deleted ones too: the page then says it is gone). */
export function resourceLink(tenant: string, e: { resourceType: string; resourceId: string }): Html {
  const path = e.resourceType === 'User' ? '/user' : e.resourceType === 'Group' ? '/group' : undefined
  const text = `${e.resourceType} ${e.resourceId}`
  return path ? html`<a href="${tenantHref(tenant, path, { id: e.resourceId })}">${text}</a>` : html`${text}`
}

export function actorOf(e: { actor: string | null }): Html {
  return e.actor === null ? html`<span class="muted">(unnamed token or command line)</span>` : html`${e.actor}`
}

function row(tenant: string, e: JournalEntry, withResource: boolean): Html {
  const compat = e.compat.length === 0 ? '' : html`<br><span class="muted">compat: ${e.compat.join(', ')}</span>`
  return html`<tr data-seq="${e.seq}"><td data-label="Time"><time datetime="${e.at}">${e.at}</time><br><span class="muted">#${e.seq}</span></td>
<td data-label="Actor">${actorOf(e)}</td><td data-label="Operation">${e.op}${e.cascade ? html` <span class="muted">(cascade)</span>` : ''}${compat}</td>
${withResource ? html`<td data-label="Resource">${resourceLink(tenant, e)}</td>` : ''}<td data-label="Request id">${e.requestId === null ? html`<span class="muted">—</span>` : html`<code>${e.requestId}</code>`}</td>
<td data-label="Changes">${changesTable(e.changes)}</td></tr>`
}

/** `tenant`'s entries newest first, as given; `withResource` adds the resource column (the journal page lists many). */
export function entriesTable(
  tenant: string,
  entries: readonly JournalEntry[],
  caption: string,
  withResource: boolean
): Html {
  return html`<table class="list entries"><caption class="muted">${caption}</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Operation</th>${withResource ? html`<th scope="col">Resource</th>` : ''}<th scope="col">Request id</th><th scope="col">Changes</th></tr></thead>
<tbody>${entries.map((e) => row(tenant, e, withResource))}</tbody></table>`
}
