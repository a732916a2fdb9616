// The admin console in Debian's Chromium, against the compiled binary: sign in, search, open a user,
// see a PATCH sent through the SCIM API on reload and in its history, watch the journal live, verify
// it, issue and revoke a token, create a tenant and switch to it. Screenshots of each page go to
// test-results/console/.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { ensureBinary, REPO_ROOT } from '../helpers/binary'
import { type Child, freePort, spawnBinary } from '../helpers/process'

const CHROMIUM = '/usr/bin/chromium'
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]
const SHOTS = resolve(REPO_ROOT, 'test-results/console')
const TOKEN = `browser-${crypto.randomUUID()}`
const PASSWORD = 'correct horse battery'
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

let server: Child
let base: string
let browser: Browser
let userId: string
let groupId: string
let ids: string[]
/** Every URL the browser asked for: all must be the server's own. */
const requested: string[] = []
/** Errors the pages logged (a Content-Security-Policy violation among them): there must be none. */
const pageErrors: string[] = []

async function scim(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${base}/scim/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
}

async function newPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport })
  const page = await context.newPage()
  page.on('request', (r) => requested.push(r.url()))
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`${page.url()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`))
  return page
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${base}/admin`)
  await page.getByLabel('Account name').fill('ada')
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(`${base}/admin`)
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh (scripts/test runs it first)`)
  mkdirSync(SHOTS, { recursive: true })
  const db = join(mkdtempSync(join(tmpdir(), 'scim-browser-')), 'scim.db')
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  server = await spawnBinary(['--port', String(port), '--host', '127.0.0.1', '--db', db, '--token', TOKEN])
  await server.waitFor('Database:')
  const add = Bun.spawn([await ensureBinary(), 'admin', 'add', 'ada', '--db', db], {
    stdin: new Blob([`${PASSWORD}\n`]),
    stdout: 'ignore',
    stderr: 'inherit',
  })
  expect(await add.exited).toBe(0)
  const names = ['ada.lovelace@example.com', 'alan.turing@example.com', 'grace.hopper@example.com']
  ids = []
  for (const userName of names) {
    const res = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName,
      active: true,
      displayName: userName.split('@')[0],
      name: { givenName: userName.split('.')[0], familyName: userName.split('.')[1]!.split('@')[0] },
      emails: [{ value: userName, type: 'work', primary: true }],
    })
    expect(res.status).toBe(201)
    ids.push(((await res.json()) as { id: string }).id)
  }
  userId = ids[0]!
  const group = await scim('POST', '/Groups', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: 'Analytical Engines',
    members: ids.slice(0, 2).map((value) => ({ value })),
  })
  groupId = ((await group.json()) as { id: string }).id
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  server?.proc.kill('SIGTERM')
  await server?.proc.exited
})

