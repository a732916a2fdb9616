// Stored signing keys as keys to sign with, each parsed once, for both stores' KeyStore.
import { type PrivateJwk, type SigningKey, signingKeyOf } from './jws'

/** An event_keys row as both stores read it. */
export interface KeyRow {
  kid: string
  private_jwk: string
}

/**
 * The key of each tenant's newest stored row. Parsing a JWK into a key object costs more than
 * reading the row again, so the row is read every time and parsed only when its kid changed: a
 * tenant removed and added again (its rows gone, a new key made) signs with the new key at once.
 */
export class KnownKeys {
  private readonly byTenant = new Map<string, { kid: string; key: SigningKey }>()

  of(tenant: string, row: KeyRow): SigningKey {
    const known = this.byTenant.get(tenant)
    if (known?.kid === row.kid) return known.key
    const key = signingKeyOf(JSON.parse(row.private_jwk) as PrivateJwk)
    this.byTenant.set(tenant, { kid: row.kid, key })
    return key
  }
}
