import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { isLoopbackHost, loadConfig } from '../../src/config.js';
import { startRectify } from '../../src/server.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const dataDir = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'rectify-bind-'));
  dirs.push(d);
  return d;
};

/** The machine's first address that is not loopback, if it has one. */
const outsideAddress = (): string | undefined =>
  Object.values(networkInterfaces())
    .flat()
    .find((i) => i !== undefined && !i.internal && i.family === 'IPv4')?.address;

const reachable = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });

describe('where local mode listens', () => {
  it('listens on loopback only when HOST is not set', async () => {
    const config = loadConfig({ DATA_DIR: dataDir(), PORT: '0', LOG_LEVEL: 'silent' });
    expect(config.hosts).toEqual(['127.0.0.1', '::1']);
    const rectify = await startRectify(config, { logger: pino({ level: 'silent' }) });
    try {
      const addresses = rectify.servers.map((s) => (s.address() as AddressInfo).address);
      expect(addresses).toContain('127.0.0.1');
      expect(addresses.every(isLoopbackHost)).toBe(true);
      const { port } = rectify.server.address() as AddressInfo;
      expect(await reachable('127.0.0.1', port)).toBe(true);
      const outside = outsideAddress();
      if (outside !== undefined) expect(await reachable(outside, port)).toBe(false);
    } finally {
      await rectify.close();
    }
  });

  it('refuses a non-loopback HOST in local mode without LOCAL_MODE_EXPOSE=true', () => {
    for (const HOST of ['0.0.0.0', '::', '192.168.1.20'])
      expect(() => loadConfig({ DATA_DIR: dataDir(), HOST })).toThrow(/LOCAL_MODE_EXPOSE=true/);
    expect(loadConfig({ DATA_DIR: dataDir(), HOST: '127.0.0.2' }).hosts).toEqual(['127.0.0.2']);
  });

  it('listens where HOST says with LOCAL_MODE_EXPOSE=true, and warns that anyone can sign in', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const config = loadConfig({
      DATA_DIR: dataDir(),
      PORT: '0',
      HOST: '0.0.0.0',
      LOCAL_MODE_EXPOSE: 'true',
    });
    const rectify = await startRectify(config, { logger });
    try {
      expect((rectify.server.address() as AddressInfo).address).toBe('0.0.0.0');
      expect(lines.join('\n')).toMatch(/anyone who reaches this port can sign in as anyone/);
    } finally {
      await rectify.close();
    }
  });

  it('keeps every interface as the default of production mode', () => {
    const config = loadConfig({
      RECTIFY_MODE: 'production',
      DATA_DIR: dataDir(),
      AAD_APP_CLIENT_ID: '11111111-1111-4111-8111-111111111111',
      AAD_APP_TENANT_ID: '33333333-3333-4333-8333-333333333333',
      BOT_ID: '22222222-2222-4222-8222-222222222222',
      BOT_PASSWORD: 'secret',
    });
    expect(config.hosts).toEqual(['0.0.0.0']);
    expect(config.localModeExposed).toBe(false);
  });
});
