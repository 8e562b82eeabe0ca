/**
 * `npm run smoke:tenant -- --site <https site URL> [--plan <Planner plan id>]`: settles, on a
 * real tenant, the behaviours Microsoft's documents leave open and the emulator has to guess
 * (hidden fields in a POST answer, the status of a duplicate unique value, the dependsOn shapes
 * Graph takes, date-only rendering, Planner's 409 against 412), and prints what the tenant did
 * next to what the emulator does. It creates its own list (and, with --plan, one task) and
 * removes them. It runs only against an https Graph of Microsoft's clouds, with the app's own
 * credentials (GRAPH_* / AAD_APP_* as for STORE=sharepoint). Exit 0 = ran, 1 = failed,
 * 2 = bad arguments, configuration or target.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, type SharePointStoreConfig } from '../config.js';
import {
  createGraphConnection,
  toGraphRequestError,
  type GraphConnection,
} from '../infrastructure/graph/graph-client.js';
import { tokenSourceFor } from '../infrastructure/graph/open-graph-store.js';
import { resolveSiteId } from '../infrastructure/graph/sharepoint-list-client.js';

/** The environment the configuration is read from (the process's own when not given). */
type Env = Parameters<typeof loadConfig>[0];

const USAGE = 'usage: npm run smoke:tenant -- --site <https site URL> [--plan <Planner plan id>]\n';

/** Microsoft Graph's hosts (global and national clouds): nothing else is a tenant. */
const GRAPH_HOSTS = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
]);

export interface SmokeTarget {
  readonly site: string;
  readonly planId: string | null;
  readonly store: SharePointStoreConfig;
}

