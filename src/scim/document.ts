// The JSON document shape shared by coercion, PATCH, rendering and storage.

/** A SCIM resource body: attribute name → JSON value, extensions under their URN keys. */
export type Doc = Record<string, unknown>

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
