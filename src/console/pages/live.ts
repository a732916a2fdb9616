// The box new journal entries appear in while the page is open (console.js fills it from /admin/live).
import { html, type Html } from '../html'
import { tenantHref } from '../layout'
import { LIVE_PATH } from '../paths'

/**
 * Without the script (or when the stream drops) the status line says to reload, with a link that
 * does: the page itself is always current when loaded. The stream carries `tenant`'s entries only,
 * from those after `drawnAfter`, the tenant's newest entry when the page was drawn.
 */
export function liveSection(tenant: string, drawnAfter: number): Html {
  return html`<section class="live" aria-labelledby="live-title" data-live="${tenantHref(tenant, LIVE_PATH, { after: String(drawnAfter) })}"
 data-user="${tenantHref(tenant, '/user')}" data-group="${tenantHref(tenant, '/group')}">
<h2 id="live-title">New since this page loaded</h2>
<p class="muted" data-live-status role="status">Entries committed after this page loaded are not shown: <a href="">reload the page</a> to see them.</p>
<table class="list entries" hidden><thead><tr><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Operation</th><th scope="col">Resource</th><th scope="col">Changes</th></tr></thead>
<tbody data-live-rows></tbody></table></section>`
}
