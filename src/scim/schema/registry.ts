// Compiles RFC 7643 schema and resource-type documents into case-insensitive lookup tables.
import type {
  AttributeDocument,
  CompiledAttribute,
  CompiledSchema,
  ResourceType,
  ResourceTypeDocument,
  SchemaDocument,
} from './types'
import type { AttrPath } from '../filter/ast'

/** Common attributes every resource carries (RFC 7643 §3.1); no schema document declares them. */
const COMMON_ATTRIBUTES: AttributeDocument[] = [
  // Filterable (`schemas eq "urn:…:enterprise:2.0:User"`, RFC 7644 §3.4.2.2); computed, never stored.
  {
    name: 'schemas',
    type: 'string',
    multiValued: true,
    required: false,
    caseExact: false,
    mutability: 'readOnly',
    returned: 'always',
  },
  {
    name: 'id',
    type: 'string',
    multiValued: false,
    required: false,
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  },
  {
    name: 'externalId',
    type: 'string',
    multiValued: false,
    required: false,
    caseExact: true,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
  },
  {
    name: 'meta',
    type: 'complex',
    multiValued: false,
    required: false,
    mutability: 'readOnly',
    returned: 'default',
    subAttributes: [
      {
        name: 'resourceType',
        type: 'string',
        multiValued: false,
        required: false,
        caseExact: true,
        mutability: 'readOnly',
        returned: 'default',
      },
      {
        name: 'created',
        type: 'dateTime',
        multiValued: false,
        required: false,
        mutability: 'readOnly',
        returned: 'default',
      },
      {
        name: 'lastModified',
        type: 'dateTime',
        multiValued: false,
        required: false,
        mutability: 'readOnly',
        returned: 'default',
      },
      {
        name: 'location',
        type: 'reference',
        multiValued: false,
        required: false,
        caseExact: true,
        mutability: 'readOnly',
        returned: 'default',
        referenceTypes: ['uri'],
      },
      {
        name: 'version',
        type: 'string',
        multiValued: false,
        required: false,
        caseExact: true,
        mutability: 'readOnly',
        returned: 'default',
      },
    ],
  },
]

export const COMMON_SCHEMA_ID = 'common'

function compileAttribute(
  doc: AttributeDocument,
  schema: string,
  inExtension: boolean,
  parent?: CompiledAttribute
): CompiledAttribute {
  const sub = new Map<string, CompiledAttribute>()
  const prefix = inExtension && !parent ? `${schema}:` : ''
  const attr: CompiledAttribute = {
    name: doc.name,
    type: doc.type,
    multiValued: doc.multiValued,
    required: doc.required,
    // RFC 7643 §7: caseExact defaults to false.
    caseExact: doc.caseExact ?? false,
    mutability: doc.mutability ?? 'readWrite',
    returned: doc.returned ?? 'default',
    uniqueness: doc.uniqueness ?? 'none',
    canonicalValues: doc.canonicalValues,
    referenceTypes: doc.referenceTypes,
    sub,
    schema,
    parent,
    inExtension,
    path: parent ? `${parent.path}.${doc.name}` : `${prefix}${doc.name}`,
  }
  for (const child of doc.subAttributes ?? []) {
    sub.set(child.name.toLowerCase(), compileAttribute(child, schema, inExtension, attr))
  }
  return attr
}

/** Compiles one schema document; `inExtension` marks attributes stored under the URN key. */
export function compileSchema(document: SchemaDocument, inExtension: boolean): CompiledSchema {
  const attributes = new Map<string, CompiledAttribute>()
  for (const a of document.attributes) {
    attributes.set(a.name.toLowerCase(), compileAttribute(a, document.id, inExtension))
  }
  return { id: document.id, lowerId: document.id.toLowerCase(), attributes, document }
}

/** The resolved target of an attribute path: the attribute, and the sub-attribute when dotted. */
export interface ResolvedAttr {
  attr: CompiledAttribute
  sub?: CompiledAttribute
}

