import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import { loadConfig, type Config } from '../../src/config.js';
import type { Clock } from '../../src/application/ports/clock.js';
import { SAMPLE_PEOPLE, type SamplePerson } from '../../src/infrastructure/auth/sample-people.js';
import { startRectify, type RunningRectify } from '../../src/server.js';

/** The sample people by the part they play in the tests. */
const byName = (name: string): SamplePerson => {
  const p = SAMPLE_PEOPLE.find((x) => x.name === name);
  if (!p) throw new Error(`no sample person ${name}`);
  return p;
};
export const people = {
  reporter: byName('Alex Morgan'),
  otherReporter: byName('Priya Shah'),
  mr: byName('Jordan Lee'),
  owner: byName('Sam Taylor'),
  otherOwner: byName('Maria Garcia'),
  committee: byName('Chris Walker'),
} as const;
export type Who = keyof typeof people;

export interface Harness {
  readonly rectify: RunningRectify;
  readonly config: Config;
  readonly dataDir: string;
  token(who: Who): Promise<string>;
  /** supertest against the real listening server, signed in as `who`. */
  as(who: Who): Promise<AuthedClient>;
  close(): Promise<void>;
}

export interface AuthedClient {
  get(url: string): request.Test;
  post(url: string, body?: object): request.Test;
  patch(url: string, body?: object): request.Test;
}

/** Starts Rectify in local mode on a free loopback port with its own data folder. */
export async function startHarness(
  env: Record<string, string> = {},
  options: { clock?: Clock } = {},
): Promise<Harness> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rectify-test-'));
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ...env });
  const rectify = await startRectify(config, { ...options, logger: pino({ level: 'silent' }) });
  const tokens = new Map<Who, string>();
  const token = async (who: Who): Promise<string> => {
    const cached = tokens.get(who);
    if (cached) return cached;
    const res = await request(rectify.url).post('/dev/token').send({ personId: people[who].id });
    if (res.status !== 200) throw new Error(`token for ${who}: ${res.status}`);
    const t = (res.body as { access_token: string }).access_token;
    tokens.set(who, t);
    return t;
  };
  return {
    rectify,
    config,
    dataDir,
    token,
    async as(who) {
      const auth = `Bearer ${await token(who)}`;
      return {
        get: (url) => request(rectify.url).get(url).set('Authorization', auth),
        post: (url, body) => {
          const r = request(rectify.url).post(url).set('Authorization', auth);
          return body === undefined ? r : r.send(body);
        },
        patch: (url, body) => {
          const r = request(rectify.url).patch(url).set('Authorization', auth);
          return body === undefined ? r : r.send(body);
        },
      };
    },
    async close() {
      await rectify.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const aReportBody = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'policy_nonconformance',
  relatesTo: ['procedure'],
  source: 'member_report',
  title: 'Visitor badge not returned',
  description: 'A visitor left the server room area without returning the badge.',
  occurredAt: '2026-11-20T09:30:00Z',
  location: 'Reception, level 1',
  affected: 'Physical access control',
  immediateAction: 'Badge deactivated in the access system.',
  confidential: false,
  ...overrides,
});
