import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Express } from 'express';
import { pino } from 'pino';
import { problemHandler } from '../../../src/http/problem.js';
import { LocalIssuer } from '../../../src/infrastructure/auth/local-issuer.js';
import { LOCAL_TENANT_ID } from '../../../src/infrastructure/auth/sample-people.js';

/** A real loopback HTTP server with the local issuer mounted under /issuer. */
export interface IssuerServer {
  readonly app: Express;
  /** The issuer currently mounted; replaced by recreateIssuer(). */
  readonly issuer: LocalIssuer;
  /** http://127.0.0.1:<port> */
  readonly baseUrl: string;
  /** The authority host the validator is given: <baseUrl>/issuer */
  readonly authorityHost: string;
  /** Paths of every request the server saw, in order. */
  readonly requests: string[];
  /** While true, OpenID metadata requests answer 503. */
  failMetadata: boolean;
  /** Builds a new issuer from the same options (as a restart would) and mounts it instead. */
  recreateIssuer(): Promise<void>;
  close(): Promise<void>;
}

export async function startIssuerServer(
  options: { keyFile?: string; tenantId?: string } = {},
): Promise<IssuerServer> {
  let baseUrl = '';
  const createIssuer = (): Promise<LocalIssuer> =>
    LocalIssuer.create({
      tenantId: options.tenantId ?? LOCAL_TENANT_ID,
      authorityHost: () => `${baseUrl}/issuer`,
      ...(options.keyFile === undefined ? {} : { keyFile: options.keyFile }),
    });
  const first = await createIssuer();
  const state = { failMetadata: false, issuer: first, router: first.router() };
  const app = express();
  const requests: string[] = [];
  app.use((req, res, next) => {
    requests.push(req.path);
    if (state.failMetadata && req.path.endsWith('/.well-known/openid-configuration')) {
      res.status(503).json({ error: 'temporarily_unavailable' });
      return;
    }
    next();
  });
  app.use('/issuer', (req, res, next) => {
    state.router(req, res, next);
  });
  app.use(problemHandler(pino({ level: 'silent' })));

  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    app,
    get issuer() {
      return state.issuer;
    },
    baseUrl,
    authorityHost: `${baseUrl}/issuer`,
    requests,
    get failMetadata() {
      return state.failMetadata;
    },
    set failMetadata(value: boolean) {
      state.failMetadata = value;
    },
    async recreateIssuer() {
      state.issuer = await createIssuer();
      state.router = state.issuer.router();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => {
          if (e) reject(e);
          else resolve();
        });
        // fetch keeps connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
}
