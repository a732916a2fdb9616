// The JSON document shape shared by coercion, PATCH, rendering and storage, and its key lookups.

/** A SCIM resource body: attribute name → JSON value, extensions under their URN keys. */
export type Doc = Record<string, unknown>

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The key of `obj` that equals `key` ignoring case (RFC 7643 §2.1: attribute names are
 * case-insensitive), an exact match first; `key` itself when `obj` has none, so undeclared names
 * keep the casing they were sent with.
 */
export function keyIn(obj: unknown, key: string): string {
  if (!isObject(obj) || Object.hasOwn(obj, key)) return key
  const lower = key.toLowerCase()
  const index = keyIndexes.get(obj)
  if (index) return index.get(lower) ?? key
  return Object.keys(obj).find((k) => k.toLowerCase() === lower) ?? key
}

/**
 * Lower-cased key → the object's key, for objects built key by key by one writer that keeps the
 * index current (coercion): keyIn scanning every key for each new one made a body of 16,000
 * undeclared attributes cost 6.6 s (quadratic); with the index each key costs the same.
 */
const keyIndexes = new WeakMap<object, Map<string, string>>()

/** Keys an object gets before it is indexed: scanning a handful costs less than keeping an index. */
const INDEX_FROM = 32

/**
 * Objects whose keys keyIn finds through an index once they have many: write them only with `set`
 * until `done`. Small ones (every document Entra sends) are only counted.
 */
export class KeyedBuild {
  /** Keys set so far in each object, until it is indexed. */
  private readonly counts = new Map<Doc, number>()

  /** Starts following `obj` (its keys so far count). */
  track(obj: Doc): Doc {
    this.counts.set(obj, Object.keys(obj).length)
    return obj
  }

  tracks(obj: unknown): obj is Doc {
    return isObject(obj) && this.counts.has(obj)
  }

  set(obj: Doc, key: string, value: unknown): void {
    obj[key] = value
    const index = keyIndexes.get(obj)
    if (index) {
      const lower = key.toLowerCase()
      if (!index.has(lower)) index.set(lower, key)
      return
    }
    const n = this.counts.get(obj)
    if (n === undefined) return
    if (n < INDEX_FROM) return void this.counts.set(obj, n + 1)
    const built = new Map<string, string>()
    for (const k of Object.keys(obj)) {
      const lower = k.toLowerCase()
      if (!built.has(lower)) built.set(lower, k)
    }
    keyIndexes.set(obj, built)
  }

  /** The objects are handed on: later writers (PATCH) do not keep an index, so keyIn scans again. */
  done(): void {
    for (const obj of this.counts.keys()) keyIndexes.delete(obj)
    this.counts.clear()
  }
}

/** The own value under `key` matched ignoring case (see keyIn); undefined when there is none. */
export function valueIn(obj: unknown, key: string): unknown {
  if (!isObject(obj)) return undefined
  const k = keyIn(obj, key)
  return Object.hasOwn(obj, k) ? obj[k] : undefined
}

/**
 * Structural JSON equality, ignoring the order of object keys and of array elements: RFC 7643
 * §2.4 gives the values of a multi-valued attribute no order, so reordering them changes nothing.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    return a.every((x, i) => deepEqual(x, b[i])) || sameElements(a, b)
  }
  if (!isObject(a) || !isObject(b)) return false
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
}

/** Whether two equally long arrays hold the same elements, counted by canonical JSON. */
function sameElements(a: readonly unknown[], b: readonly unknown[]): boolean {
  const counts = new Map<string, number>()
  for (const x of a) {
    const key = canonicalJson(x)
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return b.every((y) => {
    const key = canonicalJson(y)
    const n = counts.get(key) ?? 0
    counts.set(key, n - 1)
    return n > 0
  })
}

/**
 * A canonical JSON text of a value (object keys and array elements sorted), so two JSON values are
 * deepEqual exactly when their canonical texts are equal. Used as a hash key to compare many
 * elements in linear time.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).sort().join(',')}]`
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
