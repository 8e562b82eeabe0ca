import { expect } from '@jest/globals';

/** Any Rectify error: problem+json with its status, a stable code and a correlation id. */
export function expectProblem(
  res: { status: number; headers: Record<string, string | undefined>; body: unknown },
  status: number,
  code?: string,
): void {
  expect({ status: res.status, type: res.headers['content-type'] }).toEqual({
    status,
    type: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(res.body).toMatchObject({
    status,
    code: code ?? expect.stringMatching(/^[A-Z_]+\.[A-Z_]+$/),
    type: expect.stringMatching(/^urn:rectify:problem:/),
    title: expect.any(String),
    correlationId: expect.stringMatching(/\S/),
  });
}
