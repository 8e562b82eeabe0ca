/**
 * `npm run start:sharepoint`: the whole product on emulated Microsoft Graph. Starts the emulated
 * tenant (see scripts/graph-emulator.ts) and Rectify with STORE=sharepoint against it, in local
 * mode otherwise (built-in sign-in, sample people, the tab and the bot as with `npm start`).
 * The procedure folder (PROCEDURES_DIR, ./procedures by default) is uploaded to a document
 * library of the emulated site, which Rectify then reads as its procedure library.
 */
import path from 'node:path';
import { commandWithoutOptions } from '../src/cli/cli-args.js';
import { loadConfig } from '../src/config.js';
import { startRectify } from '../src/server.js';
import { startEmulatedTenant } from '../tests/graph/support/emulated-tenant.js';
import { uploadFolderToLibrary } from '../tests/graph/support/procedure-drive.js';

commandWithoutOptions(
  'usage: npm run start:sharepoint\n  Rectify with STORE=sharepoint on the emulated tenant (GRAPH_EMULATOR_PORT, DATA_DIR)\n',
);
const port = Number(process.env.GRAPH_EMULATOR_PORT ?? '5055');
const dir = path.resolve(process.env.DATA_DIR ?? 'data', 'emulated-tenant');

const tenant = await startEmulatedTenant({ dir, graphPort: port });
const libraryName = process.env.PROCEDURE_LIBRARY_NAME ?? 'ISMS Procedures';
uploadFolderToLibrary(
  tenant.emulator,
  path.resolve(process.env.PROCEDURES_DIR ?? 'procedures'),
  libraryName,
);
const rectify = await startRectify(
  loadConfig(process.env, { ...tenant.env, PROCEDURE_LIBRARY_NAME: libraryName }),
);
rectify.logger.info(
  { graph: tenant.env.GRAPH_BASE_URL, site: tenant.env.SHAREPOINT_SITE_ID, libraryName },
  'Rectify runs on the emulated SharePoint site (its lists live in memory until you stop)',
);
const stop = (): void => {
  void rectify
    .close()
    .then(() => tenant.close())
    .then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
