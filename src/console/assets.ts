// The console's style sheet and script, embedded as strings: the binary needs no file beside it.

/** System fonts only (no web fonts to fetch), one column on a phone, a focus ring on everything. */
export const CONSOLE_CSS = `
:root{--bg:#f6f7f9;--fg:#1b1f24;--muted:#5b6470;--card:#fff;--line:#d8dde3;--accent:#0b5cad;--accent-fg:#fff;--bad:#a4161a;--ok:#17663a;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;line-height:1.45;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#14171b;--fg:#e6e9ed;--muted:#9aa4af;--card:#1d2126;--line:#333a42;--accent:#6cb0ff;--accent-fg:#0b1520;--bad:#ff8a8a;--ok:#7ad69b}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg)}
a{color:var(--accent)}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-9999px;top:0;background:var(--card);padding:.5rem 1rem;z-index:10}
.skip:focus{left:.5rem;top:.5rem}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding:.6rem 1rem;background:var(--card);border-bottom:1px solid var(--line)}
header.top .brand{font-weight:700;text-decoration:none;color:var(--fg)}
header.top nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}
header.top nav a{text-decoration:none;padding:.25rem .1rem}
header.top nav a[aria-current=page]{font-weight:700;border-bottom:2px solid var(--accent)}
header.top .account{margin-left:auto;display:flex;flex-wrap:wrap;justify-content:flex-end;align-items:center;gap:.5rem 1.25rem}
header.top form{display:flex;align-items:center;gap:.5rem;color:var(--muted)}
header.top .picker select{width:auto;padding:.25rem .4rem}
header.top .picker button{padding:.25rem .6rem}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem}
.card h2{margin:0}
.card .n{font-size:2rem;font-weight:700;margin:.25rem 0}
.card p{margin:0}
.muted{color:var(--muted)}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line)}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
main{overflow-wrap:anywhere}
table.resources{table-layout:fixed}
th{font-size:.85rem;color:var(--muted);font-weight:600}
form.search{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin-bottom:1rem}
form.search label{display:flex;flex-direction:column;flex:1 1 20rem;font-weight:600}
input[type=text],input[type=search],input[type=password],select{font:inherit;padding:.5rem;border:1px solid var(--line);border-radius:.35rem;background:var(--card);color:var(--fg);width:100%}
button,.button{font:inherit;padding:.5rem 1rem;border-radius:.35rem;border:1px solid var(--accent);background:var(--accent);color:var(--accent-fg);cursor:pointer;text-decoration:none;display:inline-block}
button.plain{background:transparent;color:var(--accent)}
td button.plain{padding:.15rem .6rem}
.pager{display:flex;gap:1rem;margin:1rem 0;align-items:center;flex-wrap:wrap}
.notice{padding:.75rem 1rem;border-radius:.35rem;border:1px solid var(--line);background:var(--card);margin:0 0 1rem}
.notice.bad{border-color:var(--bad);color:var(--bad)}
pre{background:var(--card);border:1px solid var(--line);border-radius:.35rem;padding:1rem;overflow:auto;max-height:40rem;font-size:.85rem}
dl.attrs{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.25rem 1rem;margin:0;background:var(--card);border:1px solid var(--line);border-radius:.35rem;padding:1rem}
dl.attrs dt{font-weight:600;color:var(--muted)}
dl.attrs dd{margin:0;overflow-wrap:anywhere}
dl.attrs dl.attrs{padding:.25rem .5rem;border:none;border-left:2px solid var(--line);border-radius:0}
.sign-in{max-width:24rem;margin:4rem auto}
.sign-in form{display:flex;flex-direction:column;gap:.75rem;background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1.25rem}
.sign-in label{display:flex;flex-direction:column;gap:.25rem;font-weight:600}
form.create{display:flex;flex-direction:column;gap:.75rem;background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem;max-width:40rem}
form.create>label{display:flex;flex-direction:column;gap:.25rem;font-weight:600}
form.create p{margin:0}
form.create fieldset{border:1px solid var(--line);border-radius:.35rem;margin:0;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem}
form.create button{align-self:flex-start}
label.check{display:inline-flex;gap:.35rem;align-items:center}
form.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr))}
form.filters button{justify-self:start}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin:0 0 1rem}
.actions form{margin:0}
table.changes{font-size:.85rem;border:none}
table.changes th,table.changes td{padding:.15rem .4rem}
table.entries td,table.entries th{overflow-wrap:break-word}
table.entries td[data-label=Time],table.entries td[data-label="Request id"],table.changes .muted{white-space:nowrap}
table.changes td+td code,table.entries td[data-label=Resource] a{overflow-wrap:anywhere}
.live p{margin:.25rem 0 .75rem}
output.notice{display:block}
.issued h2{margin-top:0}
select{font-weight:400}
.issued code{font-size:1rem;padding:.25rem .4rem;border:1px solid var(--line);border-radius:.25rem;background:var(--bg);overflow-wrap:anywhere}
.card code{overflow-wrap:anywhere}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.cols>section{min-width:0}
@media (max-width:48rem){.cols{grid-template-columns:1fr}dl.attrs{grid-template-columns:1fr}dl.attrs dt{margin-top:.4rem}
 table.list thead{display:none}table.list tr{display:block;border-bottom:1px solid var(--line);padding:.4rem 0}table.list td{display:block;border:none;padding:.1rem .6rem}
 table.entries td,table.entries th{overflow-wrap:anywhere}table.entries td[data-label=Time]{white-space:normal}
 table.list td[data-label]::before{content:attr(data-label) ": ";color:var(--muted);font-size:.85rem}}
`

