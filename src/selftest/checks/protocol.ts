// Protocol details IdPs rely on: ETag, meta.location, 404/409 SCIM Error bodies, media type.
import { finishUserBody, getKey } from '../entra'
import { expectScimError, expectStatus, fail, objectBody } from '../expect'
import type { Suite } from '../runner'
import type { Exchange, Session } from '../session'
import { createEntraUser, deleteAndGone } from './common'

/** Where meta.location should point, and what it means when it points elsewhere. */
function checkLocation(s: Session, location: unknown, id: string): void {
  const expected = `${s.base}/Users/${id}`
  if (typeof location !== 'string') fail('meta.location is missing (RFC 7643 §3.1)')
  if (location === expected) return
  let got: URL
  try {
    got = new URL(location)
  } catch {
    return fail(`meta.location is ${JSON.stringify(location)}, not an absolute URL; expected ${expected}`)
  }
  const want = new URL(expected)
  const fix = `start the server with --base-url ${s.base}`
  if (got.host !== want.host || got.protocol !== want.protocol) {
    fail(
      `meta.location is ${location}, on ${got.protocol}//${got.host} rather than the ${want.protocol}//${want.host} given with --url: a proxy in front rewrites the Host (or the scheme), so clients following it go astray; ${fix}`
    )
  }
  fail(`meta.location is ${location}, expected ${expected}: a proxy rewrites the path prefix; ${fix}`)
}

async function etagAndLocation(s: Session) {
  const user = await createEntraUser(s, 'location')
  const path = `/Users/${user.id}`
  const got = await s.send('GET', path)
  expectStatus(got, 200)
  const meta = getKey(objectBody(got), 'meta')
  const location = getKey(meta, 'location')
  checkLocation(s, location, user.id)
  // RFC 7644 §3.3: the 201's Location header names the same URL as meta.location.
  const header = user.response.headers.get('location')
  if (header !== location)
    fail(
      `the Location header of the 201 is ${JSON.stringify(header)}, meta.location is ${JSON.stringify(location)}; RFC 7644 §3.3 wants both the same`
    )
  const etag = got.headers.get('etag')
  const version = getKey(meta, 'version')
  if (!etag) fail(`GET ${path} has no ETag header (RFC 7644 §3.14)`)
  if (version !== undefined && etag !== version)
    fail(`the ETag header ${etag} differs from meta.version ${JSON.stringify(version)}`)
  await deleteAndGone(s, path)
  return `Location and meta.location are ${s.base}/Users/{id}; ETag ${etag} matches meta.version`
}

async function notFound(s: Session) {
  expectScimError(await s.send('GET', `/Users/${crypto.randomUUID()}`), 404)
  return 'GET of an unknown id: 404 with a SCIM Error body'
}

async function conflict(s: Session) {
  const first = await createEntraUser(s, 'duplicate')
  const body = finishUserBody({ userName: first.name, active: true, displayName: 'Selftest duplicate' }, false)
  const x = await s.send('POST', '/Users', body)
  if (x.status >= 200 && x.status < 300) {
    // The server made a second user; keep it on the clean-up list.
    const b = x.body as { id?: unknown } | undefined
    if (typeof b?.id === 'string') s.track(`/Users/${b.id}`)
    fail(
      `a second POST /Users with the same userName answered ${x.status}: the server creates duplicates, where Entra expects 409 uniqueness`
    )
  }
  expectScimError(x, 409, 'uniqueness')
  await deleteAndGone(s, `/Users/${first.id}`)
  return 'a duplicate userName: 409, scimType uniqueness'
}

function mediaType(x: Exchange): string {
  return (x.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
}

async function contentType(s: Session) {
  // Judged over every response so far: Entra and its validator want it on all of them.
  const withBody = s.exchanges.filter((x) => x.text !== '')
  const wrong = withBody.filter((x) => mediaType(x) !== 'application/scim+json')
  if (withBody.length === 0) fail('no response had a body')
  if (wrong.length > 0) {
    const x = wrong[0]!
    fail(
      `${wrong.length} of ${withBody.length} responses were not application/scim+json, e.g. ${x.method} ${x.path} → ${x.status} with Content-Type ${JSON.stringify(x.headers.get('content-type'))}; Entra requires application/scim+json`
    )
  }
  return `all ${withBody.length} responses with a body were application/scim+json (requests sent application/scim+json; charset=utf-8)`
}

export const protocolSuite: Suite<void> = {
  title: 'protocol',
  independent: true,
  state: () => undefined,
  checks: [
    { name: 'ETag and meta.location', run: etagAndLocation },
    { name: '404 SCIM Error body', run: notFound },
    { name: '409 on a duplicate userName', run: conflict },
    { name: 'content type', run: contentType },
  ],
}
