// The attribute paths of a resource type that are never returned (RFC 7643 §7): kept out of the journal, as a password is.
import type { CompiledAttribute, ResourceType } from './types'

const cache = new WeakMap<ResourceType, ReadonlySet<string> | undefined>()

function never(attr: CompiledAttribute): boolean {
  return attr.returned === 'never' || attr.mutability === 'writeOnly'
}

function collect(attrs: Iterable<CompiledAttribute>, prefix: string, out: Set<string>): void {
  for (const attr of attrs) {
    const path = `${prefix}${attr.name}`.toLowerCase()
    // The password is left out by name, at any depth, before any schema is asked (journal/diff.ts).
    if (path === 'password') continue
    if (never(attr)) out.add(path)
    else collect(attr.sub.values(), `${path}.`, out)
  }
}

/**
 * Lower-cased paths as journal/diff.ts writes them (`name.secret`, `urn:…:User:pin`) of every
 * attribute the type's schemas return never, or undefined when there are none (the built-in
 * schemas, whose only one is the password): a custom schema's PIN or secret must not reach
 * journal entries, their exports and the console's history, which anyone reading the journal sees.
 */
export function neverReturnedPaths(type: ResourceType): ReadonlySet<string> | undefined {
  if (cache.has(type)) return cache.get(type)
  const out = new Set<string>()
  collect(type.core.attributes.values(), '', out)
  for (const { schema } of type.extensions.values()) collect(schema.attributes.values(), `${schema.id}:`, out)
  const paths = out.size > 0 ? out : undefined
  cache.set(type, paths)
  return paths
}
