import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  createGraphConnection,
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

  const connection = () =>
    createGraphConnection({
      baseUrl: url,
      accessToken: () => Promise.resolve('app-token'),
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

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-03-02T09:00:00Z');

    expect(retryAfterMs('2.5', now)).toBe(2500);
    expect(retryAfterMs('Mon, 02 Mar 2026 09:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs(null, now)).toBeNull();
  });
});
