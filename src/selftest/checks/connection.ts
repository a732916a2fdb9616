// Entra's Test Connection probes (entra-wire §1.2), the 401 for a wrong token, and TLS.
import { expectList, expectScimError, fail } from '../expect'
import type { Suite } from '../runner'
import type { Session } from '../session'
import { filterQuery } from '../wire'

/** ACME clients renew at 30 days left; inside 14 something went wrong with the renewal. */
const WARN_DAYS = 14

/** Words for a certificate that ends within WARN_DAYS (or has ended), else undefined. */
function endingSoon(end: Date, now: Date): string | undefined {
  const days = Math.floor((end.getTime() - now.getTime()) / 86_400_000)
  const day = end.toISOString().slice(0, 10)
  if (days < 0) return `the TLS certificate expired on ${day}: Entra refuses it`
  if (days >= WARN_DAYS) return undefined
  return `the TLS certificate expires on ${day} (in ${days} day${days === 1 ? '' : 's'}): renew it, then reload the server`
}

async function tls(s: Session) {
  const scheme = new URL(s.base).protocol
  if (scheme === 'http:') {
    return {
      warn: 'the URL is http://: Entra provisions only over https with a certificate from a publicly trusted CA; put TLS in front (or --tls-cert/--tls-key) before pressing Test Connection',
    }
  }
  if (scheme !== 'https:') fail(`the URL scheme is ${scheme}, Entra needs https://`)
  // Any request proves the handshake; an untrusted certificate fails it with the reason.
  await s.send('GET', '/ServiceProviderConfig')
  const end = await s.certificateEnd()
  const expiring = end && endingSoon(end, new Date())
  const warnings = [
    s.insecure &&
      'https answered, but --insecure skipped certificate verification: Entra accepts only a publicly trusted certificate',
    expiring,
  ].filter((w): w is string => typeof w === 'string')
  if (warnings.length > 0) return { warn: warnings.join('; ') }
  const until = end ? `, valid until ${end.toISOString().slice(0, 10)}` : ''
  return `https with a certificate this machine trusts${until} (Entra needs a publicly trusted CA)`
}

async function testConnectionUsers(s: Session) {
  // A random GUID as the matching attribute, exactly as Test Connection does.
  const x = await s.send('GET', `/Users?${filterQuery('userName', crypto.randomUUID())}`)
  if (x.status === 404)
    fail(
      'GET /Users?filter=userName eq "<random>" answered 404; Entra needs 200 with an empty ListResponse and quarantines the job otherwise'
    )
  expectList(x, 0)
  return '200 ListResponse, totalResults 0 for a random userName'
}

async function testConnectionGroups(s: Session) {
  const x = await s.send('GET', `/Groups?excludedAttributes=members&${filterQuery('displayName', crypto.randomUUID())}`)
  expectList(x, 0)
  return '200 ListResponse, totalResults 0 for a random displayName'
}

async function wrongToken(s: Session) {
  const x = await s.send('GET', `/Users?${filterQuery('userName', crypto.randomUUID())}`, undefined, {
    token: `wrong-${crypto.randomUUID()}`,
  })
  if (x.status >= 200 && x.status < 300)
    fail(
      `a wrong token got ${x.status}: the deployment does not check tokens, anyone who reaches it can read and write users`
    )
  expectScimError(x, 401)
  return '401 with a SCIM Error body'
}

export const connectionSuite: Suite<void> = {
  title: 'connection',
  independent: true,
  state: () => undefined,
  checks: [
    { name: 'TLS', run: tls },
    { name: 'Test Connection (Users)', run: testConnectionUsers },
    { name: 'Test Connection (Groups)', run: testConnectionGroups },
    { name: 'wrong token gets 401', run: wrongToken },
  ],
}
