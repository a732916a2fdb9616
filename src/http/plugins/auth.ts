// Bearer-token check (RFC 6750) against stored SHA-256 hashes, compared in constant time.
import { bearer } from '@elysiajs/bearer'
import { Elysia } from 'elysia'
import { ScimError } from '../../scim/errors'
import { tokenMatches } from '../../cli/tokens'

/** Rejects any request whose bearer token hashes to none of `tokenHashes` with 401. */
export function auth(tokenHashes: readonly Buffer[]) {
  return new Elysia({ name: 'scim.auth', seed: tokenHashes.length })
    .use(bearer())
    .onBeforeHandle({ as: 'scoped' }, ({ bearer: token }) => {
      if (!token || !tokenMatches(token, tokenHashes)) throw ScimError.unauthorized()
    })
}
