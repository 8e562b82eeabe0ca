import {
  arrayAt,
  isObject,
  objectAt,
  textAt,
  titleOf,
  type Json,
  type JsonObject,
} from './json.js';

/**
 * Rewrites a schema of the OpenAPI 3.1 document (JSON Schema 2020-12) into the older dialect
 * that Swagger 2.0 (Power Platform connectors) and OpenAPI 3.0 (Copilot API plugins) read:
 * no type arrays, no `anyOf`/`oneOf`/`allOf`, no `const`, no `examples`, nulls as a flag.
 *
 * Unions are flattened the way a reader without unions can still use them:
 * - `X | null` becomes X, marked nullable;
 * - alternatives that are all objects become one object with every property, required only
 *   where every alternative requires it, and the `const` tags merged into one enum;
 * - alternatives that are all one scalar type become that type (enums merged when each has one);
 * - a scalar or a list of it (repeatable query parameters) becomes the scalar.
 *
 * Swagger 2.0: https://swagger.io/specification/v2/ (Schema Object);
 * OpenAPI 3.0.3: https://spec.openapis.org/oas/v3.0.3#schema-object;
 * Copilot plugins refuse compositions:
 * https://learn.microsoft.com/microsoft-365-copilot/extensibility/known-issues
 */
export type Dialect = 'swagger2' | 'openapi30';

export interface SimplifyOptions {
  readonly dialect: Dialect;
  /** Where component schemas live in the output: `#/definitions/` or `#/components/schemas/`. */
  readonly refPrefix: string;
  /** Adds `x-ms-summary` (title case of the name) to each property: Power Automate's labels. */
  readonly summaries?: boolean;
}

const DROPPED = new Set([
  '$schema',
  '$id',
  'id',
  'propertyNames',
  'contentMediaType',
  'contentEncoding',
  'unevaluatedProperties',
  'const',
  'examples',
  'anyOf',
  'oneOf',
  'allOf',
  'exclusiveMinimum',
  'exclusiveMaximum',
  '$comment',
  'prefixItems',
  'dependentRequired',
]);

const REF_31 = '#/components/schemas/';

interface Simplified {
  readonly schema: JsonObject;
  readonly nullable: boolean;
}

const isNullSchema = (s: Json): boolean => isObject(s) && s.type === 'null' && !('$ref' in s);

export function simplifySchema(input: Json, options: SimplifyOptions): JsonObject {
  return finish(simplify(input, options), options);
}

function finish(s: Simplified, options: SimplifyOptions): JsonObject {
  if (!s.nullable || '$ref' in s.schema) return s.schema;
  return { ...s.schema, [options.dialect === 'swagger2' ? 'x-nullable' : 'nullable']: true };
}

function simplify(input: Json, options: SimplifyOptions): Simplified {
  if (!isObject(input)) return { schema: {}, nullable: false };
  const ref = textAt(input.$ref);
  if (ref !== undefined)
    return {
      schema: {
        $ref: ref.startsWith(REF_31) ? options.refPrefix + ref.slice(REF_31.length) : ref,
      },
      nullable: false,
    };

  const union = arrayAt(input.anyOf ?? input.oneOf);
  if (union.length > 0) return merged(input, union, options);
  const all = arrayAt(input.allOf);
  if (all.length > 0) return merged(input, all, options, true);

  const out: JsonObject = {};
  let nullable = false;
  for (const [key, value] of Object.entries(input)) {
    if (DROPPED.has(key)) continue;
    if (key === 'type' && Array.isArray(value)) {
      const types = value.filter((t) => t !== 'null');
      nullable = types.length < value.length;
      if (types.length === 1 && typeof types[0] === 'string') out.type = types[0];
      continue;
    }
    if (key === 'type' && value === 'null') {
      nullable = true;
      continue;
    }
    if (key === 'properties' && isObject(value)) {
      const required = new Set(arrayAt(input.required).filter((r) => typeof r === 'string'));
      const props: JsonObject = {};
      for (const [name, prop] of Object.entries(value)) {
        const simple = finish(simplify(prop, options), options);
        props[name] = options.summaries
          ? withSummary(simple, name, required.has(name), options)
          : simple;
      }
      out.properties = props;
      continue;
    }
    if (key === 'items') {
      out.items = finish(simplify(value, options), options);
      continue;
    }
    if (key === 'additionalProperties' && isObject(value)) {
      out.additionalProperties = finish(simplify(value, options), options);
      continue;
    }
    out[key] = value;
  }
  if ('const' in input) out.enum = [input.const ?? null];
  const examples = arrayAt(input.examples);
  if (examples.length > 0 && examples[0] !== undefined) out.example = examples[0];
  if (typeof input.exclusiveMinimum === 'number') {
    out.minimum = input.exclusiveMinimum;
    out.exclusiveMinimum = true;
  }
  if (typeof input.exclusiveMaximum === 'number') {
    out.maximum = input.exclusiveMaximum;
    out.exclusiveMaximum = true;
  }
  // A JSON Schema `format` Swagger 2.0 has no room for beside a `pattern` stays; `binary` on a
  // string body is a file only in responses (handled by the document writer).
  return { schema: out, nullable };
}

