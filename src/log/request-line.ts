// The request log line as JSON, built directly: the one line every request writes.
import { jsonString } from '../scim/json-string'

/**
 * What one request's line says (src/http/plugins/request-log.ts fills it in). `reqId`, `tenant`,
 * `method` and `route` are the server's own safe text (see requestLineJson); the others may hold anything.
 */
export interface RequestRecord {
  reqId: string
  tenant: string
  token: string | undefined
  method: string
  path: string
  query: string | undefined
  route: string
  status: number
  ms: number
  resource: string | undefined
  compat: readonly string[] | undefined
}

const optional = (key: string, value: string | undefined) =>
  value === undefined ? '' : `,"${key}":${jsonString(value)}`

/**
 * `ms` as JSON writes it. The request log rounds it to hundredths, and those are written from the
 * whole number of hundredths: turning a fraction into its shortest decimal text was ~0.25 µs of
 * a ~0.4 µs line. Any other number is written as JSON would (the same text either way).
 */
export function msText(ms: number): string {
  const hundredths = Math.round(ms * 100)
  if (hundredths / 100 !== ms || hundredths < 0 || hundredths >= 1e15) return `${ms}`
  const whole = Math.floor(hundredths / 100)
  const rest = hundredths - whole * 100
  if (rest === 0) return `${whole}`
  if (rest % 10 === 0) return `${whole}.${rest / 10}`
  return `${whole}.${rest < 10 ? '0' : ''}${rest}`
}

/**
 * The same text pino writes for `info(record, 'request')` with the logger's options (level as a
 * word, then `time`, the record's fields in order without the undefined ones, then `msg`): pino's
 * generic serializer walked the record key by key and cost ~1 µs more a request, a tenth of a
 * cached read. `time` is the `,"time":"…"` field the logger's timestamp function makes.
 */
export function requestLineJson(r: RequestRecord, time: string): string {
  // reqId (request-id.ts admits letters, digits and `._:-` only), tenant (a tenant name), method
  // (an HTTP token) and route (a route pattern) never hold a character JSON escapes: written as
  // they are, which spares four of the seven escape checks a line made.
  return (
    `{"level":"info"${time},"reqId":"${r.reqId}","tenant":"${r.tenant}"${optional('token', r.token)}` +
    `,"method":"${r.method}","path":${jsonString(r.path)}${optional('query', r.query)},"route":"${r.route}"` +
    `,"status":${r.status},"ms":${msText(r.ms)}${optional('resource', r.resource)}` +
    `${r.compat === undefined ? '' : `,"compat":${JSON.stringify(r.compat)}`},"msg":"request"}\n`
  )
}
