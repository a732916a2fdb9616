// The `selftest` command: real fetch, a printed line per check, exit 0 only when all pass.
import type { Config } from '../cli/args'
import { exitCode, runSelftest, type Fetcher } from './index'
import { formatResult, summary } from './report'
import { tenantBase } from './session'

export async function selftest(config: Config): Promise<number> {
  const url = config.url!
  const insecure = config.insecure
  const fetcher: Fetcher = (target, init) =>
    fetch(target, insecure ? { ...init, tls: { rejectUnauthorized: false } } : init)
  console.log(`scim-server selftest against ${tenantBase(url)}`)
  // The first Ctrl-C stops the checks but still deletes what they created; a second one quits.
  const interrupt = new AbortController()
  process.once('SIGINT', () => {
    console.log('interrupted: removing what the checks created (Ctrl-C again to quit at once)')
    interrupt.abort()
  })
  const results = await runSelftest({
    signal: interrupt.signal,
    url,
    token: config.tokens[0]!,
    fetch: fetcher,
    insecure,
    onResult: (r) => console.log(formatResult(r)),
  })
  console.log(summary(results))
  return exitCode(results)
}
