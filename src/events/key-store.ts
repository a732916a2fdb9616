// Each tenant's event-signing key in the event_keys table (bun:sqlite), made when first needed.
import type { Database } from 'bun:sqlite'
import { newSigningKey, publicJwkOf, thumbprint, type PrivateJwk, type PublicJwk, type SigningKey } from './jws'
import type { KeyStore } from './event-store'
import { type KeyRow, KnownKeys } from './known-keys'

/** The newest row is read on each use (one indexed read), so a tenant removed and added again signs with its new key. */
export class EventKeys implements KeyStore {
  private readonly known = new KnownKeys()
  private readonly readKeys
  private readonly readNewest
  private readonly insertKey

  constructor(
    db: Database,
    private readonly now: () => Date
  ) {
    const newestFirst = 'SELECT kid, private_jwk FROM event_keys WHERE tenant = ? ORDER BY created DESC, kid'
    this.readKeys = db.query<KeyRow, [string]>(newestFirst)
    this.readNewest = db.query<KeyRow, [string]>(`${newestFirst} LIMIT 1`)
    this.insertKey = db.query('INSERT INTO event_keys (kid, tenant, private_jwk, created) VALUES (?, ?, ?, ?)')
  }

  /** The key the tenant's SETs are signed with: its newest, created and stored on first use. */
  signingKey(tenant: string): SigningKey {
    let row = this.readNewest.get(tenant)
    if (!row) {
      const fresh = newSigningKey()
      this.insertKey.run(fresh.kid, tenant, JSON.stringify(fresh.jwk), this.now().toISOString())
      row = { kid: fresh.kid, private_jwk: JSON.stringify(fresh.jwk) }
    }
    return this.known.of(tenant, row)
  }

  /** The tenant's public keys (RFC 7517 §5 JWK Set): every stored one, so older SETs still verify. */
  jwks(tenant: string): { keys: PublicJwk[] } {
    this.signingKey(tenant)
    const keys = this.readKeys.all(tenant).map((row) => {
      const jwk = JSON.parse(row.private_jwk) as PrivateJwk
      return publicJwkOf({ kid: thumbprint(jwk), jwk })
    })
    return { keys }
  }
}

/** Makes the tenant's signing key now unless it has one (for `tenant add`, so a new tenant's JWKS is ready at once). */
export function ensureEventKey(db: Database, tenant: string, now: () => Date = () => new Date()): string {
  return new EventKeys(db, now).signingKey(tenant).kid
}