describe('console in Chromium', () => {
  test('sign in, search a user, open it, see its JSON, and a PATCH through SCIM on reload', async () => {
    const page = await newPage()
    await page.goto(`${base}/admin`)
    await expect(page.url()).toBe(`${base}/admin/sign-in`)
    await shot(page, 'sign-in')
    await signIn(page)
    await expect(page.getByRole('heading', { name: 'Users' })).toBeDefined()
    expect(await page.locator('#count-User + .n').textContent()).toBe('3')
    await shot(page, 'dashboard')

    await page.getByRole('link', { name: 'Users', exact: true }).click()
    await page.waitForURL(`${base}/admin/users`)
    await shot(page, 'users')
    await page.getByLabel('Search users').fill('ada')
    await page.getByLabel('Search users').press('Enter')
    await page.waitForURL(/q=ada/)
    expect(await page.getByRole('status').textContent()).toBe('1 user match.')
    await shot(page, 'users-search')

    await page.getByRole('link', { name: 'ada.lovelace@example.com' }).click()
    await page.waitForURL(`${base}/admin/user?id=${userId}`)
    const served = await (await scim('GET', `/Users/${userId}`)).json()
    expect(JSON.parse((await page.locator('#resource-json').textContent())!)).toEqual(served)
    expect(await page.getByRole('link', { name: 'Analytical Engines' }).count()).toBe(1)
    await shot(page, 'user')

    // What Entra sends to rename a user: a capitalised op without a path.
    const patched = await scim('PATCH', `/Users/${userId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', value: { displayName: 'Countess of Lovelace', 'name.givenName': 'Augusta' } }],
    })
    expect(patched.status).toBe(200)
    await page.reload()
    const json = JSON.parse((await page.locator('#resource-json').textContent())!)
    expect(json.displayName).toBe('Countess of Lovelace')
    expect(json.name.givenName).toBe('Augusta')
    expect(json).toEqual(await (await scim('GET', `/Users/${userId}`)).json())
    await shot(page, 'user-after-patch')

    await page.getByRole('link', { name: 'Analytical Engines' }).click()
    await page.waitForURL(`${base}/admin/group?id=${groupId}`)
    expect(await page.getByRole('heading', { name: /Members/ }).textContent()).toContain('(2)')
    await shot(page, 'group')
    await page.getByRole('link', { name: 'Groups', exact: true }).click()
    await shot(page, 'groups')
  }, 60_000)

  test('the PATCH appears in the user’s history; the journal shows a new entry live and verifies its chain', async () => {
    const page = await newPage()
    await signIn(page)
    await page.goto(`${base}/admin/user?id=${userId}`)
    const history = page.locator('section[aria-labelledby=history] table.entries > tbody > tr')
    // Newest first: the Entra-style rename of the first test, then the create.
    expect(await history.count()).toBe(2)
    const newest = (await history.first().textContent())!
    expect(newest).toContain('patch')
    expect(newest).toContain('Countess of Lovelace')
    expect((await history.last().textContent())!).toContain('create')
    await shot(page, 'user-history')

    await page.goto(`${base}/admin/journal`)
    await page.locator('[data-live-status]', { hasText: 'Live:' }).waitFor()
    const patched = await scim('PATCH', `/Users/${ids[2]}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    })
    expect(patched.status).toBe(200)
    const live = page.locator('[data-live-rows] > tr')
    await live.first().waitFor()
    expect(await live.count()).toBe(1)
    expect((await live.first().textContent())!).toContain(`User ${ids[2]}`)
    await shot(page, 'journal-live')

    await page.getByRole('button', { name: 'Verify chain' }).click()
    await page.waitForURL(`${base}/admin/journal/verify`)
    const exported = (await (await page.request.get(`${base}/admin/journal/export`)).text()).trimEnd().split('\n')
    expect(exported.length).toBeGreaterThan(5)
    expect(await page.locator('#verify-result').textContent()).toContain(
      `tenant default: ${exported.length} entries intact`
    )
    await shot(page, 'journal-verified')

    await page.goto(`${base}/admin`)
    await shot(page, 'dashboard-journal')
  }, 60_000)

  test('a page that fell behind its live stream marks the entries the server left out, with a reload link', async () => {
    const page = await newPage()
    await signIn(page)
    // What the server sends a browser that stopped reading for a whole queue (tests/console/live.test.ts).
    await page.route('**/admin/live**', (route) =>
      route.fulfill({
        contentType: 'text/event-stream',
        body: 'retry: 60000\n\nid: 12\nevent: skipped\ndata: {"first":5,"last":12}\n\n',
      })
    )
    await page.goto(`${base}/admin/journal`)
    const gap = page.locator('[data-live-rows] > tr[data-skipped="5-12"]')
    await gap.waitFor()
    expect(await gap.textContent()).toBe('Entries #5 to #12 were skipped: this page fell behind. Reload the page')
    expect(await gap.getByRole('link', { name: 'Reload the page' }).count()).toBe(1)
    await shot(page, 'journal-live-skipped')
  }, 60_000)

  test('issue a token (shown once), then revoke it after confirming', async () => {
    const page = await newPage()
    await signIn(page)
    await page.getByRole('link', { name: 'Tokens', exact: true }).click()
    await page.waitForURL(`${base}/admin/tokens`)
    expect(await page.locator('#tenant-url').textContent()).toBe(`${base}/scim/v2`)
    await page.getByLabel('Label').fill('entra-browser')
    await page.getByLabel('Scope').selectOption('provision')
    await page.getByLabel('Expires').selectOption('30')
    await page.getByRole('button', { name: 'Issue token' }).click()
    await page.waitForURL(`${base}/admin/tokens/issue`)
    const token = (await page.locator('#new-token').textContent())!
    expect(token.length).toBeGreaterThan(20)
    const id = /Token ([0-9a-f]+) issued/.exec((await page.locator('#issued-title').textContent())!)![1]!
    await shot(page, 'token-issued')

    await page.goto(`${base}/admin/tokens`)
    expect(await page.locator('#new-token').count()).toBe(0)
    expect(await page.content()).not.toContain(token)
    await page.getByRole('button', { name: `Revoke token ${id}` }).click()
    await page.waitForURL(`${base}/admin/tokens/revoke`)
    await shot(page, 'token-revoke')
    await page.getByRole('button', { name: `Revoke token ${id}` }).click()
    await page.waitForURL(`${base}/admin/tokens?revoked=${id}`)
    expect(await page.getByRole('status').textContent()).toBe(`Token ${id} revoked.`)
    expect(await page.getByRole('button', { name: `Revoke token ${id}` }).count()).toBe(0)
    await shot(page, 'tokens')
  }, 60_000)

  test('create a tenant from the keyboard, switch to it with the picker, issue its token and see its Tenant URL', async () => {
    const page = await newPage()
    await signIn(page)
    await page.getByRole('link', { name: 'Tenants', exact: true }).click()
    await page.waitForURL(`${base}/admin/tenants`)
    await shot(page, 'tenants')
    // No mouse: type the name, Tab to a pack and tick it with Space, Tab on to the button, Enter.
    await page.getByLabel('Name', { exact: true }).focus()
    await page.keyboard.type('acme-hr')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    expect(await page.evaluate('document.activeElement?.value')).toBe('alvao')
    await page.keyboard.press('Space')
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab')
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Create tenant')
    await page.keyboard.press('Enter')
    await page.waitForURL(`${base}/admin/tenants?created=acme-hr`)
    expect(await page.getByRole('status').textContent()).toContain('Tenant acme-hr created.')
    expect(await page.locator('#url-acme-hr').textContent()).toBe(`${base}/tenants/acme-hr/scim/v2`)
    await shot(page, 'tenants-created')

    // The picker, by keyboard too: on the tokens page, choose the tenant and press Switch.
    await page.getByRole('link', { name: 'Tokens', exact: true }).click()
    await page.waitForURL(`${base}/admin/tokens`)
    await page.getByLabel('Tenant', { exact: true }).focus()
    await page.keyboard.type('acme')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    await page.waitForURL(`${base}/admin/tokens?tenant=acme-hr`)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Tokens · tenant acme-hr')
    expect(await page.locator('#tenant-url').textContent()).toBe(`${base}/tenants/acme-hr/scim/v2`)
    await page.getByLabel('Label').fill('entra-acme')
    await page.getByRole('button', { name: 'Issue token' }).click()
    await page.waitForURL(`${base}/admin/tokens/issue?tenant=acme-hr`)
    const token = (await page.locator('#new-token').textContent())!
    await shot(page, 'tenant-token-issued')
    // The new tenant is served with it at once, and it opens no other tenant.
    const users = await fetch(`${base}/tenants/acme-hr/scim/v2/Users`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(users.status).toBe(200)
    expect((await fetch(`${base}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401)
    // Every link of the page stays in the tenant.
    await page.getByRole('link', { name: 'Users', exact: true }).click()
    await page.waitForURL(`${base}/admin/users?tenant=acme-hr`)
    expect(await page.getByRole('status').textContent()).toBe('0 users match.')
  }, 60_000)

  test('keyboard: the first Tab reaches the skip link, which moves focus to the content', async () => {
    const page = await newPage()
    await signIn(page)
    await page.keyboard.press('Tab')
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content')
    await page.keyboard.press('Enter')
    expect(await page.evaluate('document.activeElement?.id')).toBe('main')
  }, 60_000)

  test('on a phone the list reads as one column and the page does not scroll sideways', async () => {
    const page = await newPage({ width: 375, height: 740 })
    await signIn(page)
    await shot(page, 'dashboard-phone')
    await page.goto(`${base}/admin/users`)
    const width = await page.evaluate<number>('document.documentElement.scrollWidth')
    expect(width).toBeLessThanOrEqual(375)
    await shot(page, 'users-phone')
    await page.goto(`${base}/admin/user?id=${userId}`)
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375)
    await shot(page, 'user-phone')
    for (const name of ['journal', 'tokens', 'tenants']) {
      await page.goto(`${base}/admin/${name}`)
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375)
      await shot(page, `${name}-phone`)
    }
  }, 60_000)

  test('a name of hundreds of unbroken characters wraps: no sideways scrolling, the other columns keep their width', async () => {
    const long = `${'A'.repeat(300)} very long name ${'B'.repeat(200)}`
    const user = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `${'l'.repeat(120)}@example.com`,
      displayName: long,
    })
    const id = ((await user.json()) as { id: string }).id
    const group = await scim('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: `Long ${'G'.repeat(300)}`,
      members: [{ value: id }],
    })
    const gid = ((await group.json()) as { id: string }).id
    for (const viewport of [
      { width: 375, height: 740 },
      { width: 1280, height: 800 },
    ]) {
      const page = await newPage(viewport)
      await signIn(page)
      for (const path of [`/admin/group?id=${gid}`, `/admin/user?id=${id}`, '/admin/users', '/admin/groups']) {
        await page.goto(`${base}${path}`)
        expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(viewport.width)
      }
      await page.goto(`${base}/admin/users`)
      await shot(page, `users-long-name-${viewport.width}`)
      if (viewport.width > 1000) {
        // The Active column's cells were squeezed to a character wide by the long name beside them.
        const widths = await page.$$eval('td[data-label="Active"]', (cells) =>
          cells.map((c) => c.getBoundingClientRect().width)
        )
        expect(Math.min(...widths)).toBeGreaterThan(60)
      }
    }
  }, 60_000)

  test('every asset comes from the server itself (no CDN, no web font), and no page logged an error', () => {
    expect(requested.length).toBeGreaterThan(0)
    expect(requested.filter((url) => !url.startsWith(`${base}/`))).toEqual([])
    expect(pageErrors).toEqual([])
  })
})
