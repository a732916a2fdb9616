// Microsoft Entra PATCH quirks (RFC 7644 §3.5.2 deviations), see entra-wire.md §2.
import { parseAttrPath } from '../filter/attr-path'
import { isObject } from '../document'

/**
 * True for a pathless-value key that is really a path: dotted (`name.givenName`) or
 * URN-qualified (`urn:…:enterprise:2.0:User:employeeNumber`). A plain name stays in the value.
 */
export function isPathKey(key: string): boolean {
  return (key.includes('.') || /^urn:/i.test(key)) && parseAttrPath(key) !== undefined
}

/**
 * Splits a pathless add/replace value into the plain part and `[key, value]` pairs whose keys are
 * paths. With `aadOptscim062020` Entra folds several attributes into one pathless `replace` whose
 * keys are dotted/URN paths, not nested objects (entra-wire.md §2.1 "Replace multiple attributes",
 * §2.2 Q5; libraries that nest-merge silently drop them).
 */
export function splitPathKeys(value: Record<string, unknown>): {
  plain: Record<string, unknown>
  paths: [string, unknown][]
} {
  const plain: Record<string, unknown> = {}
  const paths: [string, unknown][] = []
  for (const [k, v] of Object.entries(value)) {
    if (isPathKey(k)) paths.push([k, v])
    else plain[k] = v
  }
  return { plain, paths }
}

/**
 * Drops `"$ref": null` from member-like values: Entra sends `{"$ref": null, "value": "…"}` in
 * member add/remove (entra-wire.md §1.11, §2.2 Q4).
 */
export function dropNullRefs(value: unknown): unknown {
  const strip = (o: unknown): unknown => {
    if (!isObject(o) || !Object.hasOwn(o, '$ref') || o.$ref !== null) return o
    const { $ref: _drop, ...rest } = o
    return rest
  }
  return Array.isArray(value) ? value.map(strip) : strip(value)
}
