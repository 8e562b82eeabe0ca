/**
 * The load generator of the HTTP bench, run in a process of its own so that it never shares an
 * event loop with the server it measures. `tsx bench/load-generator.ts <json>` with
 * { url, path, headers, body, clients, requests } sends `requests` POSTs over `clients`
 * concurrent keep-alive connections and prints { latencies (ms, sorted), elapsedMs, failures }.
 */
import { Agent, request } from 'node:http';

interface Plan {
  readonly url: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly clients: number;
  readonly requests: number;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as Plan;
const target = new URL(plan.path, plan.url);
const agent = new Agent({ keepAlive: true, maxSockets: plan.clients });
let key = 0;

function once(): Promise<{ ms: number; ok: boolean }> {
  const payload = JSON.stringify(plan.body);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request(
      target,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': String(Buffer.byteLength(payload)),
          'Idempotency-Key': `bench-${process.pid}-${(key += 1)}`,
          ...plan.headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve({ ms: performance.now() - t0, ok: res.statusCode === 201 });
        });
      },
    );
    req.on('error', () => {
      resolve({ ms: performance.now() - t0, ok: false });
    });
    req.end(payload);
  });
}

const latencies: number[] = [];
let failures = 0;
let left = plan.requests;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: plan.clients }, async () => {
    while (left > 0) {
      left -= 1;
      const { ms, ok } = await once();
      if (ok) latencies.push(ms);
      else failures += 1;
    }
  }),
);
const elapsedMs = performance.now() - t0;
agent.destroy();
latencies.sort((a, b) => a - b);
process.stdout.write(`${JSON.stringify({ latencies, elapsedMs, failures })}\n`);
