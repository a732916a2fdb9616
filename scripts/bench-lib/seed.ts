// Seeding through the SCIM API itself (not measured): users, groups, member adds and removals.
// Users are u<i>@example.com / e<i>; the 201 bodies also go into the baseline's own table.
import { writeFileSync } from 'node:fs'
import type { Database } from 'bun:sqlite'

const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
const DEPARTMENTS = ['Sales', 'Engineering', 'Finance', 'Support', 'Marketing', 'Legal']
const GIVEN = ['Ada', 'Brian', 'Chen', 'Dana', 'Emeka', 'Fatima', 'Goran', 'Hana']
const FAMILY = ['Ng', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Sato', 'Tanaka', 'Umar']

export interface Api {
  base: string // http://127.0.0.1:P/scim/v2
  token: string
}

export function userName(i: number): string {
  return `u${i}@example.com`
}

export function userBody(i: number): string {
  return JSON.stringify({
    schemas: [USER_URN],
    userName: userName(i),
    externalId: `e${i}`,
    active: true,
    name: { givenName: GIVEN[i % GIVEN.length], familyName: FAMILY[(i >> 3) % FAMILY.length] },
    emails: [{ value: userName(i), type: 'work', primary: true }],
    [ENTERPRISE_URN]: { department: DEPARTMENTS[i % DEPARTMENTS.length] },
  })
}

function headers(api: Api): Record<string, string> {
  return { authorization: `Bearer ${api.token}`, 'content-type': 'application/scim+json; charset=utf-8' }
}

/** One SCIM call with retries on network errors and 5xx; returns status and body text. */
export async function call(
  api: Api,
  method: string,
  path: string,
  body?: string,
  expect: number[] = [200, 201, 204]
): Promise<{ status: number; text: string }> {
  let lastError = ''
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const res = await fetch(`${api.base}${path}`, { method, headers: headers(api), body })
      const text = await res.text()
      if (expect.includes(res.status)) return { status: res.status, text }
      lastError = `${method} ${path} → ${res.status} ${text.slice(0, 300)}`
      if (res.status < 500) break
    } catch (error) {
      lastError = `${method} ${path} → ${String(error)}`
    }
    await Bun.sleep(200 * (attempt + 1))
  }
  throw new Error(lastError)
}

/** Runs `task(i)` for i in [0, count) with `concurrency` workers. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < count) await task(next++)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
}

function progress(label: string, total: number): { tick: () => void; end: () => number } {
  const started = performance.now()
  let done = 0
  let lastPrint = started
  return {
    tick() {
      done++
      const now = performance.now()
      if (now - lastPrint > 5000) {
        lastPrint = now
        const rate = done / ((now - started) / 1000)
        const eta = Math.round((total - done) / rate)
        console.log(
          `  seed: ${label} ${done.toLocaleString('en')}/${total.toLocaleString('en')} (${Math.round(rate).toLocaleString('en')}/s, ETA ${Math.floor(eta / 60)}m${eta % 60}s)`
        )
      }
    },
    end() {
      const secs = (performance.now() - started) / 1000
      console.log(
        `  seed: ${label} ${done.toLocaleString('en')} in ${secs.toFixed(1)} s (${Math.round(done / secs).toLocaleString('en')}/s)`
      )
      return done / secs
    },
  }
}

/**
 * Creates users u<from>…u<from+count-1>; returns their ids in index order and the rate.
 * Each 201 body is also inserted into `baseline` (id, user_name, data) when given.
 */
export async function seedUsers(
  api: Api,
  from: number,
  count: number,
  opts: { concurrency: number; baseline?: Database }
): Promise<{ ids: string[]; rate: number }> {
  const ids: string[] = new Array(count)
  const insert = opts.baseline?.prepare('INSERT OR REPLACE INTO users (id, user_name, data) VALUES (?, ?, ?)')
  let rows: [string, string, string][] = []
  const flush = () => {
    if (!opts.baseline || !insert || rows.length === 0) return
    const batch = rows
    rows = []
    opts.baseline.transaction(() => {
      for (const r of batch) insert.run(...r)
    })()
  }
  const p = progress('users', count)
  await pool(count, opts.concurrency, async (k) => {
    const i = from + k
    let { status, text } = await call(api, 'POST', '/Users', userBody(i), [201, 409])
    if (status === 409) {
      // Left over from an interrupted seed: reuse the existing user.
      const found = await call(api, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName(i)}"`)}`)
      const list = JSON.parse(found.text) as { Resources: unknown[] }
      text = JSON.stringify(list.Resources[0])
    }
    const id = (JSON.parse(text) as { id: string }).id
    ids[k] = id
    rows.push([id, userName(i), text])
    if (rows.length >= 2000) flush()
    p.tick()
  })
  flush()
  return { ids, rate: p.end() }
}

/** Creates `count` groups named `${prefix}-<n>`; returns their ids. */
export async function createGroups(api: Api, prefix: string, count: number, concurrency: number): Promise<string[]> {
  const ids: string[] = new Array(count)
  await pool(count, concurrency, async (k) => {
    const body = JSON.stringify({ schemas: [GROUP_URN], displayName: `${prefix}-${k}` })
    ids[k] = (JSON.parse((await call(api, 'POST', '/Groups', body, [201])).text) as { id: string }).id
  })
  return ids
}

function memberPatch(op: 'Add' | 'Remove', userIds: string[]): string {
  return JSON.stringify({
    schemas: [PATCH_URN],
    Operations: [{ op, path: 'members', value: userIds.map((value) => ({ value })) }],
  })
}

/** Adds or removes members of one group in PATCH batches of 1000 ids. */
export async function patchMembers(api: Api, op: 'Add' | 'Remove', groupId: string, userIds: string[]): Promise<void> {
  for (let at = 0; at < userIds.length; at += 1000) {
    await call(api, 'PATCH', `/Groups/${groupId}`, memberPatch(op, userIds.slice(at, at + 1000)), [200, 204])
  }
}

/** Many (group, members) PATCHes with bounded concurrency; labelled progress for long runs. */
export async function patchMembersMany(
  api: Api,
  op: 'Add' | 'Remove',
  work: { groupId: string; userIds: string[] }[],
  concurrency: number
): Promise<void> {
  const batches: { groupId: string; userIds: string[] }[] = []
  for (const w of work) {
    for (let at = 0; at < w.userIds.length; at += 1000)
      batches.push({ groupId: w.groupId, userIds: w.userIds.slice(at, at + 1000) })
  }
  const p = progress(`member ${op.toLowerCase()} batches`, batches.length)
  await pool(batches.length, concurrency, async (k) => {
    const b = batches[k]!
    await call(api, 'PATCH', `/Groups/${b.groupId}`, memberPatch(op, b.userIds), [200, 204])
    p.tick()
  })
  p.end()
}

export function writeList(path: string, values: string[]): void {
  writeFileSync(path, `${values.join('\n')}\n`)
}
