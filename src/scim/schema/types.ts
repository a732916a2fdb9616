// RFC 7643 §7 schema and resource-type documents, and their compiled, lookup-ready form.

export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'complex'
  | 'binary'
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly'
export type Returned = 'always' | 'never' | 'default' | 'request'
export type Uniqueness = 'none' | 'server' | 'global'

/** One attribute definition exactly as RFC 7643 §7 spells it on the wire. */
export interface AttributeDocument {
  name: string
  type: AttributeType
  multiValued: boolean
  description?: string
  required: boolean
  caseExact?: boolean
  mutability: Mutability
  returned: Returned
  uniqueness?: Uniqueness
  canonicalValues?: string[]
  referenceTypes?: string[]
  subAttributes?: AttributeDocument[]
}

/** A Schema resource (RFC 7643 §7), served verbatim at /Schemas. */
export interface SchemaDocument {
  id: string
  name?: string
  description?: string
  attributes: AttributeDocument[]
  meta?: { resourceType: 'Schema'; location?: string }
  schemas?: string[]
}

/** A ResourceType resource (RFC 7643 §6), served at /ResourceTypes. */
export interface ResourceTypeDocument {
  id?: string
  name: string
  endpoint: string
  description?: string
  schema: string
  schemaExtensions?: { schema: string; required: boolean }[]
  schemas?: string[]
  meta?: { resourceType: 'ResourceType'; location?: string }
}

/** An attribute after compilation: canonical name, defaults filled, children indexed by lower-cased name. */
export interface CompiledAttribute {
  /** Canonical spelling from the schema document. */
  readonly name: string
  readonly type: AttributeType
  readonly multiValued: boolean
  readonly required: boolean
  readonly caseExact: boolean
  readonly mutability: Mutability
  readonly returned: Returned
  readonly uniqueness: Uniqueness
  readonly canonicalValues?: readonly string[]
  readonly referenceTypes?: readonly string[]
  /** Sub-attributes keyed by lower-cased name (complex attributes only). */
  readonly sub: ReadonlyMap<string, CompiledAttribute>
  /** URN of the schema that declares the attribute. */
  readonly schema: string
  /** The enclosing attribute for a sub-attribute. */
  readonly parent?: CompiledAttribute
  /** Whether the attribute lives under its schema URN key in the JSON document (extensions). */
  readonly inExtension: boolean
  /** Dotted canonical path, for messages: `name.givenName`, `urn:…:User:manager`. */
  readonly path: string
}

export interface CompiledSchema {
  readonly id: string
  readonly lowerId: string
  /** Top-level attributes keyed by lower-cased name. */
  readonly attributes: ReadonlyMap<string, CompiledAttribute>
  readonly document: SchemaDocument
}

/** A resource type with its core schema and extensions compiled. */
export interface ResourceType {
  readonly name: string
  readonly endpoint: string
  readonly document: ResourceTypeDocument
  readonly core: CompiledSchema
  /** Declared extensions keyed by lower-cased URN. */
  readonly extensions: ReadonlyMap<string, { schema: CompiledSchema; required: boolean }>
  /** id, externalId and meta (RFC 7643 §3.1), which no schema document lists. */
  readonly common: ReadonlyMap<string, CompiledAttribute>
}
