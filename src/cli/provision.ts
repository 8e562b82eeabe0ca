/**
 * `npm run provision -- --site <site URL or id>`: creates or updates the Rectify lists on a
 * SharePoint site through Microsoft Graph, with the app's own credentials (the same
 * GRAPH_* / AAD_APP_* settings as STORE=sharepoint). Safe to run again: a second run changes
 * nothing. Exit 0 = done, 1 = failed, 2 = bad arguments or configuration.
 */
import { parseArgs } from 'node:util';
import { answeredHelp } from './cli-args.js';
import { loadConfig, type SharePointStoreConfig } from '../config.js';
import { createGraphConnection } from '../infrastructure/graph/graph-client.js';
import { tokenSourceFor } from '../infrastructure/graph/open-graph-store.js';
import { provisionRectifyLists } from '../infrastructure/graph/provision-lists.js';
import { CARS_LIST } from '../infrastructure/graph/rectify-lists.js';
import {
  SharePointListClient,
  resolveSiteId,
} from '../infrastructure/graph/sharepoint-list-client.js';
import { SharePointViewsClient } from '../infrastructure/graph/sharepoint-views.js';

const USAGE = 'usage: npm run provision -- --site <site URL or site id>\n';
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function provision(argv: readonly string[]): Promise<number> {
  if (answeredHelp(argv, USAGE)) return 0;
  let store: SharePointStoreConfig;
  let site: string;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { site: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    if (!values.site) throw new Error('--site is required');
    site = values.site;
    const config = loadConfig(undefined, { STORE: 'sharepoint', SHAREPOINT_SITE_ID: site });
    if (config.store.kind !== 'sharepoint') throw new Error('STORE=sharepoint expected');
    store = config.store;
  } catch (e) {
    process.stderr.write(`${message(e)}\n${USAGE}`);
    return 2;
  }
  try {
    const graph = createGraphConnection({
      baseUrl: store.graphBaseUrl,
      accessToken: tokenSourceFor(store),
    });
    const siteId = await resolveSiteId(graph, site);
    const lists = new SharePointListClient(graph, siteId);
    const webUrl = (await lists.getSite()).webUrl;
    // SharePoint REST (views) takes app-only tokens from a certificate only.
    const views =
      store.certificatePath && typeof webUrl === 'string'
        ? new SharePointViewsClient(webUrl, tokenSourceFor(store, webUrl))
        : undefined;
    const result = await provisionRectifyLists(lists, { views });
    for (const step of result.steps)
      process.stdout.write(
        `${step.action}: ${step.list}${step.column ? ` / ${step.column}` : ''}${step.view ? ` / ${step.view}` : ''}\n`,
      );
    process.stdout.write(
      result.steps.length === 0
        ? `nothing to change on site ${siteId}\n`
        : `${result.steps.length} change(s) on site ${siteId}\n`,
    );
    process.stdout.write(`SHAREPOINT_SITE_ID=${siteId}\n`);
    if (!views)
      process.stdout.write(
        `The committee views of '${CARS_LIST.displayName}' need SharePoint REST, which takes a certificate, not a secret: create them by hand (README, "SharePoint and Microsoft Graph").\n`,
      );
    return 0;
  } catch (e) {
    process.stderr.write(`provisioning failed: ${message(e)}\n`);
    return 1;
  }
}

process.exitCode = await provision(process.argv.slice(2));
