// `scim-server health`: asks a running server's /readyz, for a container's HEALTHCHECK or a probe script.
import { parseFlags } from './parse-flags'

export const HEALTH_USAGE = `Usage:
  scim-server health [--port N] [--host ADDR]   ask the server on this machine (default 127.0.0.1:8080,
                                                --port from SCIM_PORT) whether it is ready: https first,
                                                without checking the certificate (the name on it is
                                                not 127.0.0.1), then http
  scim-server health --url URL [--insecure]     ask URL (its /readyz) instead; --insecure skips the
                                                certificate check
Prints one line; exit 0 when /readyz answers 200, 1 when it answers anything else or nothing, 2 for
a usage mistake.`

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  url: { type: 'string' },
  insecure: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/** How long one attempt may take: a HEALTHCHECK's own timeout is usually a few seconds. */
const ATTEMPT_MS = 2500

interface Answer {
  status: number
  text: string
}

async function ask(url: string, insecure: boolean): Promise<Answer> {
  const res = await fetch(url, {
    signal: AbortSignal.timeout(ATTEMPT_MS),
    redirect: 'manual',
    tls: insecure ? { rejectUnauthorized: false } : undefined,
  })
  return { status: res.status, text: (await res.text()).trim().slice(0, 200) }
}

/** The URLs to try, in order: --url's (its /readyz), or this machine's port over https and then http. */
function targets(values: { port?: string; host?: string; url?: string }, env: Record<string, string | undefined>) {
  if (values.url !== undefined) {
    let url: URL
    try {
      url = new URL(values.url)
    } catch {
      throw new Error(`--url must be an absolute http:// or https:// URL, got '${values.url}'`)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`--url must be an http:// or https:// URL, got '${values.url}'`)
    // A Tenant URL pasted as it is (…/scim/v2, …/tenants/NAME/scim/v2) names the server whose /readyz it is.
    const root = url.pathname.replace(/\/+$/, '').replace(/(\/tenants\/[^/]+)?\/scim\/v2$/, '')
    if (!url.pathname.endsWith('/readyz')) url.pathname = `${root}/readyz`
    return [url.href]
  }
  const port = values.port ?? env.SCIM_PORT ?? '8080'
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new Error(`--port must be a port number, got '${port}'`)
  const host = values.host ?? '127.0.0.1'
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
  return [`https://${authority}/readyz`, `http://${authority}/readyz`]
}

/**
 * Runs the command; resolves to its exit code. `print` gets the one line of its answer (ready or
 * not: the result, on standard output); `printError` a usage mistake (on standard error, as every
 * other command says one).
 */
export async function healthCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  print: (line: string) => void = console.log,
  printError: (line: string) => void = console.error
): Promise<number> {
  let urls: string[]
  let insecure: boolean
  try {
    const { values, positionals } = parseFlags({ args: [...argv], options: OPTIONS, allowPositionals: true })
    if (values.help) {
      print(HEALTH_USAGE)
      return 0
    }
    if (positionals.length > 0) throw new Error(`unexpected argument '${positionals[0]}' (see health --help)`)
    urls = targets(values, env)
    // This machine's own port: the certificate names the public host, never 127.0.0.1.
    insecure = values.insecure === true || values.url === undefined
  } catch (err) {
    printError(`scim-server: ${(err as Error).message.split('\n')[0]}`)
    return 2
  }
  let failure = ''
  for (const url of urls) {
    try {
      const answer = await ask(url, insecure)
      print(`${answer.status === 200 ? 'ready' : 'not ready'}: ${url} answered ${answer.status} ${answer.text}`.trim())
      return answer.status === 200 ? 0 : 1
    } catch (err) {
      // A plain-http listener refuses the TLS handshake: the next URL is the same port over http.
      failure = `${url}: ${(err as Error).message}`
    }
  }
  print(`not ready: no answer (${failure})`)
  return 1
}
