// The two requests a bare baseline answers, over whatever store it has: one lookup by userName, one INSERT.

const LIST_HEAD = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],'
const SCIM_HEADERS = { 'content-type': 'application/scim+json; charset=utf-8' }
const FILTER = /^userName eq "(.*)"$/

/** What a baseline's store does per request: ONE prepared statement each. */
export interface BaselineStore {
  /** The stored documents (JSON text) of a userName. */
  byName(userName: string): { data: string }[] | Promise<{ data: string }[]>
  insert(id: string, userName: string, data: string): unknown
}

function unauthorized(): Response {
  return new Response('{"status":"401"}', { status: 401, headers: SCIM_HEADERS })
}

function listResponse(rows: { data: string }[]): Response {
  const body = `${LIST_HEAD}"totalResults":${rows.length},"itemsPerPage":${rows.length},"startIndex":1,"Resources":[${rows.map((r) => r.data).join(',')}]}`
  return new Response(body, { headers: SCIM_HEADERS })
}

/** GET /Users?filter=userName eq "x" → a ListResponse; answered at once when the store's lookup is synchronous. */
export function readHandler(store: BaselineStore, auth: string): (req: Request) => Response | Promise<Response> {
  return (req) => {
    if (req.headers.get('authorization') !== auth) return unauthorized()
    const match = FILTER.exec(new URL(req.url).searchParams.get('filter') ?? '')
    if (!match) return new Response('{"status":"400"}', { status: 400, headers: SCIM_HEADERS })
    const rows = store.byName(match[1]!)
    return rows instanceof Promise ? rows.then(listResponse) : listResponse(rows)
  }
}

/** POST /Users → the document with an id, stored with ONE INSERT, 201. */
export function writeHandler(store: BaselineStore, auth: string): (req: Request) => Promise<Response> {
  return async (req) => {
    if (req.headers.get('authorization') !== auth) return unauthorized()
    if (req.method !== 'POST') return new Response(null, { status: 405 })
    const doc = (await req.json()) as Record<string, unknown>
    const id = crypto.randomUUID()
    const data = JSON.stringify({ ...doc, id })
    await store.insert(id, String(doc.userName), data)
    return new Response(data, { status: 201, headers: SCIM_HEADERS })
  }
}
