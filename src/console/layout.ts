// The page shell every console page shares: head, skip link, navigation, tenant picker, sign-out, main landmark.
import { DEFAULT_TENANT } from '../tenants/name'
import { html, type Html, type Part } from './html'
import { CONSOLE_PREFIX } from './paths'

/** A console URL with its query; empty and absent values are left out. */
export function href(path: string, query: Record<string, string | undefined> = {}): string {
  const pairs = Object.entries(query).filter(([, v]) => v !== undefined && v !== '')
  const search = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v!)}`).join('&')
  return `${CONSOLE_PREFIX}${path}${search ? `?${search}` : ''}`
}

/** The query parameter that names the tenant a console page shows; absent means the default tenant. */
export const TENANT_PARAM = 'tenant'

/**
 * A console URL of one tenant's page. The tenant rides in the query, not the path: every console
 * route stays one static path, which the app's set of token-free paths names exactly.
 */
export function tenantHref(tenant: string, path: string, query: Record<string, string | undefined> = {}): string {
  return href(path, { [TENANT_PARAM]: tenant === DEFAULT_TENANT ? undefined : tenant, ...query })
}

/**
 * The tenant as a hidden field of a GET form: the browser replaces the query of a GET form's
 * action with the form's fields, so the tenant has to be one of them.
 */
export function tenantField(tenant: string): Html | string {
  return tenant === DEFAULT_TENANT ? '' : html`<input type="hidden" name="${TENANT_PARAM}" value="${tenant}">`
}

/** The signed-in account (with its session's CSRF token) and the tenant the page shows, among all of them. */
export interface Viewer {
  admin: string
  csrf: string
  tenant: string
  tenants: readonly string[]
}

type NavKey = 'dashboard' | 'users' | 'groups' | 'journal' | 'tokens' | 'tenants'

export interface Shell {
  title: string
  /** Absent on the sign-in pages, which have no navigation. */
  viewer?: Viewer
  /** The navigation entry to mark as the current page; the tenant picker switches to that page of the chosen tenant. */
  current?: NavKey
  body: Part
}

const NAV: { key: NavKey; label: string; path: string }[] = [
  { key: 'dashboard', label: 'Dashboard', path: '' },
  { key: 'users', label: 'Users', path: '/users' },
  { key: 'groups', label: 'Groups', path: '/groups' },
  { key: 'journal', label: 'Journal', path: '/journal' },
  { key: 'tokens', label: 'Tokens', path: '/tokens' },
  { key: 'tenants', label: 'Tenants', path: '/tenants' },
]

/**
 * A GET form with a select and a button, not a select that navigates on change: it works without
 * the script, and arrowing through the options with the keyboard does not leave the page.
 */
function picker(v: Viewer, current: NavKey | undefined): Html {
  const path = NAV.find((n) => n.key === current)?.path ?? ''
  return html`<form class="picker" method="get" action="${href(path)}"><label for="tenant-picker">Tenant</label>
<select id="tenant-picker" name="${TENANT_PARAM}">${v.tenants.map(
    (t) => html`<option value="${t}"${t === v.tenant ? html` selected` : ''}>${t}</option>`
  )}</select><button class="plain" type="submit">Switch</button></form>`
}

export function page({ title, viewer, current, body }: Shell): Html {
  const nav = viewer
    ? html`<nav aria-label="Console"><ul>${NAV.map(
        (n) =>
          html`<li><a href="${tenantHref(viewer.tenant, n.path)}"${n.key === current ? html` aria-current="page"` : ''}>${n.label}</a></li>`
      )}</ul></nav><div class="account">${picker(viewer, current)}
      <form method="post" action="${href('/sign-out')}"><span>${viewer.admin}</span>
        <input type="hidden" name="csrf" value="${viewer.csrf}"><button class="plain" type="submit">Sign out</button></form></div>`
    : ''
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · scim-server console</title><link rel="icon" href="${href('/icon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${href('/console.css')}">
<script src="${href('/console.js')}" defer></script></head>
<body><a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="${viewer ? tenantHref(viewer.tenant, '') : href('')}">scim-server</a>${nav}</header>
<main id="main" tabindex="-1">${body}</main></body></html>`
}
