import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { parseTraceparent } from '../../src/http/trace-context.js';
import { startRectify, type RunningRectify } from '../../src/server.js';

/**
 * Request logs carry Application Insights' correlation fields from the W3C `traceparent`
 * header, read from the real log lines of a running Rectify.
 */
const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString('utf8').split('\n'))
      if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  },
});
const dataDir = mkdtempSync(path.join(tmpdir(), 'rectify-trace-'));
let rectify: RunningRectify;

beforeAll(async () => {
  rectify = await startRectify(loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' }), {
    logger: pino({ level: 'info' }, sink),
  });
});
afterAll(async () => {
  await rectify.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const requestLog = async (headers: Record<string, string>) => {
  const res = await fetch(`${rectify.url}/healthz`, { headers });
  expect(res.status).toBe(200);
  for (let i = 0; i < 50; i += 1) {
    const found = lines.find(
      (l) => l.msg === 'request' && l.correlationId === res.headers.get('x-correlation-id'),
    );
    if (found) return { log: found, res };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no request log line');
};

describe('trace context in the logs', () => {
  it("logs the caller's trace id as the operation id and its span as the parent", async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const { log, res } = await requestLog({ traceparent });
    expect(log.operationId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(log.operationParentId).toBe('00f067aa0ba902b7');
    expect(res.headers.get('traceresponse')).toMatch(
      new RegExp(`^00-4bf92f3577b34da6a3ce929d0e0e4736-${String(log.spanId)}-01$`),
    );
  });

  it('starts its own trace when the header is missing or invalid', async () => {
    for (const traceparent of ['', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01']) {
      const { log } = await requestLog(traceparent ? { traceparent } : {});
      expect(log.operationId).toMatch(/^[0-9a-f]{32}$/);
      expect(log.operationId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(log.operationParentId).toBeUndefined();
    }
  });

  it('ignores what the specification calls invalid', () => {
    expect(parseTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeNull();
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01')).toBeNull();
    expect(parseTraceparent('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')).toBeNull();
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentId: '00f067aa0ba902b7',
      sampled: false,
    });
  });
});
