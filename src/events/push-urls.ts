// The push receivers of each tenant: `pushUrls` in tenants.settings (bun:sqlite).
import type { Database } from 'bun:sqlite'
import { dropStream, journalHead, placeStream, pushStream } from './streams'

/**
 * Where a receiver starts when it is added: `head`, the journal's end at that moment (it gets
 * what happens from then on), or `oldest`, the oldest entry the journal keeps (the history too).
 */
export type PushStart = 'head' | 'oldest'
export const PUSH_STARTS: readonly PushStart[] = ['head', 'oldest']

/** Receivers must be absolute http(s) URLs; anything else is refused before it is stored. */
export function pushUrlProblem(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return `${url} is not an absolute URL`
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `${url} is not an http or https URL`
  if (parsed.username || parsed.password) return `${url} carries credentials; they would be stored in clear`
  return undefined
}

/**
 * Sets the tenant's RFC 8935 receivers (replacing earlier ones; [] removes them all), with the
 * positions of those added and removed (placePushStreams). Throws an Error naming the bad URL or
 * the missing tenant. A running server picks the change up within its reload interval.
 */
export function setPushUrls(db: Database, tenant: string, urls: readonly string[], from: PushStart = 'head'): void {
  for (const url of urls) {
    const problem = pushUrlProblem(url)
    if (problem) throw new Error(problem)
  }
  db.transaction(() => {
    const before = storedPushUrls(db).get(tenant) ?? []
    const changed = db
      .query("UPDATE tenants SET settings = json_set(settings, '$.pushUrls', json(?)) WHERE name = ?")
      .run(JSON.stringify([...new Set(urls)]), tenant)
    if (changed.changes === 0) throw new Error(`no tenant ${tenant}`)
    placePushStreams(db, tenant, before, urls, from)
  })()
}

/**
 * The positions that go with a change of the tenant's receivers from `before` to `after`: each
 * added receiver starts at `from`, each removed one loses its position (added again later, it is
 * a new receiver), the others keep theirs. Call it in the transaction that stores `after`, once
 * that wrote: the write lock is then held, so no entry commits between the head read and the
 * list taking effect.
 */
export function placePushStreams(
  db: Database,
  tenant: string,
  before: readonly string[],
  after: readonly string[],
  from: PushStart = 'head'
): void {
  const { place, drop } = pushStreamChanges(before, after)
  const start = from === 'oldest' ? 0 : journalHead(db, tenant)
  for (const stream of place) placeStream(db, tenant, stream, start)
  for (const stream of drop) dropStream(db, tenant, stream)
}

/**
 * The streams a change of receivers from `before` to `after` places (those added) and drops
 * (those removed); both stores apply it (placePushStreams here, store-pg/tenants.ts there).
 */
export function pushStreamChanges(
  before: readonly string[],
  after: readonly string[]
): { place: string[]; drop: string[] } {
  return {
    place: after.filter((url) => !before.includes(url)).map(pushStream),
    drop: before.filter((url) => !after.includes(url)).map(pushStream),
  }
}

/** Every tenant's receivers, as stored. */
export function storedPushUrls(db: Database): Map<string, string[]> {
  const out = new Map<string, string[]>()
  const rows = db.query<{ name: string; urls: string | null }, []>(
    "SELECT name, json_extract(settings, '$.pushUrls') AS urls FROM tenants"
  )
  for (const row of rows.all()) {
    const urls = parseUrls(row.urls)
    if (urls.length > 0) out.set(row.name, urls)
  }
  return out
}

function parseUrls(text: string | null): string[] {
  if (text === null) return []
  try {
    const value = JSON.parse(text) as unknown
    return Array.isArray(value) ? value.filter((u): u is string => typeof u === 'string' && !pushUrlProblem(u)) : []
  } catch {
    return []
  }
}
