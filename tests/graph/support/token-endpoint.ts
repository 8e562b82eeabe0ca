import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { importX509, jwtVerify, type JWTHeaderParameters } from 'jose';
import { selfSigned, type SelfSigned } from './certificates.js';

/**
 * A local HTTPS stand-in for the Entra token endpoint, client credentials only: it checks the
 * client secret or the client assertion (a JWT signed with the app's certificate, as msal-node
 * builds it) and hands out opaque tokens that the Graph emulator can check.
 */
export interface TokenEndpoint {
  /** https://127.0.0.1:port, the authority host. */
  readonly authorityHost: string;
  /** The CA (here: the server's own self-signed certificate) a client must trust. */
  readonly caPem: string;
  readonly issued: Set<string>;
  readonly requests: { grant: string; method: 'secret' | 'certificate'; scope: string }[];
  close(): Promise<void>;
}

export interface AppRegistration {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  /** The public certificate registered on the app. */
  readonly certificatePem?: string;
}

export async function startTokenEndpoint(app: AppRegistration): Promise<TokenEndpoint> {
  const tls: SelfSigned = selfSigned();
  const issued = new Set<string>();
  const requests: TokenEndpoint['requests'] = [];
  let authorityHost = '';
  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const answer = (status: number, body: object): void => {
          res.writeHead(status, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        const tokenPath = `/${app.tenantId}/oauth2/v2.0/token`;
        if (req.method !== 'POST' || new URL(req.url ?? '/', 'https://x').pathname !== tokenPath) {
          answer(404, {
            error: 'not_found',
            error_description: `${req.method ?? ''} ${req.url ?? ''}`,
          });
          return;
        }
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const grant = form.get('grant_type') ?? '';
        const scope = form.get('scope') ?? '';
        if (grant !== 'client_credentials' || form.get('client_id') !== app.clientId) {
          answer(400, { error: 'invalid_request', error_description: 'client credentials only' });
          return;
        }
        let method: 'secret' | 'certificate';
        const assertion = form.get('client_assertion');
        if (assertion !== null && app.certificatePem) {
          const cert = app.certificatePem;
          try {
            await jwtVerify(
              assertion,
              (header: JWTHeaderParameters) => importX509(cert, header.alg),
              {
                issuer: app.clientId,
                subject: app.clientId,
                audience: `${authorityHost}${tokenPath}`,
                // Entra accepts a few minutes of clock skew.
                clockTolerance: 300,
              },
            );
          } catch (e) {
            answer(401, {
              error: 'invalid_client',
              error_description: `AADSTS700027: ${String(e)}`,
            });
            return;
          }
          method = 'certificate';
        } else if (
          app.clientSecret !== undefined &&
          form.get('client_secret') === app.clientSecret
        ) {
          method = 'secret';
        } else {
          answer(401, {
            error: 'invalid_client',
            error_description: 'AADSTS7000215: Invalid client secret provided.',
          });
          return;
        }
        requests.push({ grant, method, scope });
        const token = randomBytes(24).toString('base64url');
        issued.add(token);
        answer(200, {
          token_type: 'Bearer',
          expires_in: 3599,
          ext_expires_in: 3599,
          access_token: token,
        });
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
    server.once('error', reject);
  });
  authorityHost = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    authorityHost,
    caPem: tls.certPem,
    issued,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
