// After authentication: a tenant's tokens are honoured only from its --allow-from addresses.
import type { AddressRanges } from '../../auth/address-ranges'
import { ScimError } from '../../scim/errors'
import { clientAddress } from '../client-address'
import type { RequestContext } from '../request-context'
import { errorResponse } from '../respond'

/**
 * Runs right after `auth` (plugins/arrival.ts), on requests a token got through, so open paths
 * (health checks, the JWKS) stay open and a client without a token learns nothing new: it gets
 * the 401 anyone gets. A valid token from elsewhere, one that leaked say, is a 403 before
 * routing and body parsing, so it reads and changes nothing. Tenants without a list pay one
 * lookup: the peer address is asked of the listener only when there is a list to hold it to.
 */
export function allowFrom(
  rangesOf: (request: Request) => AddressRanges | undefined
): (request: Request, ctx: RequestContext | undefined) => Response | undefined {
  return (request, ctx) => {
    if (ctx?.token === undefined) return
    const ranges = rangesOf(request)
    if (ranges === undefined) return
    const address = clientAddress(request)
    if (ranges.allows(address)) return
    return errorResponse(
      new ScimError(403, `this tenant's tokens are not accepted from ${address} (${ranges.source ?? '--allow-from'})`)
    )
  }
}
