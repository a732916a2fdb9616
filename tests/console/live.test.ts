// Live updates: /admin/live streams each new journal entry of the tenant as a server-sent event.
import { afterEach, describe, expect, test } from 'bun:test'
import { LIVE_QUEUE_BYTES } from '../../src/console/journal-routes'
import { Browser, csrfOf, form, makeConsoleApp, closeConsoleApps, consoleStores, signedIn } from '../helpers/console'

const STORES = await consoleStores()
import { URN_USER, patchBody } from '../helpers/scim'

/** Reads the stream until `count` journal events arrived; returns their data. */
async function events(
  reader: { read(): Promise<{ value?: Uint8Array; done: boolean }> },
  count: number
): Promise<Record<string, unknown>[]> {
  const decoder = new TextDecoder()
  let text = ''
  const found = () => [...text.matchAll(/id: (\d+)\nevent: journal\ndata: (.+)\n\n/g)]
  while (found().length < count) {
    const { value, done } = await reader.read()
    if (done) break
    text += decoder.decode(value)
  }
  return found().map((m) => ({ id: Number(m[1]), ...JSON.parse(m[2]!) }))
}

/** Reads the stream until its text so far matches `pattern`; returns that text. */
async function readUntil(reader: { read(): Promise<{ value?: Uint8Array; done: boolean }> }, pattern: RegExp) {
  const decoder = new TextDecoder()
  let text = ''
  while (!pattern.test(text)) {
    const { value, done } = await reader.read()
    if (done) break
    text += decoder.decode(value, { stream: true })
  }
  return text
}

/** The value of the unlabelled metric `name` in /metrics text (NaN when absent). */
function sample(text: string, name: string): number {
  return Number(
    text
      .split('\n')
      .find((line) => line.startsWith(`${name} `))
      ?.slice(name.length + 1)
  )
}

/** Entries written while the stream is not read: their events (~180 bytes each) come to ~1.4 MiB. */
const WRITES = 8_000

