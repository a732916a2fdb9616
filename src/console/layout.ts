// The page shell every console page shares: head, skip link, navigation, sign-out, main landmark.
import { html, type Html, type Part } from './html'
import { CONSOLE_PREFIX } from './paths'

/** A console URL with its query; empty and absent values are left out. */
export function href(path: string, query: Record<string, string | undefined> = {}): string {
  const pairs = Object.entries(query).filter(([, v]) => v !== undefined && v !== '')
  const search = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v!)}`).join('&')
  return `${CONSOLE_PREFIX}${path}${search ? `?${search}` : ''}`
}

export interface Shell {
  title: string
  /** The signed-in account, with its session's CSRF token for the sign-out form; absent on sign-in pages. */
  session?: { admin: string; csrf: string }
  /** The navigation entry to mark as the current page. */
  current?: 'dashboard' | 'users' | 'groups' | 'journal' | 'tokens'
  body: Part
}

const NAV: { key: Shell['current']; label: string; path: string }[] = [
  { key: 'dashboard', label: 'Dashboard', path: '' },
  { key: 'users', label: 'Users', path: '/users' },
  { key: 'groups', label: 'Groups', path: '/groups' },
  { key: 'journal', label: 'Journal', path: '/journal' },
  { key: 'tokens', label: 'Tokens', path: '/tokens' },
]

export function page({ title, session, current, body }: Shell): Html {
  const nav = session
    ? html`<nav aria-label="Console"><ul>${NAV.map(
        (n) =>
          html`<li><a href="${href(n.path)}"${n.key === current ? html` aria-current="page"` : ''}>${n.label}</a></li>`
      )}</ul></nav>
      <form method="post" action="${href('/sign-out')}"><span>${session.admin}</span>
        <input type="hidden" name="csrf" value="${session.csrf}"><button class="plain" type="submit">Sign out</button></form>`
    : ''
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · scim-server console</title><link rel="icon" href="${href('/icon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${href('/console.css')}">
<script src="${href('/console.js')}" defer></script></head>
<body><a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="${href('')}">scim-server</a>${nav}</header>
<main id="main" tabindex="-1">${body}</main></body></html>`
}
