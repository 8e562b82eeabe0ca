import {
  arrayAt,
  isObject,
  objectAt,
  textAt,
  titleOf,
  type Json,
  type JsonObject,
} from './json.js';
import { simplifySchema, type SimplifyOptions } from './simple-schema.js';

/**
 * The Power Platform custom connector's definition, written from Rectify's OpenAPI 3.1
 * document. Connectors import Swagger 2.0 only ("OpenAPI definitions that are in OpenAPI 3.0
 * format are not supported",
 * https://learn.microsoft.com/connectors/custom-connectors/define-openapi-definition), with
 * Microsoft's extensions (https://learn.microsoft.com/connectors/custom-connectors/openapi-extensions).
 */

export interface ConnectorTarget {
  /** The host Rectify answers on, such as rectify.contoso.com (no scheme, no path). */
  readonly host: string;
  /** The Entra app (client) id of the Rectify API. */
  readonly clientId: string;
  /** The Entra authority host, login.microsoftonline.com unless a national cloud. */
  readonly authorityHost?: string;
}

/** A webhook trigger: its event name (the path segment), its title and what it sends. */
export interface TriggerSpec {
  readonly event: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description: string;
}

export interface TriggerDocument {
  readonly triggers: readonly TriggerSpec[];
  /** The route a trigger subscribes on, with `{event}` for the event's name. */
  readonly subscribePath: string;
  /** The route the 201's Location names, where the connector unsubscribes. */
  readonly unsubscribePath: string;
  /** The 3.1 component schema names of the subscription and of one delivered event. */
  readonly subscriptionSchema: string;
  readonly eventSchema: string;
}

/** Operations a connector cannot use, and why (the test checks every other one is there). */
export const NOT_IN_CONNECTOR: Readonly<Record<string, string>> = {
  openApiDocument: 'the API definition itself, not an action',
  subscribeToEvent: 'replaced by one webhook trigger per event',
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const PARAM_KEYWORDS = [
  'type',
  'format',
  'enum',
  'default',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'items',
  'x-nullable',
] as const;

const OPTIONS: SimplifyOptions = {
  dialect: 'swagger2',
  refPrefix: '#/definitions/',
  summaries: true,
};

const schema2 = (s: Json | undefined): JsonObject => simplifySchema(s ?? {}, OPTIONS);

export function scopeOf(target: ConnectorTarget): string {
  return `api://${target.host}/${target.clientId}/access_as_user`;
}

/** A parameter or header as Swagger 2.0 wants it: the schema's keywords inline. */
function inlineParameter(schema: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of PARAM_KEYWORDS) {
    const value = schema[key];
    if (value === undefined) continue;
    if (key === 'items') {
      out.items = inlineParameter(objectAt(value));
      out.collectionFormat = 'csv';
    } else out[key] = value;
  }
  if (!('type' in out)) out.type = 'string';
  if (out.type === 'object') {
    // Parameters cannot carry objects in Swagger 2.0: the API reads them as JSON text.
    out.type = 'string';
  }
  return out;
}

const isBinary = (mediaType: string, schema: JsonObject): boolean =>
  schema.format === 'binary' ||
  /^application\/(pdf|octet-stream|vnd\.openxmlformats)/.test(mediaType);

function responseOf(response: JsonObject): { out: JsonObject; types: string[] } {
  const out: JsonObject = { description: textAt(response.description) ?? 'Response' };
  const content = objectAt(response.content);
  const types = Object.keys(content);
  const first = types[0];
  if (first !== undefined) {
    const raw = objectAt(objectAt(content[first]).schema);
    out.schema = isBinary(first, raw) ? { type: 'file' } : schema2(raw);
  }
  const headers = objectAt(response.headers);
  if (Object.keys(headers).length > 0) {
    const h: JsonObject = {};
    for (const [name, header] of Object.entries(headers)) {
      const hs = objectAt(header);
      h[name] = {
        ...inlineParameter(schema2(hs.schema)),
        ...(textAt(hs.description) ? { description: textAt(hs.description) ?? '' } : {}),
      };
    }
    out.headers = h;
  }
  return { out, types };
}

