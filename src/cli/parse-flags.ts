// parseArgs as every command reads its words: strict, and a flag that takes one value given once.
import { parseArgs, type ParseArgsConfig } from 'node:util'

/** The first flag of one value given twice in `parsed` (read with tokens), if any. */
export function repeatedFlag(
  parsed: { tokens?: { kind: string; name?: string }[] },
  options: ParseArgsConfig['options']
): string | undefined {
  const seen = new Set<string>()
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option' || token.name === undefined || options?.[token.name]?.multiple) continue
    if (seen.has(token.name)) return token.name
    seen.add(token.name)
  }
  return undefined
}

/** The first flag given in `values` that `allowed` does not list (`--help` aside): one a subcommand does not take. */
export function strayFlag(values: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  return Object.keys(values).find((f) => f !== 'help' && values[f] !== undefined && !allowed.includes(f))
}

/**
 * parseArgs, strict, refusing a flag of one value given twice unless `lastWins`: `backup F --db
 * a.db --db b.db` copied b.db and `token --name a --name b` stored b, without a word (parseArgs
 * keeps the last). Flags declared `multiple` may repeat. `serve` keeps the last, so a wrapper's
 * defaults can be overridden. The error goes where each command puts parseArgs' own.
 */
export function parseFlags<T extends ParseArgsConfig>(config: T, { lastWins = false } = {}) {
  let parsed
  try {
    parsed = parseArgs({ ...config, strict: true, tokens: true })
  } catch (err) {
    throw ambiguityExplained(err)
  }
  const repeated = lastWins ? undefined : repeatedFlag(parsed, config.options)
  if (repeated !== undefined) throw new Error(`--${repeated} is given twice; give it once`)
  return parsed
}

/**
 * parseArgs' "Option '--rate-limit' argument is ambiguous", whose first line (all a command
 * shows) does not say why: the value starts with a dash (`--rate-limit -1`). Said so, with the
 * spelling that passes it, so the command's own check of the value can answer.
 */
function ambiguityExplained(err: unknown): unknown {
  const m = /^Option '(--[^']+)' argument is ambiguous/.exec((err as Error).message ?? '')
  return m ? new Error(`${m[1]} takes a value, and the next word starts with a dash: write ${m[1]}=VALUE`) : err
}
