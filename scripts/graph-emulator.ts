/**
 * `npm run emulator`: an emulated Microsoft 365 tenant on loopback for STORE=sharepoint: the
 * Graph emulator (SharePoint lists, $batch, faults), a local HTTPS token endpoint for msal-node,
 * an app certificate, and the Rectify lists provisioned. Prints the settings Rectify needs.
 * Faults and latency: POST /_emulator/faults {"status":429,"retryAfterSeconds":2,"times":5},
 * POST /_emulator/latency {"ms":100}, GET /_emulator/counts, POST /_emulator/reset.
 */
import path from 'node:path';
import { pino } from 'pino';
import { commandWithoutOptions } from '../src/cli/cli-args.js';
import { startEmulatedTenant } from '../tests/graph/support/emulated-tenant.js';

commandWithoutOptions(
  'usage: npm run emulator\n  an emulated Microsoft 365 tenant on loopback (GRAPH_EMULATOR_PORT, DATA_DIR)\n',
);
const logger = pino({ base: { app: 'graph-emulator' } });
const port = Number(process.env.GRAPH_EMULATOR_PORT ?? '5055');
const dir = path.resolve(process.env.DATA_DIR ?? 'data', 'emulated-tenant');

const tenant = await startEmulatedTenant({ dir, graphPort: port });
logger.info(
  { graph: tenant.env.GRAPH_BASE_URL, authority: tenant.env.GRAPH_AUTHORITY_HOST },
  'emulated tenant ready',
);
process.stdout.write(
  `${Object.entries(tenant.env)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`,
);
const stop = (): void => {
  void tenant.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
