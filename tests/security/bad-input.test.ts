import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { buildOpenApiDocument } from '../../src/http/openapi.js';
import { startHarness, type Harness } from '../support/rectify-harness.js';
import {
  envelope,
  invokeActivity,
  messageActivity,
  post,
  startConnector,
  type FakeConnector,
} from '../bot/bot-client.js';
import { expectProblem } from './problem.js';

let h: Harness;
let connector: FakeConnector;
beforeAll(async () => {
  connector = await startConnector();
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
  await connector.close();
});

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every parameterised route the API documents, with its method, each parameter replaced. */
function parameterisedRoutes(
  replacement: string,
): { method: (typeof METHODS)[number]; url: string }[] {
  const paths = (buildOpenApiDocument().paths ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(paths)
    .filter(([p]) => p.includes('{'))
    .flatMap(([p, item]) =>
      METHODS.filter((m) => item[m] !== undefined).map((method) => ({
        method,
        url: p.replace(/\{\w+\}/g, replacement),
      })),
    );
}

describe('malformed addresses', () => {
  it('answers 400 problem+json for %zz on every parameterised route', async () => {
    const routes = parameterisedRoutes('%zz');
    expect(routes.length).toBeGreaterThanOrEqual(12);
    const token = await h.token('mr');
    for (const { method, url } of routes) {
      const agent = request(h.rectify.url);
      const res = await agent[method](url)
        .set('Authorization', `Bearer ${token}`)
        .set('If-Match', '"1"')
        .send({});
      expectProblem(res, 400, 'REQUEST.PATH_INVALID');
    }
  });

  it('answers 400 problem+json for NUL in every parameterised route', async () => {
    const token = await h.token('mr');
    for (const { method, url } of parameterisedRoutes('a%00b')) {
      const agent = request(h.rectify.url);
      const res = await agent[method](url).set('Authorization', `Bearer ${token}`).send({});
      expectProblem(res, 400, 'REQUEST.PATH_INVALID');
    }
  });

  it('answers 400 problem+json on the local issuer, which needs no token', async () => {
    for (const url of [
      '/dev/issuer/%zz/v2.0/.well-known/openid-configuration',
      '/dev/issuer/%E0%A4%A/v2.0/.well-known/openid-configuration',
      '/dev/%zz',
      '/%zz',
    ])
      expectProblem(await request(h.rectify.url).get(url), 400, 'REQUEST.PATH_INVALID');
  });
});

describe('malformed bot activities', () => {
  const base = (): Record<string, unknown> => messageActivity('reporter', connector.url, 'help');
  const cardAction = (): Record<string, unknown> =>
    invokeActivity('reporter', connector.url, 'car.refresh', { carId: 'x' });
  const cases: [string, () => unknown][] = [
    ['an invoke whose value is null', () => ({ ...cardAction(), value: null })],
    ['an invoke whose action is null', () => ({ ...cardAction(), value: { action: null } })],
    [
      'a message extension submit without value',
      () => ({
        ...envelope('reporter', connector.url),
        type: 'invoke',
        name: 'composeExtension/submitAction',
        value: 'x',
      }),
    ],
    ['an activity whose conversation is null', () => ({ ...base(), conversation: null })],
    ['an activity without a sender', () => ({ ...base(), from: undefined })],
    ['an activity without a recipient', () => ({ ...base(), recipient: 7 })],
    ['an activity without a type', () => ({ ...base(), type: undefined })],
    ['an activity whose text is a number', () => ({ ...base(), text: 42 })],
    ['an array', () => [base()]],
    [
      'an activity whose aadObjectId is an internal actor',
      () => ({
        ...base(),
        from: { id: '29:x', name: 'Task board', aadObjectId: 'rectify:task-board' },
      }),
    ],
    [
      'an unauthenticated activity asking for replies to another host',
      () => ({ ...base(), serviceUrl: 'https://attacker.example/' }),
    ],
  ];

  for (const [name, activity] of cases)
    it(`answers 400 problem+json to ${name}`, async () => {
      const res = await request(h.rectify.url)
        .post('/api/messages')
        .set('content-type', 'application/json')
        .send(JSON.stringify(activity()));
      expectProblem(res, 400, 'REQUEST.ACTIVITY_INVALID');
    });

  it('answers 400 problem+json to a body that is not a JSON object', async () => {
    for (const body of ['{"type":', '"hello"']) {
      const res = await request(h.rectify.url)
        .post('/api/messages')
        .set('content-type', 'application/json')
        .send(body);
      expectProblem(res, 400, 'REQUEST.MALFORMED');
    }
  });

  it('still answers a well-formed activity after all of them', async () => {
    const res = await post(h.rectify.url, messageActivity('reporter', connector.url, 'help'));
    expect(res.status).toBe(200);
  });
});

describe('one error shape everywhere', () => {
  it('answers problem+json with a correlation id on every kind of error route', async () => {
    const anon = request(h.rectify.url);
    expectProblem(await anon.get('/api/cars'), 401, 'AUTH.UNAUTHENTICATED');
    expectProblem(await anon.get('/no/such/page.json'), 404);
    expectProblem(await anon.post('/dev/token').send({}), 400, 'REQUEST.VALIDATION');
    expectProblem(await anon.post('/dev/token').send({ personId: 'nobody' }), 400);
    expectProblem(
      await anon.get('/dev/issuer/not-a-tenant/v2.0/.well-known/openid-configuration'),
      404,
    );
    const mr = await h.as('mr');
    expectProblem(
      await mr.post('/api/cars').set('content-type', 'text/plain').send('x'),
      415,
      'REQUEST.UNSUPPORTED_MEDIA_TYPE',
    );
    expectProblem(
      await mr.post('/api/cars').set('content-type', 'application/json').send('{'),
      400,
      'REQUEST.MALFORMED',
    );
  });

  it('answers the bot 401 as problem+json with a correlation id', async () => {
    const withCredentials = await startHarness({
      BOT_ID: '22222222-2222-4222-8222-222222222222',
      BOT_PASSWORD: 'secret',
    });
    try {
      const res = await request(withCredentials.rectify.url)
        .post('/api/messages')
        .send(messageActivity('reporter', 'http://127.0.0.1:9', 'help'));
      expectProblem(res, 401, 'AUTH.UNAUTHENTICATED');
      // With credentials, the service URL is vouched for by the Bot Framework token.
      const elsewhere = await request(withCredentials.rectify.url)
        .post('/api/messages')
        .send(messageActivity('reporter', 'https://smba.trafficmanager.net/emea/', 'help'));
      expectProblem(elsewhere, 401, 'AUTH.UNAUTHENTICATED');
    } finally {
      await withCredentials.close();
    }
  });
});