function parameterOf(param: JsonObject): JsonObject {
  const name = textAt(param.name) ?? '';
  const schema = schema2(param.schema);
  const out: JsonObject = {
    name,
    in: textAt(param.in) ?? 'query',
    required: param.in === 'path' ? true : param.required === true,
    ...inlineParameter(schema),
    'x-ms-summary': titleOf(name),
  };
  const description = textAt(param.description) ?? textAt(schema.description);
  if (description) out.description = description;
  if (out.required === true) out['x-ms-visibility'] = 'important';
  // Headers the connector sets itself stay out of the maker's way.
  if (name === 'If-Match' || name === 'Idempotency-Key') out['x-ms-visibility'] = 'advanced';
  return out;
}

function operationOf(op: JsonObject, method: string): JsonObject {
  const operationId = textAt(op.operationId) ?? '';
  const summary = textAt(op.summary) ?? titleOf(operationId);
  const out: JsonObject = {
    operationId,
    summary,
    description: textAt(op.description) ?? `${summary}.`,
  };
  const tags = arrayAt(op.tags);
  if (tags.length > 0) out.tags = tags;
  const parameters: Json[] = arrayAt(op.parameters).map((p) => parameterOf(objectAt(p)));
  const body = objectAt(op.requestBody);
  const consumes: string[] = [];
  if (isObject(body.content)) {
    const [mediaType, media] = Object.entries(body.content)[0] ?? [];
    if (mediaType && isObject(media)) {
      consumes.push(mediaType);
      parameters.push({
        name: 'body',
        in: 'body',
        required: body.required === true,
        schema: schema2(media.schema),
      });
    }
  }
  if (parameters.length > 0) out.parameters = parameters;
  if (consumes.length > 0) out.consumes = consumes;
  const responses: JsonObject = {};
  const produces = new Set<string>();
  for (const [status, response] of Object.entries(objectAt(op.responses))) {
    const { out: r, types } = responseOf(objectAt(response));
    responses[status] = r;
    for (const t of types) produces.add(t);
  }
  out.responses = responses;
  if (produces.size > 0) out.produces = [...produces];
  // Everyday reads and the commonest writes lead; the rest sit under "advanced".
  if (method !== 'get' && !['report'].includes(operationId)) out['x-ms-visibility'] = 'advanced';
  return out;
}

/** The Swagger 2.0 definition of the connector, triggers included. */
export function toSwagger2(
  doc31: JsonObject,
  target: ConnectorTarget,
  triggers: TriggerDocument,
): JsonObject {
  const info = objectAt(doc31.info);
  const paths: JsonObject = {};
  for (const [path, item] of Object.entries(objectAt(doc31.paths))) {
    // The five triggers take the place of the subscribe route.
    if (path === triggers.subscribePath) continue;
    const ops: JsonObject = {};
    for (const method of METHODS) {
      const op = objectAt(objectAt(item)[method]);
      const id = textAt(op.operationId);
      if (!id || id in NOT_IN_CONNECTOR) continue;
      ops[method] = operationOf(op, method);
    }
    if (Object.keys(ops).length > 0) paths[path] = ops;
  }
  addTriggers(doc31, paths, triggers);

  const definitions: JsonObject = {};
  for (const [name, schema] of Object.entries(objectAt(objectAt(doc31.components).schemas)))
    definitions[name] = schema2(schema);

  const authority = target.authorityHost ?? 'login.microsoftonline.com';
  return {
    swagger: '2.0',
    info: {
      title: textAt(info.title) ?? 'Rectify',
      description: textAt(info.description) ?? '',
      version: textAt(info.version) ?? '1.0.0',
    },
    host: target.host,
    basePath: '/',
    schemes: ['https'],
    consumes: ['application/json'],
    produces: ['application/json'],
    paths,
    definitions,
    securityDefinitions: {
      oauth2_auth: {
        type: 'oauth2',
        flow: 'accessCode',
        authorizationUrl: `https://${authority}/common/oauth2/authorize`,
        tokenUrl: `https://${authority}/common/oauth2/token`,
        scopes: { [scopeOf(target)]: 'Use Rectify as the signed-in person' },
      },
    },
    security: [{ oauth2_auth: [scopeOf(target)] }],
    tags: [],
  };
}

