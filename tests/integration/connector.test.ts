import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { buildOpenApiDocument } from '../../src/http/openapi.js';
import { SUBSCRIPTION_EVENTS } from '../../src/application/subscriptions/subscription.js';
import { MAX_DEFINITION_BYTES, TRIGGERS } from '../../src/integration/connector-package.js';
import { isObject, toJson, type Json, type JsonObject } from '../../src/integration/json.js';
import { NOT_IN_CONNECTOR } from '../../src/integration/swagger2.js';

/**
 * `npm run connector` as a maker would run it, and the files it writes checked offline: the
 * Swagger 2.0 JSON Schema (the one @seriousme/openapi-schema-validator ships), and the rules of
 * https://learn.microsoft.com/connectors/custom-connectors/define-openapi-definition and
 * https://learn.microsoft.com/connectors/custom-connectors/openapi-extensions that can be
 * checked without the Power Platform.
 */
const TSX = path.resolve('node_modules/.bin/tsx');
const out = mkdtempSync(path.join(tmpdir(), 'rectify-connector-'));
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

const run = (args: string[]) =>
  spawnSync(TSX, ['scripts/connector.ts', ...args], { encoding: 'utf8', env: process.env });

const generated = run([
  '--host',
  'rectify.contoso.example',
  '--client-id',
  'c1d2e3f4',
  '--out',
  out,
]);
const read = (name: string): JsonObject =>
  JSON.parse(readFileSync(path.join(out, name), 'utf8')) as JsonObject;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const operations = (doc: JsonObject) =>
  Object.entries(doc.paths as JsonObject).flatMap(([p, item]) =>
    Object.entries(item as JsonObject)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => {
        const o = op as JsonObject;
        return {
          path: p,
          method,
          op: o,
          id: typeof o.operationId === 'string' ? o.operationId : '',
        };
      }),
  );

/** Every place in a JSON value, with its path, for rules over the whole document. */
function* walk(value: Json, at = ''): Generator<{ at: string; key: string; value: Json }> {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) yield* walk(v, `${at}/${i}`);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, v] of Object.entries(value)) {
    yield { at, key, value: v };
    yield* walk(v, `${at}/${key}`);
  }
}

describe('npm run connector', () => {
  it('writes the definition, the properties and the icon', () => {
    expect(generated.stderr).toBe('');
    expect(generated.status).toBe(0);
    for (const f of ['apiDefinition.swagger.json', 'apiProperties.json', 'icon.png'])
      expect(statSync(path.join(out, f)).size).toBeGreaterThan(0);
    expect(statSync(path.join(out, 'apiDefinition.swagger.json')).size).toBeLessThan(
      MAX_DEFINITION_BYTES,
    );
  });

  it('answers --help with its usage, and an unknown option with exit 2', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run connector/);
    const bad = run(['--colour', 'blue']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/usage: npm run connector/);
    expect(run(['--host', 'https://x.example/path']).status).toBe(2);
  });
});

