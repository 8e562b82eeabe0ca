import { arrayAt, isObject, objectAt, textAt, type Json, type JsonObject } from './json.js';
import { simplifySchema, type SimplifyOptions } from './simple-schema.js';

/**
 * A flattened OpenAPI 3.0.3 document of chosen read operations, written from Rectify's 3.1
 * document, for a Copilot API plugin. Copilot reads OpenAPI 3.0.x and does not support
 * `oneOf`/`allOf`/`anyOf` or nested objects in parameters
 * (https://learn.microsoft.com/microsoft-365-copilot/extensibility/known-issues,
 * https://learn.microsoft.com/microsoft-365-copilot/extensibility/api-plugin-manifest).
 */
const OPTIONS: SimplifyOptions = { dialect: 'openapi30', refPrefix: '#/components/schemas/' };

const schema30 = (s: Json | undefined): JsonObject => simplifySchema(s ?? {}, OPTIONS);

export interface FlatDocumentOptions {
  /** Where the API answers, such as https://rectify.contoso.com. */
  readonly serverUrl: string;
  /** The operations to keep; each must be a GET of the 3.1 document. */
  readonly operationIds: readonly string[];
  /** The Entra authority host and the API scope, for the OAuth 2.0 security scheme. */
  readonly authorityHost: string;
  readonly scope: string;
}

/** Parameters carry scalars or lists of scalars only. */
function flatParameter(param: JsonObject): JsonObject {
  const schema = schema30(param.schema);
  const flat =
    schema.type === 'object' || '$ref' in schema
      ? { type: 'string', description: 'JSON text' }
      : schema;
  const out: JsonObject = {
    name: textAt(param.name) ?? '',
    in: textAt(param.in) ?? 'query',
    required: param.in === 'path' ? true : param.required === true,
    schema: flat,
  };
  const description = textAt(param.description) ?? textAt(schema.description);
  if (description) out.description = description;
  return out;
}

function responsesOf(responses: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [status, r] of Object.entries(responses)) {
    const response = objectAt(r);
    const converted: JsonObject = { description: textAt(response.description) ?? 'Response' };
    const content: JsonObject = {};
    for (const [type, media] of Object.entries(objectAt(response.content)))
      content[type] = { schema: schema30(objectAt(media).schema) };
    if (Object.keys(content).length > 0) converted.content = content;
    out[status] = converted;
  }
  return out;
}

/** Every component schema a value refers to, transitively. */
function referenced(value: Json, all: JsonObject, found: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) referenced(v, all, found);
    return;
  }
  if (!isObject(value)) return;
  const ref = textAt(value.$ref);
  if (ref?.startsWith(OPTIONS.refPrefix)) {
    const name = ref.slice(OPTIONS.refPrefix.length);
    if (!found.has(name)) {
      found.add(name);
      referenced(all[name] ?? null, all, found);
    }
  }
  for (const v of Object.values(value)) referenced(v, all, found);
}

export function toFlatOpenApi30(doc31: JsonObject, options: FlatDocumentOptions): JsonObject {
  const wanted = new Set(options.operationIds);
  const paths: JsonObject = {};
  for (const [path, item] of Object.entries(objectAt(doc31.paths))) {
    const op = objectAt(objectAt(item).get);
    const id = textAt(op.operationId);
    if (!id || !wanted.has(id)) continue;
    wanted.delete(id);
    const out: JsonObject = {
      operationId: id,
      summary: textAt(op.summary) ?? id,
      description: textAt(op.description) ?? textAt(op.summary) ?? id,
    };
    const parameters = arrayAt(op.parameters).map((p) => flatParameter(objectAt(p)));
    if (parameters.length > 0) out.parameters = parameters;
    out.responses = responsesOf(objectAt(op.responses));
    paths[path] = { get: out };
  }
  if (wanted.size > 0)
    throw new Error(`not GET operations of the document: ${[...wanted].join(', ')}`);

  const converted: JsonObject = {};
  for (const [name, s] of Object.entries(objectAt(objectAt(doc31.components).schemas)))
    converted[name] = schema30(s);
  const used = new Set<string>();
  referenced(paths, converted, used);
  const schemas: JsonObject = {};
  for (const name of [...used].sort()) schemas[name] = converted[name] ?? {};

  const info = objectAt(doc31.info);
  return {
    openapi: '3.0.3',
    info: {
      title: textAt(info.title) ?? 'Rectify',
      description: textAt(info.description) ?? '',
      version: textAt(info.version) ?? '1.0.0',
    },
    servers: [{ url: options.serverUrl }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          flows: {
            authorizationCode: {
              authorizationUrl: `https://${options.authorityHost}/common/oauth2/v2.0/authorize`,
              tokenUrl: `https://${options.authorityHost}/common/oauth2/v2.0/token`,
              scopes: { [options.scope]: 'Read Rectify as the signed-in person' },
            },
          },
        },
      },
    },
    security: [{ oauth2: [options.scope] }],
  };
}