function withSummary(
  schema: JsonObject,
  name: string,
  required: boolean,
  options: SimplifyOptions,
): JsonObject {
  if ('$ref' in schema || options.dialect !== 'swagger2') return schema;
  return {
    ...schema,
    'x-ms-summary': titleOf(name),
    ...(required ? { 'x-ms-visibility': 'important' } : {}),
  };
}

/** One schema for a union (or an intersection when `every`) of alternatives. */
function merged(
  outer: JsonObject,
  alternatives: readonly Json[],
  options: SimplifyOptions,
  every = false,
): Simplified {
  const nonNull = alternatives.filter((a) => !isNullSchema(a));
  let nullable = nonNull.length < alternatives.length;
  const parts = nonNull.map((a) => simplify(a, options));
  nullable ||= parts.some((p) => p.nullable);
  const described = (schema: JsonObject): JsonObject => {
    const description = textAt(outer.description);
    const extra: JsonObject = {};
    if (description) extra.description = description;
    const fallback = outer.default;
    if (fallback !== undefined) extra.default = fallback;
    const examples = arrayAt(outer.examples);
    if (examples[0] !== undefined) extra.example = examples[0];
    return { ...schema, ...extra };
  };
  if (parts.length === 1 && parts[0]) {
    const only = parts[0].schema;
    // Siblings of a $ref are ignored by Swagger 2.0 and OpenAPI 3.0 readers: keep the ref bare.
    return { schema: '$ref' in only ? only : described(only), nullable };
  }
  const schemas = parts.map((p) => p.schema);
  const typeOf = (s: JsonObject): string | undefined => textAt(s.type);

  if (schemas.every((s) => typeOf(s) === 'object' || isObject(s.properties))) {
    const properties: JsonObject = {};
    let required = null as Set<string> | null;
    for (const s of schemas) {
      for (const [name, prop] of Object.entries(objectAt(s.properties))) {
        const before = objectAt(properties[name]);
        const enums = [...arrayAt(before.enum), ...arrayAt(objectAt(prop).enum)];
        const mergeEnums = isObject(properties[name]) && enums.length > 0;
        properties[name] = mergeEnums ? { ...objectAt(prop), enum: [...new Set(enums)] } : prop;
      }
      const mine = new Set(arrayAt(s.required).filter((r): r is string => typeof r === 'string'));
      if (every) required = new Set([...(required ?? []), ...mine]);
      else required = required === null ? mine : new Set([...required].filter((r) => mine.has(r)));
    }
    const result: JsonObject = { type: 'object', properties };
    if (required && required.size > 0) result.required = [...required];
    return { schema: described(result), nullable };
  }

  const scalars = schemas.filter((s) => typeOf(s) !== 'array');
  const scalarTypes = new Set(scalars.map(typeOf));
  if (scalars.length > 0 && scalarTypes.size === 1) {
    const type = typeOf(scalars[0] ?? {});
    const result: JsonObject = type ? { type } : {};
    if (scalars.every((s) => Array.isArray(s.enum)))
      result.enum = [...new Set(scalars.flatMap((s) => arrayAt(s.enum)))];
    else if (scalars.length === 1) Object.assign(result, scalars[0]);
    return { schema: described(result), nullable };
  }
  return { schema: described({}), nullable };
}