describe('the connector definition', () => {
  const swagger = read('apiDefinition.swagger.json');

  it('validates against the Swagger 2.0 schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(swagger);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('2.0');
  });

  it('would be refused by the schema check if it were OpenAPI 3', async () => {
    const validator = new Validator();
    const bad = { ...swagger, swagger: '3.0' };
    expect((await validator.validate(bad)).valid).toBe(false);
  });

  it('has no OpenAPI 3.x construct anywhere', () => {
    const found: string[] = [];
    for (const { at, key, value } of walk(swagger)) {
      if (['anyOf', 'oneOf', 'allOf', 'const', 'nullable', 'examples', '$defs'].includes(key))
        found.push(`${at}/${key}`);
      if (key === 'type' && Array.isArray(value)) found.push(`${at}/type is a list`);
      if (key === '$ref' && typeof value === 'string') {
        const name = value.replace('#/definitions/', '');
        if (!value.startsWith('#/definitions/') || !(name in (swagger.definitions as JsonObject)))
          found.push(`${at}/$ref ${value} does not resolve`);
      }
    }
    expect(found).toEqual([]);
  });

  it('has every operation of the 3.1 document a connector may use', () => {
    const doc31 = toJson(buildOpenApiDocument());
    const mine = new Map(operations(swagger).map((o) => [o.id, o]));
    const missing = operations(doc31)
      .filter((o) => !(o.id in NOT_IN_CONNECTOR))
      .filter((o) => {
        const found = mine.get(o.id);
        return !found || found.path !== o.path || found.method !== o.method;
      })
      .map((o) => `${o.method} ${o.path} ${o.id}`);
    expect(missing).toEqual([]);
    expect(operations(doc31).length).toBeGreaterThan(40);
  });

  it('follows the connector rules on operations, parameters and responses', () => {
    const problems: string[] = [];
    const ids = new Set<string>();
    for (const { path: p, method, op, id } of operations(swagger)) {
      const where = `${method} ${p}`;
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(id)) problems.push(`${where}: operationId ${id}`);
      if (ids.has(id)) problems.push(`${where}: operationId ${id} twice`);
      ids.add(id);
      const summary = typeof op.summary === 'string' ? op.summary : '';
      if (summary.length === 0 || summary.length > 80 || summary.endsWith('.'))
        problems.push(`${where}: summary "${summary}"`);
      if (typeof op.description !== 'string' || op.description === '')
        problems.push(`${where}: no description`);
      for (const param of (op.parameters ?? []) as JsonObject[]) {
        if (param.in === 'body') {
          const schema = param.schema as JsonObject;
          if ('allOf' in schema) problems.push(`${where}: allOf at the root of the body`);
        } else if (typeof param['x-ms-summary'] !== 'string')
          problems.push(`${where}: parameter ${JSON.stringify(param.name)} has no x-ms-summary`);
      }
      for (const [status, response] of Object.entries(op.responses as JsonObject)) {
        if (!status.startsWith('2') || status === '204') continue;
        if (!isObject(response) || !isObject(response.schema))
          problems.push(`${where}: ${status} has no response schema`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('labels the fields of its schemas with x-ms-summary and marks the required ones', () => {
    const car = (swagger.definitions as JsonObject).Car as JsonObject;
    const props = car.properties as Record<string, JsonObject>;
    expect(props.nextDueDate?.['x-ms-summary']).toBe('Next Due Date');
    expect(props.id?.['x-ms-visibility']).toBe('important');
    // 3.1's ["string","null"] becomes a string that may be null.
    expect(props.nextDueDate).toMatchObject({ type: 'string', 'x-nullable': true });
  });

  it('signs in with OAuth 2.0 authorization code against Entra ID for access_as_user', () => {
    expect(swagger.host).toBe('rectify.contoso.example');
    expect(swagger.schemes).toEqual(['https']);
    const scheme = (swagger.securityDefinitions as JsonObject).oauth2_auth as JsonObject;
    expect(scheme).toMatchObject({ type: 'oauth2', flow: 'accessCode' });
    expect(scheme.authorizationUrl).toMatch(/^https:\/\/login\.microsoftonline\.com\//);
    expect(Object.keys(scheme.scopes as JsonObject)).toEqual([
      'api://rectify.contoso.example/c1d2e3f4/access_as_user',
    ]);
    const props = read('apiProperties.json').properties as JsonObject;
    const token = (props.connectionParameters as JsonObject).token as JsonObject;
    expect(token.oAuthSettings).toMatchObject({
      identityProvider: 'aad',
      clientId: 'c1d2e3f4',
      scopes: ['api://rectify.contoso.example/c1d2e3f4/access_as_user'],
    });
  });

  it('has one webhook trigger per event, unsubscribed through the Location it answers', () => {
    const triggers = operations(swagger).filter((o) => o.op['x-ms-trigger'] === 'single');
    expect(triggers.map((t) => t.op.summary).sort()).toEqual(
      [
        'When a CAR changes state',
        'When a CAR is recorded',
        'When a report is received',
        'When a verification finds the action not effective',
        'When an action becomes overdue',
      ].sort(),
    );
    expect(triggers).toHaveLength(SUBSCRIPTION_EVENTS.length);
    for (const t of triggers) {
      expect(t.method).toBe('post');
      const body = ((t.op.parameters as JsonObject[])[0]?.schema ?? {}) as JsonObject;
      const url = (body.properties as JsonObject).notificationUrl as JsonObject;
      expect(url).toMatchObject({ 'x-ms-notification-url': true, 'x-ms-visibility': 'internal' });
      const created = (t.op.responses as JsonObject)['201'] as JsonObject;
      expect(Object.keys(created.headers as JsonObject)).toContain('Location');
      expect(t.op['x-ms-notification-content']).toMatchObject({
        schema: { $ref: '#/definitions/SubscriptionEvent' },
      });
    }
    const unsubscribe = (swagger.paths as JsonObject)[TRIGGERS.unsubscribePath] as JsonObject;
    expect(unsubscribe.delete).toMatchObject({ 'x-ms-visibility': 'internal' });
    const event = (swagger.definitions as JsonObject).SubscriptionEvent as JsonObject;
    expect(Object.keys(event.properties as JsonObject)).toEqual(
      expect.arrayContaining(['id', 'type', 'occurredAt', 'car']),
    );
  });
});
