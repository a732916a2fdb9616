// Microsoft Entra PATCH quirks (RFC 7644 §3.5.2 deviations), see entra-wire.md §2.
import { isObject } from '../document'

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
