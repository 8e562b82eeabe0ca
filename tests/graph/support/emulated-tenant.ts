import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createGraphConnection } from '../../../src/infrastructure/graph/graph-client.js';
import { createMsalTokenSource } from '../../../src/infrastructure/graph/msal-token-source.js';
import { provisionRectifyLists } from '../../../src/infrastructure/graph/provision-lists.js';
import { SharePointListClient } from '../../../src/infrastructure/graph/sharepoint-list-client.js';
import { SharePointViewsClient } from '../../../src/infrastructure/graph/sharepoint-views.js';
import { TEST_AUDIT_KEY } from '../../support/audit-seal.js';
import { GraphEmulator } from '../emulator/graph-emulator.js';
import { plannerOf } from '../emulator/planner-routes.js';
import { selfSigned } from './certificates.js';
import { startTokenEndpoint, type TokenEndpoint } from './token-endpoint.js';

export const EMULATED_TENANT_ID = '7d2f6c1e-5f0a-4c3b-9a59-2b1f3e4d5c6a';
export const EMULATED_CLIENT_ID = 'b0c4e2a1-93f7-4d6e-8a2b-1c3d5e7f9a0b';

/**
 * A whole emulated Microsoft 365 for the SharePoint store: the Graph emulator that accepts only
 * tokens from a local HTTPS token endpoint, an app certificate registered there, and the lists
 * provisioned through the real provisioning code and msal-node sign-in. `env` is what Rectify
 * needs to run against it with STORE=sharepoint and TASK_BOARD=planner (one empty plan).
 */
export interface EmulatedTenant {
  readonly emulator: GraphEmulator;
  readonly endpoint: TokenEndpoint;
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export async function startEmulatedTenant(options: {
  readonly dir: string;
  readonly graphPort?: number;
  readonly provision?: boolean;
}): Promise<EmulatedTenant> {
  mkdirSync(options.dir, { recursive: true });
  const app = selfSigned('rectify-graph-app');
  const endpoint = await startTokenEndpoint({
    tenantId: EMULATED_TENANT_ID,
    clientId: EMULATED_CLIENT_ID,
    certificatePem: app.certPem,
  });
  const emulator = new GraphEmulator({
    authorize: (token) => (token !== null && endpoint.issued.has(token) ? 200 : 401),
  });
  const graphUrl = await emulator.listen(options.graphPort ?? 0);
  const certificatePath = path.join(options.dir, 'graph-app.pem');
  const caPath = path.join(options.dir, 'authority-ca.pem');
  writeFileSync(certificatePath, `${app.keyPem}\n${app.certPem}`, { mode: 0o600 });
  writeFileSync(caPath, endpoint.caPem);
  if (options.provision !== false) {
    const source = createMsalTokenSource({
      tenantId: EMULATED_TENANT_ID,
      clientId: EMULATED_CLIENT_ID,
      authorityHost: endpoint.authorityHost,
      graphBaseUrl: graphUrl,
      certificatePem: `${app.keyPem}\n${app.certPem}`,
      authorityCaPem: endpoint.caPem,
    });
    const lists = new SharePointListClient(
      createGraphConnection({ baseUrl: graphUrl, accessToken: source }),
      emulator.site.id,
    );
    const views = new SharePointViewsClient(
      emulator.webUrl,
      createMsalTokenSource({
        tenantId: EMULATED_TENANT_ID,
        clientId: EMULATED_CLIENT_ID,
        authorityHost: endpoint.authorityHost,
        graphBaseUrl: graphUrl,
        resource: emulator.webUrl,
        certificatePem: `${app.keyPem}\n${app.certPem}`,
        authorityCaPem: endpoint.caPem,
      }),
    );
    await provisionRectifyLists(lists, { views });
  }
  // One Planner plan for the corrective actions and training tasks.
  const plan = plannerOf(emulator).addPlan();
  return {
    emulator,
    endpoint,
    env: {
      STORE: 'sharepoint',
      SHAREPOINT_SITE_ID: emulator.site.id,
      GRAPH_BASE_URL: graphUrl,
      GRAPH_CLIENT_ID: EMULATED_CLIENT_ID,
      GRAPH_TENANT_ID: EMULATED_TENANT_ID,
      GRAPH_AUTHORITY_HOST: endpoint.authorityHost,
      GRAPH_CERTIFICATE_PATH: certificatePath,
      GRAPH_AUTHORITY_CA_PATH: caPath,
      TASK_BOARD: 'planner',
      PLANNER_PLAN_ID: plan.id,
      AUDIT_KEY: TEST_AUDIT_KEY,
    },
    async close() {
      await emulator.close();
      await endpoint.close();
    },
  };
}
