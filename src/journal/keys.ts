// Object keys in the order canonical JSON and the diff write them: by UTF-16 code units.

/** Past this many keys the built-in sort: insertion takes time quadratic in the count. */
const INSERTION_MAX = 16

/**
 * Sorts `keys` in place as `Array.prototype.sort()` does for strings (by UTF-16 code units, which
 * is what `<` compares), by insertion: a resource's objects have a handful of keys, and the
 * built-in sort cost 2–5× more on them, on every journaled write.
 */
export function sortKeys(keys: string[]): string[] {
  if (keys.length > INSERTION_MAX) return keys.sort()
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!
    let j = i - 1
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!
      j--
    }
    keys[j + 1] = key
  }
  return keys
}

/** The own enumerable keys of `obj`, sorted by sortKeys. */
export function sortedKeys(obj: object): string[] {
  return sortKeys(Object.keys(obj))
}
