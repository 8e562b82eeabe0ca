import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  createGraphConnection,
  GraphTimeoutError,
  retryAfterMs,
  RetryPolicy,
} from '../../src/infrastructure/graph/graph-client.js';
import { GraphEmulator } from './emulator/graph-emulator.js';

describe('the Graph client middleware', () => {
  let emulator: GraphEmulator;
  let url: string;
  const tokensSeen: (string | null)[] = [];
  const waits: number[] = [];

  beforeEach(async () => {
    tokensSeen.length = 0;
    waits.length = 0;
    emulator = new GraphEmulator({
      authorize: (token) => {
        tokensSeen.push(token);
        return token === 'app-token' ? 200 : 401;
      },
    });
    url = await emulator.listen();
  });

  afterEach(async () => {
    await emulator.close();
  });

  const connection = (timeoutMs?: number) =>
    createGraphConnection({
      baseUrl: url,
      accessToken: () => Promise.resolve('app-token'),
      timeoutMs,
      retry: {
        sleep: (ms) => {
          waits.push(ms);
          return Promise.resolve();
        },
      },
    });
  const site = (): string => `/sites/${encodeURIComponent(emulator.site.id)}`;

  it('sends the token to the configured Graph origin, also over plain http', async () => {
    // The stock AuthenticationHandler attaches tokens to https Graph hosts and custom hosts only.
    await connection().client.api(site()).get();

    expect(tokensSeen).toEqual(['app-token']);
  });

  it('retries a read on 429 after its Retry-After', async () => {
    emulator.fail({ status: 429, retryAfterSeconds: 2, times: 2 });

    await connection().client.api(site()).get();

    expect(waits).toEqual([2000, 2000]);
  });

  it('never retries a write that is not marked idempotent, even on 429', async () => {
    emulator.fail({ status: 429, retryAfterSeconds: 1, times: 1, method: 'POST' });

    await expect(
      connection()
        .client.api(`${site()}/lists`)
        .middlewareOptions([new RetryPolicy(false)])
        .post({ displayName: 'X' }),
    ).rejects.toMatchObject({ statusCode: 429 });
    expect(emulator.site.lists).toHaveLength(0);
    expect(waits).toEqual([]);
  });

  it('retries a write marked idempotent on 503 and 504', async () => {
    emulator.fail({ status: 503, retryAfterSeconds: 1, times: 1, method: 'POST' });
    emulator.fail({ status: 504, times: 1, method: 'POST' });

    await connection()
      .client.api(`${site()}/lists`)
      .middlewareOptions([new RetryPolicy(true)])
      .post({ displayName: 'X' });

    expect(emulator.site.lists.map((l) => l.displayName)).toEqual(['X']);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBe(1000);
  });

  it('gives up a read that hangs after its timeout and sends it again', async () => {
    const hang = emulator.hang({ method: 'GET', times: 1 });

    const site = (await connection(1_000).client.api(`/sites/${emulator.site.id}`).get()) as {
      id: string;
    };

    expect(site.id).toBe(emulator.site.id);
    expect(hang.caught).toBe(1);
    expect(waits).toHaveLength(1);
  });

  it('never sends again a write that hung after it was carried out', async () => {
    const hang = emulator.hang({ method: 'POST', afterWrite: true });

    const failure = await connection(100)
      .client.api(`${site()}/lists`)
      .middlewareOptions([new RetryPolicy(false)])
      .post({ displayName: 'X' })
      .then(
        () => null,
        (e: unknown) => e,
      );

    expect(failure).toBeInstanceOf(GraphTimeoutError);
    expect((failure as Error).message).toMatch(/did not answer POST .*\/lists within 100 ms/);
    expect(emulator.site.lists.map((l) => l.displayName)).toEqual(['X']);
    expect(hang.caught).toBe(1);
    expect(waits).toEqual([]);
  });

  it('answers a held request once it is released, within the timeout', async () => {
    const hang = emulator.hang({ method: 'GET' });
    setTimeout(() => {
      hang.release();
    }, 50);

    await connection(5_000).client.api(site()).get();

    expect(hang.caught).toBe(1);
    expect(waits).toEqual([]);
  });

  it('refuses a timeout that is not a whole number of milliseconds', () => {
    expect(() => connection(0)).toThrow(/timeout must be a whole number/);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-03-02T09:00:00Z');

    expect(retryAfterMs('2.5', now)).toBe(2500);
    expect(retryAfterMs('Mon, 02 Mar 2026 09:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs(null, now)).toBeNull();
  });
});
