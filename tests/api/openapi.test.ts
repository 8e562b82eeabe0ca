import { describe, expect, it } from '@jest/globals';
import { Validator } from '@seriousme/openapi-schema-validator';
import { CAR_COMMAND_NAMES } from '../../src/application/car-commands.js';
import { buildOpenApiDocument } from '../../api/openapi.js';
import { OPERATION_ROUTES, openApiPath } from '../../api/car-operations.js';

describe('the OpenAPI document', () => {
  const doc = buildOpenApiDocument();

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(
      structuredClone(doc) as unknown as Record<string, unknown>,
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every lifecycle operation with its If-Match header and request body', () => {
    for (const op of CAR_COMMAND_NAMES) {
      const route = OPERATION_ROUTES[op];
      const item = doc.paths?.[`/api/cars/{id}${openApiPath(route.path)}`]?.[route.method];
      expect(item?.operationId).toBe(op);
      const params = (item?.parameters ?? []) as { name?: string; in?: string }[];
      expect(params).toContainEqual(expect.objectContaining({ name: 'If-Match', in: 'header' }));
      expect(item?.requestBody).toBeDefined();
    }
  });

  it('documents the report body from the same schema that validates it', () => {
    const body = doc.paths?.['/api/cars']?.post?.requestBody as {
      content: Record<string, { schema: { $ref?: string; required?: string[] } }>;
    };
    const schema = body.content['application/json']?.schema;
    const resolved = schema?.$ref
      ? (doc.components?.schemas?.[schema.$ref.split('/').pop() ?? ''] as { required?: string[] })
      : schema;
    expect(resolved?.required).toEqual(
      expect.arrayContaining(['type', 'relatesTo', 'title', 'description']),
    );
  });
});
