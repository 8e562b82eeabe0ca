import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * Request and response bodies checked against Graph's own types: the JSON Schemas that
 * scripts/graph-schemas.ts derives from Graph's v1.0 CSDL
 * (https://learn.microsoft.com/en-us/graph/traverse-the-graph#microsoft-graph-api-metadata).
 */

const SCHEMA_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'schema',
  'graph-v1.0.schema.json',
);

interface BodyTypes {
  readonly request?: string;
  readonly response?: string;
  /** The response is a collection `{ value: [...] }` of the type. */
  readonly collection?: boolean;
}

/** Which Graph type a request carries and its answer returns, by method and path. */
export function bodyTypesOf(method: string, path: string): BodyTypes | null {
  const routes: readonly [string, RegExp, BodyTypes][] = [
    ['GET', /^\/sites\/[^/]+$/, { response: 'site' }],
    ['GET', /^\/sites\/[^/]+\/lists$/, { response: 'list', collection: true }],
    ['POST', /^\/sites\/[^/]+\/lists$/, { request: 'list', response: 'list' }],
    ['GET', /^\/sites\/[^/]+\/lists\/[^/]+$/, { response: 'list' }],
    ['GET', /\/lists\/[^/]+\/columns$/, { response: 'columnDefinition', collection: true }],
    [
      'POST',
      /\/lists\/[^/]+\/columns$/,
      { request: 'columnDefinition', response: 'columnDefinition' },
    ],
    [
      'PATCH',
      /\/lists\/[^/]+\/columns\/[^/]+$/,
      { request: 'columnDefinition', response: 'columnDefinition' },
    ],
    ['GET', /\/lists\/[^/]+\/items$/, { response: 'listItem', collection: true }],
    ['POST', /\/lists\/[^/]+\/items$/, { request: 'listItem', response: 'listItem' }],
    ['GET', /\/lists\/[^/]+\/items\/[^/]+$/, { response: 'listItem' }],
    ['GET', /\/items\/[^/]+\/fields$/, { response: 'fieldValueSet' }],
    ['PATCH', /\/items\/[^/]+\/fields$/, { request: 'fieldValueSet', response: 'fieldValueSet' }],
    ['GET', /^\/planner\/plans\/[^/]+$/, { response: 'plannerPlan' }],
    ['GET', /^\/planner\/plans\/[^/]+\/buckets$/, { response: 'plannerBucket', collection: true }],
    ['GET', /^\/planner\/plans\/[^/]+\/tasks$/, { response: 'plannerTask', collection: true }],
    ['POST', /^\/planner\/buckets$/, { request: 'plannerBucket', response: 'plannerBucket' }],
    ['POST', /^\/planner\/tasks$/, { request: 'plannerTask', response: 'plannerTask' }],
    ['GET', /^\/planner\/tasks\/[^/]+$/, { response: 'plannerTask' }],
    ['PATCH', /^\/planner\/tasks\/[^/]+$/, { request: 'plannerTask', response: 'plannerTask' }],
    ['GET', /^\/planner\/tasks\/[^/]+\/details$/, { response: 'plannerTaskDetails' }],
    [
      'PATCH',
      /^\/planner\/tasks\/[^/]+\/details$/,
      { request: 'plannerTaskDetails', response: 'plannerTaskDetails' },
    ],
  ];
  const found = routes.find(([m, re]) => m === method && re.test(path));
  return found ? found[2] : null;
}

let validators: Map<string, ValidateFunction> | null = null;

function validatorOf(type: string): ValidateFunction {
  if (!validators) {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as {
      definitions: Record<string, unknown>;
    };
    const ajv = new Ajv({ strict: false, allErrors: false });
    ajv.addSchema({ $id: 'graph', definitions: schema.definitions });
    validators = new Map(
      Object.keys(schema.definitions).map((name) => [
        name,
        ajv.compile({ $ref: `graph#/definitions/${name}` }),
      ]),
    );
  }
  const v = validators.get(type);
  if (!v) throw new Error(`no Graph schema for ${type}`);
  return v;
}

/** Why a body is not a `type`, or null when it is. */
export function mismatchOf(type: string, body: unknown, collection = false): string | null {
  const validate = validatorOf(type);
  const values: unknown[] =
    collection && typeof body === 'object' && body !== null && 'value' in body
      ? (body.value as unknown[])
      : [body];
  if (collection && !Array.isArray(values)) return 'a collection without value';
  for (const value of values)
    if (!validate(value)) {
      const e = validate.errors?.[0];
      return `${type}${e?.instancePath ?? ''} ${e?.message ?? 'does not match'}${
        e?.params && 'additionalProperty' in e.params
          ? ` (${String(e.params.additionalProperty)})`
          : ''
      }`;
    }
  return null;
}