/** The target of a smoke run, or an error saying why it may not run. */
export function smokeTargetOf(argv: readonly string[], env?: Env): SmokeTarget {
  const { values } = parseArgs({
    args: [...argv],
    options: { site: { type: 'string' }, plan: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  if (!values.site) throw new Error('--site is required');
  let site: URL;
  try {
    site = new URL(values.site);
  } catch {
    throw new Error(`--site is not a URL: ${values.site}`);
  }
  if (site.protocol !== 'https:' || !/\.sharepoint\.(com|us|cn)$/.test(site.hostname))
    throw new Error(`--site must be an https SharePoint Online site, not ${values.site}`);
  const config = loadConfig(env, { STORE: 'sharepoint', SHAREPOINT_SITE_ID: values.site });
  if (config.store.kind !== 'sharepoint') throw new Error('STORE=sharepoint expected');
  const graph = new URL(config.store.graphBaseUrl);
  if (graph.protocol !== 'https:' || !GRAPH_HOSTS.has(graph.hostname))
    throw new Error(
      `the smoke test runs against Microsoft Graph only (https://${[...GRAPH_HOSTS].join(', https://')}), not ${config.store.graphBaseUrl}`,
    );
  return { site: values.site, planId: values.plan ?? null, store: config.store };
}

interface Row {
  readonly behaviour: string;
  readonly tenant: string;
  readonly emulator: string;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

async function statusOf(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
    return '2xx';
  } catch (e) {
    const failure = toGraphRequestError(e, 'smoke');
    return failure ? String(failure.status) : message(e);
  }
}

async function probe(graph: GraphConnection, target: SmokeTarget): Promise<Row[]> {
  const api = (p: string) => graph.client.api(p);
  const siteId = await resolveSiteId(graph, target.site);
  const site = `/sites/${encodeURIComponent(siteId)}`;
  const list = (await api(`${site}/lists`).post({
    displayName: `Rectify smoke ${randomUUID().slice(0, 8)}`,
    list: { template: 'genericList' },
    columns: [
      { name: 'SmokeKey', text: {}, indexed: true, enforceUniqueValues: true },
      { name: 'SmokeHidden', text: {}, hidden: true },
      { name: 'SmokeDay', dateTime: { format: 'dateOnly' } },
    ],
  })) as { id: string };
  const items = `${site}/lists/${list.id}/items`;
  const rows: Row[] = [];
  try {
    const created = (await api(items).post({
      fields: { SmokeKey: 'a', SmokeHidden: 'h', SmokeDay: '2026-03-01T00:00:00Z' },
    })) as { fields?: Record<string, unknown> };
    rows.push({
      behaviour: 'hidden field in the POST answer',
      tenant: isRecord(created.fields) && 'SmokeHidden' in created.fields ? 'present' : 'left out',
      emulator: 'left out',
    });
    rows.push({
      behaviour: 'date-only 2026-03-01T00:00:00Z as stored',
      tenant: JSON.stringify(created.fields?.SmokeDay ?? null),
      emulator: 'the day in the site time zone, as its midnight in UTC',
    });
    rows.push({
      behaviour: 'duplicate in a unique column',
      tenant: await statusOf(() => api(items).post({ fields: { SmokeKey: 'A' } })),
      emulator: '500',
    });
    const get = { method: 'GET', url: site };
    const batch = (requests: unknown[]) =>
      statusOf(() => api('/$batch').post({ requests }) as Promise<unknown>);
    rows.push({
      behaviour: 'dependsOn: a, b<-a, c (mixed)',
      tenant: await batch([
        { id: 'a', ...get },
        { id: 'b', ...get, dependsOn: ['a'] },
        { id: 'c', ...get },
      ]),
      emulator: '400',
    });
    rows.push({
      behaviour: 'dependsOn: a, b<-a, c<-b (sequential)',
      tenant: await batch([
        { id: 'a', ...get },
        { id: 'b', ...get, dependsOn: ['a'] },
        { id: 'c', ...get, dependsOn: ['b'] },
      ]),
      emulator: '2xx',
    });
    rows.push({
      behaviour: 'list view threshold on the first indexed clause',
      tenant: 'not probed (needs a list of 5,001 items, about 10,000 resource units)',
      emulator: '400 when the first indexed clause matches over 5,000 items',
    });
    if (target.planId !== null) rows.push(...(await plannerRows(graph, target.planId)));
  } finally {
    await api(`${site}/lists/${list.id}`).delete();
  }
  return rows;
}

async function plannerRows(graph: GraphConnection, planId: string): Promise<Row[]> {
  const task = (await graph.client.api('/planner/tasks').post({
    planId,
    title: `Rectify smoke ${randomUUID().slice(0, 8)}`,
  })) as { id: string; '@odata.etag': string };
  const path = `/planner/tasks/${task.id}`;
  const v1 = task['@odata.etag'];
  try {
    await graph.client.api(path).header('If-Match', v1).patch({ title: 'Rectify smoke 2' });
    const conflicting = await statusOf(
      () =>
        graph.client
          .api(path)
          .header('If-Match', v1)
          .patch({ title: 'Rectify smoke 3' }) as Promise<unknown>,
    );
    const other = await statusOf(
      () =>
        graph.client.api(path).header('If-Match', v1).patch({ priority: 1 }) as Promise<unknown>,
    );
    return [
      {
        behaviour: 'Planner: older ETag, conflicting change',
        tenant: conflicting,
        emulator: '409',
      },
      { behaviour: 'Planner: older ETag, other property', tenant: other, emulator: '412' },
    ];
  } finally {
    const current = (await graph.client.api(path).get()) as { '@odata.etag': string };
    await graph.client.api(path).header('If-Match', current['@odata.etag']).delete();
  }
}

function table(rows: readonly Row[]): string {
  const w = [0, 0];
  for (const r of rows) {
    w[0] = Math.max(w[0] ?? 0, r.behaviour.length);
    w[1] = Math.max(w[1] ?? 0, r.tenant.length);
  }
  const line = (a: string, b: string, c: string): string =>
    `${a.padEnd(w[0] ?? 0)} | ${b.padEnd(w[1] ?? 0)} | ${c}\n`;
  return (
    line('behaviour', 'tenant', 'emulator') +
    rows.map((r) => line(r.behaviour, r.tenant, r.emulator)).join('')
  );
}

export async function smokeTenant(argv: readonly string[], env?: Env): Promise<number> {
  let target: SmokeTarget;
  try {
    target = smokeTargetOf(argv, env);
  } catch (e) {
    process.stderr.write(`${message(e)}\n${USAGE}`);
    return 2;
  }
  try {
    const graph = createGraphConnection({
      baseUrl: target.store.graphBaseUrl,
      accessToken: tokenSourceFor(target.store),
    });
    process.stdout.write(table(await probe(graph, target)));
    return 0;
  } catch (e) {
    process.stderr.write(`smoke test failed: ${message(e)}\n`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = await smokeTenant(process.argv.slice(2));
