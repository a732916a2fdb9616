// The sign-in page and the page a one-time link opens; both post back with a pre-session CSRF token.
import { html, type Html } from '../html'
import { href, page } from '../layout'
import { LINK_PATH, SIGN_IN_PATH } from '../paths'
import { MIN_PASSWORD_LENGTH } from '../passwords'

function notice(message: string | undefined): Html | string {
  return message ? html`<p class="notice bad" role="alert">${message}</p>` : ''
}

export function signInPage(pre: string, message?: string, name = ''): Html {
  return page({
    title: 'Sign in',
    body: html`<div class="sign-in"><h1>Sign in to the console</h1>${notice(message)}
<form method="post" action="${href(SIGN_IN_PATH)}">
<input type="hidden" name="csrf" value="${pre}">
<label>Account name <input type="text" name="name" value="${name}" autocomplete="username" required autofocus></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form>
<p class="muted">Accounts are made on the server: <code>scim-server admin add NAME</code>. SCIM bearer tokens do not sign in here.</p></div>`,
  })
}

export function linkPage(pre: string, token: string, message?: string): Html {
  return page({
    title: 'Sign in with a link',
    body: html`<div class="sign-in"><h1>Sign in with a one-time link</h1>${notice(message)}
<form method="post" action="${href(LINK_PATH)}">
<input type="hidden" name="csrf" value="${pre}"><input type="hidden" name="token" value="${token}">
<label>New password <input type="password" name="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}"></label>
<label>Repeat it <input type="password" name="repeat" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}"></label>
<p class="muted">At least ${MIN_PASSWORD_LENGTH} characters. Leave both empty to sign in once without setting one.</p>
<button type="submit">Sign in</button></form></div>`,
  })
}
