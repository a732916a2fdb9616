// Sends hostile requests and collects what is wrong with each answer: a 5xx, or a 4xx that is no SCIM Error (RFC 7644 §3.12).
import type { TestApp } from './app'

const URN_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error'

export type SweepCase = [method: string, path: string, body: unknown, headers?: Record<string, string>]

/** What went wrong with one answer, or undefined: below 500, and a 4xx is a SCIM Error with its status as a string. */
async function problemOf(res: Response): Promise<string | undefined> {
  const text = await res.text()
  if (res.status >= 500) return `${res.status} ${text.slice(0, 200)}`
  if (res.status < 400) return undefined
  let body: Record<string, unknown>
  try {
    body = JSON.parse(text)
  } catch {
    return `${res.status} not JSON: ${text.slice(0, 200)}`
  }
  if (!(body.schemas as unknown[] | undefined)?.includes(URN_ERROR)) return `${res.status} not a SCIM Error: ${text}`
  if (body.status !== String(res.status)) return `${res.status} body status ${JSON.stringify(body.status)}`
  return undefined
}

/** A Bulk answer's operations that failed with a 5xx or without a SCIM Error response. */
function bulkProblems(body: { Operations?: { status: string; response?: { schemas?: string[] } }[] } | undefined) {
  return (body?.Operations ?? [])
    .filter((o) => Number(o.status) >= 500 || (Number(o.status) >= 400 && !o.response?.schemas?.includes(URN_ERROR)))
    .map((o) => JSON.stringify(o))
}

export async function sweep(t: TestApp, cases: SweepCase[]) {
  const problems: string[] = []
  for (const [method, path, body, headers] of cases) {
    const res = await t.request(method, path, body, headers)
    const clone = res.clone()
    const problem = await problemOf(res)
    if (problem) problems.push(`${method} ${path} ${JSON.stringify(body)?.slice(0, 120)}: ${problem}`)
    else if (path.endsWith('/Bulk') && res.status === 200) {
      for (const p of bulkProblems((await clone.json()) as Parameters<typeof bulkProblems>[0]))
        problems.push(`${method} ${path} ${JSON.stringify(body)?.slice(0, 120)}: ${p}`)
    }
  }
  return problems
}