/** One subscribe operation per trigger (`x-ms-trigger: single`) and the internal unsubscribe. */
function addTriggers(doc31: JsonObject, paths: JsonObject, spec: TriggerDocument): void {
  const ref = (name: string): JsonObject => ({ $ref: `#/definitions/${name}` });
  const subscribe = objectAt(objectAt(objectAt(doc31.paths)[spec.subscribePath]).post);
  const unsubscribe = objectAt(objectAt(objectAt(doc31.paths)[spec.unsubscribePath]).delete);
  const errors = (op: JsonObject): JsonObject => {
    const out: JsonObject = {};
    for (const [status, r] of Object.entries(objectAt(op.responses)))
      if (!status.startsWith('2')) out[status] = responseOf(objectAt(r)).out;
    return out;
  };
  for (const t of spec.triggers) {
    paths[spec.subscribePath.replace('{event}', t.event)] = {
      post: {
        operationId: t.operationId,
        summary: t.summary,
        description: t.description,
        tags: ['Triggers'],
        'x-ms-trigger': 'single',
        consumes: ['application/json'],
        produces: ['application/json', 'application/problem+json'],
        parameters: [
          {
            name: 'body',
            in: 'body',
            required: true,
            schema: {
              type: 'object',
              required: ['notificationUrl'],
              properties: {
                notificationUrl: {
                  type: 'string',
                  description: 'Where Rectify sends each event',
                  'x-ms-notification-url': true,
                  'x-ms-visibility': 'internal',
                  'x-ms-summary': 'Notification URL',
                },
              },
            },
          },
        ],
        responses: {
          '201': {
            description: 'Subscribed; Location names the subscription',
            headers: { Location: { type: 'string', description: 'The subscription' } },
            schema: ref(spec.subscriptionSchema),
          },
          ...errors(subscribe),
        },
        'x-ms-notification-content': {
          description: 'One event, sent once per event id (retries carry the same id)',
          schema: ref(spec.eventSchema),
        },
      },
    };
  }
  // Power Automate calls the 201's Location with DELETE when the flow is turned off or removed.
  paths[spec.unsubscribePath] = {
    ...objectAt(paths[spec.unsubscribePath]),
    delete: { ...operationOf(unsubscribe, 'delete'), 'x-ms-visibility': 'internal' },
  };
}

/** apiProperties.json: the connection's OAuth settings against Entra ID, and the brand. */
export function apiProperties(target: ConnectorTarget): JsonObject {
  const resource = `api://${target.host}/${target.clientId}`;
  return {
    properties: {
      connectionParameters: {
        token: {
          type: 'oauthSetting',
          oAuthSettings: {
            identityProvider: 'aad',
            clientId: target.clientId,
            scopes: [scopeOf(target)],
            redirectMode: 'GlobalPerConnector',
            redirectUrl: 'https://global.consent.azure-apim.net/redirect',
            properties: {
              IsFirstParty: 'False',
              AzureActiveDirectoryResourceId: resource,
              IsOnbehalfofLoginSupported: false,
            },
            customParameters: {
              loginUri: { value: `https://${target.authorityHost ?? 'login.microsoftonline.com'}` },
              tenantId: { value: 'common' },
              resourceUri: { value: resource },
              enableOnbehalfOfLogin: { value: 'false' },
            },
          },
        },
      },
      iconBrandColor: '#0F6CBD',
      capabilities: [],
      publisher: 'Rectify',
      stackOwner: 'Rectify',
    },
  };
}
