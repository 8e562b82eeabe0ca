import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { buildOpenApiDocument } from '../../src/http/openapi.js';
import { isObject, toJson, type Json, type JsonObject } from '../../src/integration/json.js';
import { toFlatOpenApi30 } from '../../src/integration/openapi30.js';

/**
 * The declarative agent, its API plugin and the plugin's OpenAPI document, as
 * `npm run package` writes them, validated offline: the agent and plugin against the schemas
 * bundled in @microsoft/app-manifest (the same check as the app manifest), the document
 * against the OpenAPI 3.0 schema and the Copilot rules (read operations only, no
 * oneOf/allOf/anyOf, no objects in parameters).
 */
const TSX = path.resolve('node_modules/.bin/tsx');
const ENV = {
  TAB_DOMAIN: 'rectify.contoso.example',
  AAD_APP_CLIENT_ID: '33333333-3333-4333-8333-333333333333',
  APP_NAME_SUFFIX: '-dev',
  OAUTH2_CONFIGURATION_ID: 'rectify-oauth-registration',
};
const out = mkdtempSync(path.join(tmpdir(), 'rectify-agent-'));
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

const script = (args: string[]): string =>
  execFileSync(TSX, ['scripts/package-app.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...ENV },
  });
const written = script(['--agent', out]).trim().split('\n');
const read = (name: string): JsonObject =>
  JSON.parse(readFileSync(path.join(out, name), 'utf8')) as JsonObject;

const schemaProblems = (json: unknown): string[] => {
  const file = path.join(out, `check-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(json));
  return JSON.parse(script(['--validate', file])) as string[];
};

/** The file of @microsoft/app-manifest that a `$schema` URL resolves to, offline. */
const bundled = (url: string): string =>
  path.join(
    'node_modules/@microsoft/app-manifest/build',
    url.replace('https://developer.microsoft.com/', ''),
  );

function* keys(value: Json, at = ''): Generator<{ at: string; key: string; value: Json }> {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) yield* keys(v, `${at}/${i}`);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, v] of Object.entries(value)) {
    yield { at, key, value: v };
    yield* keys(v, `${at}/${key}`);
  }
}

describe('the Copilot declarative agent', () => {
  const agent = read('declarativeAgent.json');
  const plugin = read('ai-plugin.json');

  it('writes the agent, the plugin and its OpenAPI document', () => {
    expect(written).toEqual(['declarativeAgent.json', 'ai-plugin.json', 'openapi.copilot.json']);
  });

  it('validates the agent and the plugin against the schemas bundled in @microsoft/app-manifest', () => {
    for (const doc of [agent, plugin]) {
      expect(existsSync(bundled(typeof doc.$schema === 'string' ? doc.$schema : ''))).toBe(true);
      expect(schemaProblems(doc)).toEqual([]);
    }
  });

  it('finds the problems of a broken agent and a broken plugin (the check can fail)', () => {
    const noNamespace: JsonObject = { ...plugin };
    delete noNamespace.namespace;
    expect(schemaProblems(noNamespace).length).toBeGreaterThan(0);
    expect(schemaProblems({ ...agent, conversation_starters: 'ask me' }).length).toBeGreaterThan(0);
  });

  it('is declared in the manifest and names the plugin, which names the document', () => {
    const manifest = JSON.parse(readFileSync('appPackage/manifest.json', 'utf8')) as JsonObject;
    expect(manifest.copilotAgents).toEqual({
      declarativeAgents: [{ id: 'rectifyAgent', file: 'declarativeAgent.json' }],
    });
    expect(agent.actions).toEqual([{ id: 'rectifyApi', file: 'ai-plugin.json' }]);
    const [runtime] = plugin.runtimes as JsonObject[];
    expect(runtime?.spec).toEqual({ url: 'openapi.copilot.json' });
    expect(runtime?.auth).toEqual({
      type: 'OAuthPluginVault',
      reference_id: 'rectify-oauth-registration',
    });
  });

  it('renders results as cards: every function has response semantics', () => {
    for (const f of plugin.functions as JsonObject[]) {
      const semantics = (f.capabilities as JsonObject).response_semantics as JsonObject;
      expect(typeof semantics.data_path).toBe('string');
      expect((semantics.properties as JsonObject).title).toMatch(/^\$\./);
    }
  });
});

describe("the plugin's OpenAPI document", () => {
  const doc = read('openapi.copilot.json');
  const plugin = read('ai-plugin.json');

  it('is a valid OpenAPI 3.0 document with its server', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors).toBeUndefined();
    expect(validator.version).toBe('3.0');
    expect(doc.servers).toEqual([{ url: 'https://rectify.contoso.example' }]);
  });

  it('exposes exactly the plugin functions, all of them reads', () => {
    const ops = Object.values(doc.paths as JsonObject).flatMap((item) =>
      Object.entries(item as JsonObject).map(([method, op]) => ({ method, op: op as JsonObject })),
    );
    expect(ops.every((o) => o.method === 'get')).toBe(true);
    expect(ops.map((o) => o.op.operationId).sort()).toEqual(
      (plugin.functions as JsonObject[]).map((f) => f.name).sort(),
    );
    expect(ops.map((o) => o.op.operationId)).toEqual(
      expect.arrayContaining(['myActions', 'listCars', 'getCar', 'meetingAgenda']),
    );
  });

  it('has no composition and no object in a parameter, and every reference resolves', () => {
    const problems: string[] = [];
    const schemas = (doc.components as JsonObject).schemas as JsonObject;
    for (const { at, key, value } of keys(doc)) {
      if (['anyOf', 'oneOf', 'allOf', 'const', '$defs'].includes(key))
        problems.push(`${at}/${key}`);
      if (key === 'type' && Array.isArray(value)) problems.push(`${at}: type list`);
      if (key === '$ref' && typeof value === 'string') {
        const name = value.replace('#/components/schemas/', '');
        if (!(name in schemas)) problems.push(`${at}: ${value} does not resolve`);
      }
      if (key === 'parameters' && Array.isArray(value))
        for (const p of value as JsonObject[]) {
          const s = p.schema as JsonObject;
          if (s.type === 'object' || '$ref' in s || 'properties' in s)
            problems.push(`${at}: parameter ${JSON.stringify(p.name)} is an object`);
        }
    }
    expect(problems).toEqual([]);
  });

  it('refuses to write a document of an operation that changes something', () => {
    const doc31 = toJson(buildOpenApiDocument());
    const options = {
      serverUrl: 'https://x',
      authorityHost: 'login.microsoftonline.com',
      scope: 's',
    };
    expect(() => toFlatOpenApi30(doc31, { ...options, operationIds: ['report'] })).toThrow(
      /not GET operations of the document: report/,
    );
    expect(() => toFlatOpenApi30(doc31, { ...options, operationIds: ['getCar'] })).not.toThrow();
  });
});
