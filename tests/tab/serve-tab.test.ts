import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FRAME_ANCESTORS } from '../../src/http/app.js';
import { startHarness, type Harness } from '../support/rectify-harness.js';
import { ensureTabBuilt } from './support/build-tab.js';

/** How the server hands out the built tab: headers, caching, and the client-route fallback. */
let h: Harness;

beforeAll(async () => {
  await ensureTabBuilt();
  h = await startHarness();
}, 240_000);

afterAll(async () => {
  await h.close();
});

const html = (url: string) => request(h.rectify.url).get(url).set('Accept', 'text/html');

describe('serving the tab', () => {
  it('serves index.html at / uncached, with CSP frame-ancestors and no inline script', async () => {
    const res = await html('/');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/html');
    expect(res.headers['cache-control']).toBe('no-cache');
    const csp = res.headers['content-security-policy'] ?? '';
    expect(csp).toContain(`frame-ancestors ${FRAME_ANCESTORS.join(' ')}`);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toContain('*;');
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
  });

  it('caches hashed assets for a year', async () => {
    const asset = readdirSync(path.resolve('dist/tab/assets')).find((f) => f.endsWith('.js'));
    const res = await request(h.rectify.url).get(`/assets/${asset ?? ''}`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.type).toBe('text/javascript');
  });

  it('answers client routes with index.html', async () => {
    for (const route of ['/my-reports', '/queue', '/cars/CAR-2026-0001', '/committee']) {
      const res = await html(route);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<div id="root">');
    }
  });

  it('never answers the API, the local-mode routes or the health check with the page', async () => {
    await expect(html('/api/nothing-here').then((r) => r.status)).resolves.toBe(401);
    const dev = await html('/dev/nothing-here');
    expect(dev.status).toBe(404);
    expect(dev.type).toBe('application/problem+json');
    const health = await html('/healthz/more');
    expect(health.status).toBe(404);
    expect(health.type).toBe('application/problem+json');
    const missing = await request(h.rectify.url).get('/assets/missing-file.js');
    expect(missing.status).toBe(404);
  });
});