export interface Registry {
  readonly resourceTypes: readonly ResourceType[]
  readonly schemas: readonly CompiledSchema[]
  resourceType(name: string): ResourceType | undefined
  schema(id: string): CompiledSchema | undefined
}

/**
 * Builds the registry. Every schema a resource type names must be among `schemas`;
 * a missing one is a start-up error, not a client error.
 */
export function createRegistry(
  schemaDocs: readonly SchemaDocument[],
  typeDocs: readonly ResourceTypeDocument[]
): Registry {
  const docsById = new Map(schemaDocs.map((d) => [d.id.toLowerCase(), d]))
  const compiled = new Map<string, CompiledSchema>()
  const extensionIds = new Set(typeDocs.flatMap((t) => (t.schemaExtensions ?? []).map((e) => e.schema.toLowerCase())))
  for (const [id, doc] of docsById) compiled.set(id, compileSchema(doc, extensionIds.has(id)))

  const need = (id: string, type: string): CompiledSchema => {
    const found = compiled.get(id.toLowerCase())
    if (!found) throw new Error(`resource type ${type} names schema ${id}, which is not loaded`)
    return found
  }
  const types = typeDocs.map((doc): ResourceType => {
    const common = new Map<string, CompiledAttribute>()
    for (const a of COMMON_ATTRIBUTES) common.set(a.name.toLowerCase(), compileAttribute(a, COMMON_SCHEMA_ID, false))
    const extensions = new Map<string, { schema: CompiledSchema; required: boolean }>()
    for (const e of doc.schemaExtensions ?? []) {
      extensions.set(e.schema.toLowerCase(), { schema: need(e.schema, doc.name), required: e.required })
    }
    return {
      name: doc.name,
      endpoint: doc.endpoint,
      document: doc,
      core: need(doc.schema, doc.name),
      extensions,
      common,
    }
  })
  const byName = new Map(types.map((t) => [t.name.toLowerCase(), t]))
  return {
    resourceTypes: types,
    schemas: [...compiled.values()],
    resourceType: (name) => byName.get(name.toLowerCase()),
    schema: (id) => compiled.get(id.toLowerCase()),
  }
}

/**
 * The one declared extension attribute an unqualified name can mean, when no core or common
 * attribute has that name: Entra's docs write `"path":"manager"` and POST top-level `department`
 * and `manager` (entra-wire.md §1.3 Example 2, §1.5, §1.8 Example 5). Ambiguous names resolve to
 * nothing. Filters, bodies and PATCH paths all read unqualified names through this.
 */
export function extensionDeclaring(
  type: ResourceType,
  name: string
): { schema: CompiledSchema; attr: CompiledAttribute } | undefined {
  const lower = name.toLowerCase()
  if (type.common.has(lower) || type.core.attributes.has(lower)) return undefined
  const hits = [...type.extensions.values()].flatMap(({ schema }) => {
    const attr = schema.attributes.get(lower)
    return attr ? [{ schema, attr }] : []
  })
  return hits.length === 1 ? hits[0] : undefined
}

/**
 * Resolves a path written by a client against a resource type (RFC 7644 §3.10: names are
 * case-insensitive; an unqualified name means the core schema or a common attribute).
 * Returns undefined for anything the schemas do not declare.
 */
export function resolveAttrPath(type: ResourceType, path: AttrPath): ResolvedAttr | undefined {
  const name = path.name.toLowerCase()
  let attr: CompiledAttribute | undefined
  if (path.uri === undefined) {
    attr = type.common.get(name) ?? type.core.attributes.get(name) ?? extensionDeclaring(type, name)?.attr
  } else {
    const uri = path.uri.toLowerCase()
    if (uri === type.core.lowerId) attr = type.core.attributes.get(name) ?? type.common.get(name)
    else attr = type.extensions.get(uri)?.schema.attributes.get(name)
  }
  if (!attr) return undefined
  if (path.sub === undefined) return { attr }
  const sub = attr.sub.get(path.sub.toLowerCase())
  return sub ? { attr, sub } : undefined
}
