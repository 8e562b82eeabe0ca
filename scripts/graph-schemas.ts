/**
 * Derives JSON Schemas for the Graph types the emulator serves from Graph's own metadata: the
 * v1.0 CSDL (https://graph.microsoft.com/v1.0/$metadata, the document Graph's OpenAPI
 * description is generated from; copy in tests/graph/emulator/schema, MIT licence beside it).
 *
 *   npm run graph:schemas            writes tests/graph/emulator/schema/graph-v1.0.schema.json
 *
 * Each entity or complex type becomes a definition: its properties and those of its base types,
 * Edm types mapped to JSON types, enums to their member names, `Nullable` honoured, and no other
 * properties unless the type is open. OData annotations (`@odata.etag`, `Name@odata.type`) are
 * allowed anywhere. Navigation properties reach the definitions named as roots here; others are
 * left unchecked, so the file stays small.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SCHEMA_DIR = path.join(here, '..', 'tests', 'graph', 'emulator', 'schema');
export const CSDL_FILE = path.join(SCHEMA_DIR, 'v1.0-Prod.csdl');
export const SCHEMA_FILE = path.join(SCHEMA_DIR, 'graph-v1.0.schema.json');

/** The types Rectify sends and the emulator answers. */
export const ROOT_TYPES = [
  'site',
  'list',
  'columnDefinition',
  'listItem',
  'fieldValueSet',
  'listItemVersion',
  'drive',
  'driveItem',
  'driveItemVersion',
  'plannerPlan',
  'plannerBucket',
  'plannerTask',
  'plannerTaskDetails',
] as const;

interface CsdlProperty {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly navigation: boolean;
}

interface CsdlType {
  readonly name: string;
  readonly baseType: string | null;
  readonly open: boolean;
  readonly properties: CsdlProperty[];
}

type JsonSchema = Record<string, unknown>;

const attr = (tag: string, name: string): string | null =>
  new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] ?? null;

/** The structured types and enums of the `microsoft.graph` schema. */
export function readCsdl(text: string): {
  types: Map<string, CsdlType>;
  enums: Map<string, string[]>;
} {
  const start = text.indexOf('<Schema Namespace="microsoft.graph"');
  const end = text.indexOf('</Schema>', start);
  const schema = text.slice(start, end);
  const types = new Map<string, CsdlType>();
  const enums = new Map<string, string[]>();
  const tagRe =
    /<(\/?)(EntityType|ComplexType|EnumType|Property|NavigationProperty|Member)\b([^>]*?)(\/?)>/g;
  let current: CsdlType | null = null;
  let currentEnum: string[] | null = null;
  for (let m = tagRe.exec(schema); m !== null; m = tagRe.exec(schema)) {
    const [, closing, kind, attrs = '', selfClosing] = m;
    const tag = ` ${attrs}`;
    if (closing === '/') {
      if (kind === 'EntityType' || kind === 'ComplexType') current = null;
      if (kind === 'EnumType') currentEnum = null;
      continue;
    }
    if (kind === 'EntityType' || kind === 'ComplexType') {
      const name = attr(tag, 'Name') ?? '';
      const type: CsdlType = {
        name,
        baseType: attr(tag, 'BaseType')?.replace(/^graph\./, '') ?? null,
        open: attr(tag, 'OpenType') === 'true',
        properties: [],
      };
      types.set(name, type);
      current = selfClosing === '/' ? null : type;
    } else if (kind === 'EnumType') {
      currentEnum = [];
      enums.set(attr(tag, 'Name') ?? '', currentEnum);
      if (selfClosing === '/') currentEnum = null;
    } else if (kind === 'Member' && currentEnum) {
      currentEnum.push(attr(tag, 'Name') ?? '');
    } else if ((kind === 'Property' || kind === 'NavigationProperty') && current) {
      current.properties.push({
        name: attr(tag, 'Name') ?? '',
        type: attr(tag, 'Type') ?? 'Edm.String',
        nullable: attr(tag, 'Nullable') !== 'false',
        navigation: kind === 'NavigationProperty',
      });
    }
  }
  return { types, enums };
}

const EDM: Record<string, JsonSchema> = {
  'Edm.String': { type: 'string' },
  'Edm.Boolean': { type: 'boolean' },
  'Edm.Int16': { type: 'integer' },
  'Edm.Int32': { type: 'integer' },
  'Edm.Int64': { type: 'integer' },
  'Edm.Byte': { type: 'integer' },
  'Edm.Single': { type: 'number' },
  'Edm.Double': { type: 'number' },
  'Edm.Decimal': { type: 'number' },
  'Edm.Guid': { type: 'string' },
  'Edm.DateTimeOffset': { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T' },
  'Edm.Date': { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
  'Edm.TimeOfDay': { type: 'string' },
  'Edm.Duration': { type: 'string' },
  'Edm.Binary': { type: 'string' },
  'Edm.Stream': { type: 'string' },
};

/** The JSON Schema definitions of the root types and every complex type they reach. */
export function deriveSchemas(csdl: string): JsonSchema {
  const { types, enums } = readCsdl(csdl);
  const roots = new Set<string>(ROOT_TYPES);
  const definitions: Record<string, JsonSchema> = {};
  const pending = [...ROOT_TYPES] as string[];

  const schemaOfType = (typeName: string, navigation: boolean): JsonSchema => {
    const collection = /^Collection\((.+)\)$/.exec(typeName);
    if (collection?.[1]) return { type: 'array', items: schemaOfType(collection[1], navigation) };
    const edm = EDM[typeName];
    if (edm) return edm;
    const local = typeName.replace(/^graph\./, '');
    const values = enums.get(local);
    if (values) return { type: 'string', enum: values };
    if (!types.has(local) || (navigation && !roots.has(local))) return {};
    if (!(local in definitions) && !pending.includes(local)) pending.push(local);
    return { $ref: `#/definitions/${local}` };
  };

  while (pending.length > 0) {
    const name = pending.shift() ?? '';
    if (name in definitions) continue;
    const chain: CsdlType[] = [];
    for (let t = types.get(name); t; t = t.baseType ? types.get(t.baseType) : undefined)
      chain.push(t);
    const properties: Record<string, JsonSchema> = {};
    for (const t of chain.reverse())
      for (const p of t.properties) {
        const schema = schemaOfType(p.type, p.navigation);
        properties[p.name] = p.nullable ? { anyOf: [schema, { type: 'null' }] } : schema;
      }
    definitions[name] = {
      type: 'object',
      properties,
      patternProperties: { '@': {} },
      additionalProperties: chain.some((t) => t.open),
    };
  }
  return {
    $comment:
      'Derived from the Microsoft Graph v1.0 CSDL by scripts/graph-schemas.ts; do not edit.',
    definitions,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const schemas = deriveSchemas(readFileSync(CSDL_FILE, 'utf8'));
  writeFileSync(SCHEMA_FILE, `${JSON.stringify(schemas, null, 2)}\n`);
  const count = Object.keys(schemas.definitions as object).length;
  process.stdout.write(
    `wrote ${count} definitions to ${path.relative(process.cwd(), SCHEMA_FILE)}\n`,
  );
}
