// Each tenant's event-signing key in PostgreSQL (event_keys): made once per tenant, however many replicas start together.
import type { SQL } from 'bun'
import { newSigningKey, publicJwkOf, thumbprint, type PrivateJwk, type PublicJwk, type SigningKey } from '../events/jws'
import type { KeyStore } from '../events/event-store'
import { type KeyRow, KnownKeys } from '../events/known-keys'
import { lockTenant } from './tenant-lock'

const NEWEST = 'SELECT kid, private_jwk FROM event_keys WHERE tenant = $1 ORDER BY created DESC, kid'

/**
 * What events/key-store.ts does on SQLite, for replicas: a tenant without a key gets one made
 * under the tenant's advisory lock, and the look for an existing key is made again under it, so
 * two replicas signing a new tenant's first SET at once store one key, and both sign with it
 * (a SET one replica signed verifies with the JWKS another serves).
 */
export class PgEventKeys implements KeyStore {
  private readonly known = new KnownKeys()

  constructor(
    private readonly sql: SQL,
    private readonly now: () => Date
  ) {}

  async signingKey(tenant: string): Promise<SigningKey> {
    const [found] = (await this.sql.unsafe(`${NEWEST} LIMIT 1`, [tenant])) as KeyRow[]
    return this.known.of(tenant, found ?? (await this.make(tenant)))
  }

  /** The tenant's public keys (RFC 7517 §5 JWK Set): every stored one, so older SETs still verify. */
  async jwks(tenant: string): Promise<{ keys: PublicJwk[] }> {
    let rows = (await this.sql.unsafe(NEWEST, [tenant])) as KeyRow[]
    if (rows.length === 0) rows = [await this.make(tenant)]
    const keys = rows.map((row) => {
      const jwk = JSON.parse(row.private_jwk) as PrivateJwk
      return publicJwkOf({ kid: thumbprint(jwk), jwk })
    })
    return { keys }
  }

  /** The tenant's newest key, made and stored now unless another replica made one first. */
  private make(tenant: string): Promise<KeyRow> {
    return this.sql.begin(async (tx) => {
      await lockTenant(tx, tenant)
      const [existing] = (await tx.unsafe(`${NEWEST} LIMIT 1`, [tenant])) as KeyRow[]
      if (existing) return existing
      const fresh = newSigningKey()
      const row = { kid: fresh.kid, private_jwk: JSON.stringify(fresh.jwk) }
      await tx.unsafe('INSERT INTO event_keys (kid, tenant, private_jwk, created) VALUES ($1, $2, $3, $4)', [
        row.kid,
        tenant,
        row.private_jwk,
        this.now().toISOString(),
      ])
      return row
    })
  }
}