for (const store of STORES)
  describe.skipIf(store.skip)(`live updates (${store.name})`, () => {
    afterEach(closeConsoleApps)
    test('console.js, which listens to the stream, is served and parses as JavaScript', async () => {
      const { browser } = await signedIn(store)
      const res = await browser.get('/admin/console.js')
      expect(res.status).toBe(200)
      const script = await res.text()
      expect(script).toContain('new EventSource(')
      // A syntax error (an escape lost in the template string) would stop every enhancement.
      expect(() => new Function(script)).not.toThrow()
    })

    test('entries committed after the stream opened arrive as events, without attribute values', async () => {
      const { app, browser } = await signedIn(store)
      const before = await app.scim('POST', '/Users', { schemas: [URN_USER], userName: 'old@example.com' })
      expect(before.status).toBe(201)
      const res = await browser.get('/admin/live')
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toStartWith('text/event-stream')
      const reader = res.body!.getReader()
      const created = await app.scim('POST', '/Users', { schemas: [URN_USER], userName: 'ada@example.com' })
      const id = ((await created.json()) as { id: string }).id
      await app.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'displayName', value: 'Secret Name' }))
      const got = await events(reader, 2)
      await reader.cancel()
      expect(got.map((e) => [e.id, e.seq, e.op, e.resourceType, e.resourceId])).toEqual([
        [2, 2, 'create', 'User', id],
        [3, 3, 'patch', 'User', id],
      ])
      expect(got[1]!.changes).toBe(1)
      expect(JSON.stringify(got)).not.toContain('Secret Name')
    })

    test('a reconnecting EventSource resumes after its Last-Event-ID', async () => {
      const { app, browser } = await signedIn(store)
      for (const userName of ['a@example.com', 'b@example.com'])
        await app.scim('POST', '/Users', { schemas: [URN_USER], userName })
      const res = await browser.get('/admin/live', { 'last-event-id': '1' })
      const reader = res.body!.getReader()
      await app.scim('POST', '/Users', { schemas: [URN_USER], userName: 'c@example.com' })
      const got = await events(reader, 2)
      await reader.cancel()
      expect(got.map((e) => e.seq)).toEqual([2, 3])
    })

    test('entries committed after the page was drawn and before its stream connected arrive at once', async () => {
      const { app, browser } = await signedIn(store)
      await app.scim('POST', '/Users', { schemas: [URN_USER], userName: 'drawn@example.com' })
      for (const page of ['/admin/journal', '/admin']) {
        const html = await (await browser.get(page)).text()
        const live = /data-live="([^"]+)"/.exec(html)![1]!.replaceAll('&amp;', '&')
        const drawn = Number(new URL(live, 'http://x').searchParams.get('after'))
        expect(drawn).toBeGreaterThan(0)
        // Committed while the browser had not connected yet (a slow script, a reconnect gap).
        const created = await app.scim('POST', '/Users', { schemas: [URN_USER], userName: `gap-${drawn}@example.com` })
        expect(created.status).toBe(201)
        const res = await browser.get(live)
        const reader = res.body!.getReader()
        // No later append comes: the backlog is sent when the stream opens.
        const got = await events(reader, 1)
        await reader.cancel()
        expect(got.map((e) => e.seq)).toEqual([drawn + 1])
      }
    })

    test('a stream resuming from its Last-Event-ID sends what it missed without waiting for a new append', async () => {
      const { app, browser } = await signedIn(store)
      for (const userName of ['a@example.com', 'b@example.com', 'c@example.com'])
        await app.scim('POST', '/Users', { schemas: [URN_USER], userName })
      const res = await browser.get('/admin/live', { 'last-event-id': '1' })
      const reader = res.body!.getReader()
      const got = await events(reader, 2)
      await reader.cancel()
      expect(got.map((e) => e.seq)).toEqual([2, 3])
    })

    test('a browser that stops reading is held to LIVE_QUEUE_BYTES; reading again, it is told which entries it missed, then gets new ones', async () => {
      const { app, browser } = await signedIn(store)
      const created = await app.scim('POST', '/Users', { schemas: [URN_USER], userName: 'busy@example.com' })
      const id = ((await created.json()) as { id: string }).id
      const reader = (await browser.get('/admin/live')).body!.getReader()
      const rename = (name: string) =>
        app.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'displayName', value: name }))
      // 50 at a time, as a busy provisioning client sends them (they commit together).
      for (let i = 0; i < WRITES; i += 50) await Promise.all(Array.from({ length: 50 }, (_, k) => rename(`n${i + k}`)))
      const live = async () => {
        const text = await app.metrics()
        return {
          bytes: sample(text, 'scim_console_live_queued_bytes'),
          skips: sample(text, 'scim_console_live_skips_total'),
        }
      }
      // The stream reads the journal after commits (on PostgreSQL at its next poll): wait until it stopped.
      let held = await live()
      while (held.skips === 0 && held.bytes <= LIVE_QUEUE_BYTES) {
        await Bun.sleep(20)
        held = await live()
      }
      expect(held.bytes).toBeLessThanOrEqual(LIVE_QUEUE_BYTES)
      // Full to within an event: the bound stopped it, not a stream that had fewer to send.
      expect(held.bytes).toBeGreaterThan(LIVE_QUEUE_BYTES - 1_000)
      expect(held.skips).toBe(1)

      const text = await readUntil(reader, /event: skipped\ndata: .+\n\n/)
      const sent = [...text.matchAll(/id: (\d+)\nevent: journal\n/g)].map((m) => Number(m[1]))
      expect(sent.length).toBeGreaterThan(5_000)
      expect(sent).toEqual(Array.from({ length: sent.length }, (_, i) => i + 2))
      const skipped = /id: (\d+)\nevent: skipped\ndata: (.+)\n\n/.exec(text)!
      expect(text.endsWith(skipped[0])).toBe(true)
      const last = WRITES + 1
      expect(Number(skipped[1])).toBe(last)
      expect(JSON.parse(skipped[2]!)).toEqual({ first: sent.length + 2, last })

      await rename('after')
      const [next] = await events(reader, 1)
      expect(next!.seq).toBe(last + 1)
      // Read to the end: the stream holds nothing, and it did not fall behind again.
      expect(await live()).toEqual({ bytes: 0, skips: 1 })
      await reader.cancel()
    }, 120_000)

    test('without a session the stream is refused; signing out ends an open one', async () => {
      const { app, browser } = await signedIn(store)
      expect((await new Browser(app).get('/admin/live')).status).toBe(401)
      const res = await browser.get('/admin/live')
      const reader = res.body!.getReader()
      const page = await (await browser.get('/admin')).text()
      expect((await browser.post('/admin/sign-out', form({ csrf: csrfOf(page) }))).status).toBe(303)
      await app.scim('POST', '/Users', { schemas: [URN_USER], userName: 'late@example.com' })
      const got = await events(reader, 1)
      expect(got).toEqual([])
    })

    test('endWaits (a stopping server) ends an open stream, and one opened afterwards ends at once', async () => {
      const app = await makeConsoleApp({ store, served: true })
      const browser = new Browser(app)
      expect((await browser.signIn()).status).toBe(303)
      const open = (await browser.get('/admin/live')).body!.getReader()
      app.endWaits()
      const drain = async (reader: typeof open) => {
        let text = ''
        for (let r = await reader.read(); !r.done; r = await reader.read()) text += new TextDecoder().decode(r.value)
        return text
      }
      expect(await drain(open)).toContain(': journal entries')
      const late = await browser.get('/admin/live')
      expect(late.status).toBe(200)
      expect(await drain(late.body!.getReader())).toContain('retry: 5000')
    })
  })
