/**
 * Compression: the tab's files go out as the build compressed them (brotli, gzip), JSON answers
 * are compressed per request, and downloads that are compressed already (XLSX, PDF) never are.
 * Raw bytes are read with node:http, which decodes nothing, and decoded here.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { get, type IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from '../support/rectify-harness.js';
import { ensureTabBuilt } from '../tab/support/build-tab.js';

let h: Harness;
let asset: string;

beforeAll(async () => {
  await ensureTabBuilt();
  h = await startHarness();
  const dir = path.resolve('dist/tab/assets');
  // The largest script: surely over the 1 KiB below which nothing is compressed.
  asset = readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .sort(
      (a, b) => readFileSync(path.join(dir, b)).length - readFileSync(path.join(dir, a)).length,
    )[0] as string;
}, 240_000);

afterAll(async () => {
  await h.close();
});

function raw(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(`${h.rectify.url}${url}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

const decoded = (encoding: string | undefined, body: Buffer): Buffer =>
  encoding === 'br' ? brotliDecompressSync(body) : encoding === 'gzip' ? gunzipSync(body) : body;

describe('compression', () => {
  it('sends a tab script precompressed with brotli to a client that accepts it, same bytes decoded', async () => {
    const original = readFileSync(path.resolve('dist/tab/assets', asset));
    const res = await raw(`/assets/${asset}`, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.body.length).toBeLessThan(original.length / 2);
    expect(decoded('br', res.body).equals(original)).toBe(true);
    // The precompressed file itself, not a per-request compression of the script.
    expect(res.body.equals(readFileSync(path.resolve('dist/tab/assets', `${asset}.br`)))).toBe(
      true,
    );
  });

  it('falls back to gzip, and to the plain file for a client that accepts neither', async () => {
    const original = readFileSync(path.resolve('dist/tab/assets', asset));
    const gz = await raw(`/assets/${asset}`, { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(decoded('gzip', gz.body).equals(original)).toBe(true);
    const plain = await raw(`/assets/${asset}`, { 'Accept-Encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/Accept-Encoding/i);
    expect(plain.body.equals(original)).toBe(true);
    const refused = await raw(`/assets/${asset}`, { 'Accept-Encoding': 'br;q=0, gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body.equals(original)).toBe(true);
  });

  it('compresses a JSON answer per request and leaves a small one alone', async () => {
    const doc = await raw('/api/openapi.json', { 'Accept-Encoding': 'gzip' });
    expect(doc.status).toBe(200);
    expect(doc.headers['content-encoding']).toBe('gzip');
    expect(doc.headers['content-type']).toMatch(/^application\/json/);
    const parsed = JSON.parse(decoded('gzip', doc.body).toString('utf8')) as { openapi?: string };
    expect(parsed.openapi).toMatch(/^3\./);
    const br = await raw('/api/openapi.json', { 'Accept-Encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(JSON.parse(decoded('br', br.body).toString('utf8'))).toEqual(parsed);
    const health = await raw('/healthz', { 'Accept-Encoding': 'gzip, br' });
    expect(health.status).toBe(200);
    expect(health.headers['content-encoding']).toBeUndefined();
  });

  it('never compresses an XLSX or PDF download again', async () => {
    const token = await h.token('committee');
    const xlsx = await raw('/api/exports/register.xlsx', {
      'Accept-Encoding': 'gzip, br',
      Authorization: `Bearer ${token}`,
    });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-type']).toMatch(/spreadsheetml/);
    expect(xlsx.headers['content-encoding']).toBeUndefined();
    expect(xlsx.body.subarray(0, 2).toString('latin1')).toBe('PK');
    const csv = await raw('/api/exports/register.csv', {
      'Accept-Encoding': 'gzip',
      Authorization: `Bearer ${token}`,
    });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
  });
});
