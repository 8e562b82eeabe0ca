import { testSeal } from '../support/audit-seal.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createGraphConnection } from '../../src/infrastructure/graph/graph-client.js';
import {
  GraphListCarRepository,
  resolveRectifyLists,
} from '../../src/infrastructure/graph/graph-list-car-repository.js';
import { createMsalTokenSource } from '../../src/infrastructure/graph/msal-token-source.js';
import { provisionRectifyLists } from '../../src/infrastructure/graph/provision-lists.js';
import { SharePointListClient } from '../../src/infrastructure/graph/sharepoint-list-client.js';
import { storeCarInState } from '../support/car-mother.js';
import { GraphEmulator } from './emulator/graph-emulator.js';
import { selfSigned } from './support/certificates.js';
import { startTokenEndpoint, type TokenEndpoint } from './support/token-endpoint.js';

const TENANT = '7d2f6c1e-5f0a-4c3b-9a59-2b1f3e4d5c6a';
const CLIENT = 'b0c4e2a1-93f7-4d6e-8a2b-1c3d5e7f9a0b';
const SECRET = 'a-client-secret-for-tests';

describe('Graph access with msal-node client credentials', () => {
  const appCertificate = selfSigned('rectify-graph');
  let endpoint: TokenEndpoint;
  let emulator: GraphEmulator;
  let graphUrl: string;

  beforeAll(async () => {
    endpoint = await startTokenEndpoint({
      tenantId: TENANT,
      clientId: CLIENT,
      clientSecret: SECRET,
      certificatePem: appCertificate.certPem,
    });
    emulator = new GraphEmulator({
      authorize: (token) => (token !== null && endpoint.issued.has(token) ? 200 : 401),
    });
    graphUrl = await emulator.listen();
  });

  afterAll(async () => {
    await emulator.close();
    await endpoint.close();
  });

  const connect = (source: () => Promise<string>): SharePointListClient =>
    new SharePointListClient(
      createGraphConnection({ baseUrl: graphUrl, accessToken: source }),
      emulator.site.id,
    );

  it('signs in with the certificate, caches the token and stores CARs', async () => {
    const source = createMsalTokenSource({
      tenantId: TENANT,
      clientId: CLIENT,
      authorityHost: endpoint.authorityHost,
      graphBaseUrl: graphUrl,
      certificatePem: `${appCertificate.keyPem}\n${appCertificate.certPem}`,
      authorityCaPem: endpoint.caPem,
    });
    const lists = connect(source);
    const before = endpoint.requests.length;

    await provisionRectifyLists(lists);
    const repository = new GraphListCarRepository(
      lists,
      await resolveRectifyLists(lists),
      testSeal(),
    );
    const stored = await storeCarInState(repository, 'investigating');

    expect(stored.car.number).toBe('CAR-2026-0001');
    const mine = endpoint.requests.slice(before);
    expect(mine).toEqual([
      {
        grant: 'client_credentials',
        method: 'certificate',
        scope: expect.stringContaining('/.default'),
      },
    ]);
    expect(emulator.log.filter((r) => !r.inner).every((r) => r.status < 400)).toBe(true);
  });

  it('falls back to a client secret', async () => {
    const source = createMsalTokenSource({
      tenantId: TENANT,
      clientId: CLIENT,
      authorityHost: endpoint.authorityHost,
      graphBaseUrl: graphUrl,
      clientSecret: SECRET,
      authorityCaPem: endpoint.caPem,
    });

    const token = await source();

    expect(endpoint.issued.has(token)).toBe(true);
    expect(endpoint.requests.at(-1)?.method).toBe('secret');
  });

  it('refuses a wrong secret, and Graph without a token answers 401', async () => {
    const source = createMsalTokenSource({
      tenantId: TENANT,
      clientId: CLIENT,
      authorityHost: endpoint.authorityHost,
      graphBaseUrl: graphUrl,
      clientSecret: 'wrong',
      authorityCaPem: endpoint.caPem,
    });

    await expect(source()).rejects.toThrow(/invalid_client|7000215/);
    await expect(connect(() => Promise.resolve('forged')).getSite()).rejects.toMatchObject({
      status: 401,
    });
  });
});
