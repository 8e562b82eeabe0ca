import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST a webhook receiver got. */
export interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly json: { id: string; type: string; car: { id: string }; [k: string]: unknown };
}

/**
 * A webhook receiver on loopback (port 0): records every POST and answers what `answer` says
 * (a status, or 'hold' to never answer).
 */
export interface CallbackServer {
  readonly url: string;
  readonly received: Received[];
  answer: (r: Received, index: number) => number | 'hold';
  /** Resolves once `predicate` holds for what was received. */
  waitFor(predicate: (received: readonly Received[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCallbackServer(): Promise<CallbackServer> {
  const received: Received[] = [];
  const held: ServerResponse[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const r: Received = {
        headers: req.headers,
        body,
        json: JSON.parse(body) as Received['json'],
      };
      received.push(r);
      const answer = api.answer(r, received.length - 1);
      if (answer === 'hold') held.push(res);
      else res.writeHead(answer).end();
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const api: CallbackServer = {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    answer: () => 200,
    async waitFor(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`callback: condition not met; received ${received.length}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}

/** True when the X-Rectify-Signature header is the HMAC-SHA256 of `<timestamp>.<body>`. */
export function signatureIsValid(r: Received, secret: string): boolean {
  const timestamp = String(r.headers['x-rectify-timestamp'] ?? '');
  const given = Buffer.from(String(r.headers['x-rectify-signature'] ?? ''));
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex')}`,
  );
  return given.length === expected.length && timingSafeEqual(given, expected);
}