/**
 * Progressive enhancement only: every page works without it. Copies a resource's JSON, a new
 * token or the Tenant URL; and where a page has a [data-live] box, listens to the journal's
 * server-sent events and adds each new entry as a row (built with textContent, never as markup).
 * When the stream cannot run, or left entries out because the page fell behind, the box says so
 * and offers a reload.
 */
export const CONSOLE_JS = `
document.addEventListener('click', function (event) {
  var button = event.target.closest && event.target.closest('[data-copy]')
  if (!button) return
  var source = document.getElementById(button.getAttribute('data-copy'))
  if (!source || !navigator.clipboard) return
  navigator.clipboard.writeText(source.textContent).then(function () { button.textContent = 'Copied' })
})
function consoleLive(box) {
  var status = box.querySelector('[data-live-status]')
  var rows = box.querySelector('[data-live-rows]')
  var table = rows.closest('table')
  // The tenant's detail pages, with or without a query already (the tenant rides in it).
  function detail(type, id) {
    var page = type === 'User' ? box.getAttribute('data-user') : type === 'Group' ? box.getAttribute('data-group') : ''
    return page && page + (page.indexOf('?') < 0 ? '?' : '&') + 'id=' + encodeURIComponent(id)
  }
  function say(text, reload) {
    status.textContent = text + ' '
    if (reload) {
      var a = document.createElement('a')
      a.href = ''
      a.textContent = 'Reload the page'
      status.appendChild(a)
    }
  }
  function cell(tr, label, text, href) {
    var td = document.createElement('td')
    td.setAttribute('data-label', label)
    if (href) {
      var a = document.createElement('a')
      a.href = href
      a.textContent = text
      td.appendChild(a)
    } else td.textContent = text
    tr.appendChild(td)
  }
  if (!window.EventSource) return say('This browser has no live updates.', true)
  var source = new EventSource(box.getAttribute('data-live'))
  source.onopen = function () { say('Live: new entries appear here as they are committed.', false) }
  source.onerror = function () {
    say(source.readyState === EventSource.CLOSED ? 'Live updates stopped.' : 'Live updates interrupted, reconnecting.', true)
  }
  source.addEventListener('journal', function (event) {
    var e = JSON.parse(event.data)
    var tr = document.createElement('tr')
    tr.setAttribute('data-seq', e.seq)
    cell(tr, 'Time', e.at + ' #' + e.seq)
    cell(tr, 'Actor', e.actor === null ? '(unnamed token or command line)' : e.actor)
    cell(tr, 'Operation', e.op)
    cell(tr, 'Resource', e.resourceType + ' ' + e.resourceId, detail(e.resourceType, e.resourceId))
    cell(tr, 'Changes', e.changes + (e.changes === 1 ? ' attribute' : ' attributes'))
    rows.insertBefore(tr, rows.firstChild)
    table.hidden = false
  })
  // The page fell a whole stream's worth behind (a stalled tab, a slow link): the server left
  // those entries out. A row marks the gap where it is; the rows after it are live again.
  source.addEventListener('skipped', function (event) {
    var s = JSON.parse(event.data)
    var text = 'Entries #' + s.first + ' to #' + s.last + ' were skipped: this page fell behind.'
    var tr = document.createElement('tr')
    tr.setAttribute('data-skipped', s.first + '-' + s.last)
    var td = document.createElement('td')
    td.colSpan = 5
    td.textContent = text + ' '
    var a = document.createElement('a')
    a.href = ''
    a.textContent = 'Reload the page'
    td.appendChild(a)
    tr.appendChild(td)
    rows.insertBefore(tr, rows.firstChild)
    table.hidden = false
    say(text, true)
  })
}
document.querySelectorAll('[data-live]').forEach(consoleLive)
`

/**
 * Named in every page's head, so browsers do not ask for /favicon.ico, which is outside the
 * console and answers 401 without a SCIM token.
 */
export const CONSOLE_ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b5cad"/><path d="M4 11V5h5a2 2 0 0 1 0 4H6" stroke="#fff" stroke-width="2" fill="none"/></svg>'
