import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import { loadConfig } from '../src/config.js';
import { RectifyError } from '../src/domain/errors.js';
import { startRectify } from '../src/server.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof RectifyError && e.code === 'CONFIG.INVALID')
      return e.details.problems as string[];
    throw e;
  }
  return [];
};

describe('configuration', () => {
  it('starts locally with no settings at all, on port 3978 with data under ./data', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('local');
    expect(config.port).toBe(3978);
    expect(config.databaseFile).toBe(path.resolve('data', 'rectify.db'));
    expect(config.serviceLevels.actionDays.major_nc.corrective).toBe(14);
    expect(config.serviceLevels.actionDays.ofi.preventive).toBe(30);
    expect(config.serviceLevels.effectivenessReviewDays).toBe(30);
  });

  it('refuses production mode without its Entra configuration', () => {
    const problems = problemsOf({ RECTIFY_MODE: 'production' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('AAD_APP_CLIENT_ID'),
        expect.stringContaining('AAD_APP_TENANT_ID'),
      ]),
    );
  });

  it('refuses production mode without the bot credentials', () => {
    const problems = problemsOf({
      RECTIFY_MODE: 'production',
      AAD_APP_CLIENT_ID: 'c',
      AAD_APP_TENANT_ID: 't',
    });
    expect(problems).toEqual([expect.stringContaining('BOT_ID and BOT_PASSWORD')]);
  });

  it('refuses a plain-http authority in production', () => {
    const problems = problemsOf({
      RECTIFY_MODE: 'production',
      AAD_APP_CLIENT_ID: 'c',
      AAD_APP_TENANT_ID: 't',
      AAD_APP_OAUTH_AUTHORITY_HOST: 'http://login.example',
      BOT_ID: 'bot',
      BOT_PASSWORD: 'secret',
    });
    expect(problems).toEqual([expect.stringContaining('https')]);
  });

  it('names every bad setting at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      HOLIDAYS: '2026-02-30',
      WEEKEND_DAYS: '7',
      TIME_ZONE: 'Mars/Base',
    });
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(
      problemsOf({ HOLIDAYS: '2026-02-30,2026-12-25', WEEKEND_DAYS: '7', TIME_ZONE: 'Mars/Base' }),
    ).toHaveLength(3);
  });

  it('takes national-cloud authorities, tenant allow-lists and service levels from the environment', () => {
    const config = loadConfig({
      RECTIFY_MODE: 'production',
      AAD_APP_CLIENT_ID: 'client',
      AAD_APP_TENANT_ID: 'home',
      AAD_APP_ID_URI: 'api://rectify.example/client',
      ALLOWED_TENANT_IDS: 'home, partner',
      AAD_APP_OAUTH_AUTHORITY_HOST: 'https://login.microsoftonline.us/',
      SLA_OFI_DAYS: '20',
      HOLIDAYS: '2026-12-25',
      BOT_ID: 'bot',
      BOT_PASSWORD: 'secret',
    });
    expect(config.auth.authorityHost).toBe('https://login.microsoftonline.us');
    expect(config.auth.allowedTenantIds).toEqual(['home', 'partner']);
    expect(config.auth.audiences).toEqual(['client', 'api://rectify.example/client']);
    expect(config.serviceLevels.actionDays.ofi.corrective).toBe(20);
    expect(config.calendar.holidays).toEqual(['2026-12-25']);
  });

  it('has no /dev routes outside local mode', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'rectify-prod-'));
    const config = loadConfig({
      RECTIFY_MODE: 'production',
      AAD_APP_CLIENT_ID: 'client',
      AAD_APP_TENANT_ID: '11111111-1111-4111-8111-111111111111',
      BOT_ID: '22222222-2222-4222-8222-222222222222',
      BOT_PASSWORD: 'secret',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
    });
    const running = await startRectify(config, { logger: pino({ level: 'silent' }) });
    try {
      expect((await request(running.url).get('/dev/people')).status).toBe(404);
      expect((await request(running.url).post('/dev/token').send({ personId: 'x' })).status).toBe(
        404,
      );
      expect((await request(running.url).get('/dev/issuer/discovery/v2.0/keys')).status).toBe(404);
      expect((await request(running.url).get('/healthz')).status).toBe(200);
    } finally {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
