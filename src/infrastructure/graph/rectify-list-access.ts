import { GraphRequestError } from './graph-client.js';
import { AUDIT_LIST, CARS_LIST, CHECKPOINTS_LIST, SEQUENCES_LIST } from './rectify-lists.js';
import {
  odataString,
  type BatchResult,
  type BatchStep,
  type ListItem,
  type SharePointListClient,
} from './sharepoint-list-client.js';
import { CAR_SELECT } from './car-list-mapper.js';

/**
 * The lists the CAR repository keeps its records in (CARs, audit trail, sequences, checkpoints), and
 * what every part of the repository sends to them: batches, keyed look-ups, paged queries.
 * Deployment problems (missing site, list or permission) are said plainly here.
 */

export interface GraphListIds {
  readonly cars: string;
  readonly audit: string;
  readonly sequences: string;
  readonly checkpoints: string;
}

export const SCAN_PAGE = 200;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Finds the Rectify lists on the site and fails clearly when one is missing. */
export async function resolveRectifyLists(lists: SharePointListClient): Promise<GraphListIds> {
  try {
    await lists.getSite();
  } catch (e) {
    throw explain(e, `the SharePoint site ${lists.siteId}`);
  }
  const find = async (displayName: string): Promise<string> => {
    const found = await lists.findList(displayName).catch((e: unknown) => {
      throw explain(e, `the list '${displayName}'`);
    });
    if (!found)
      throw new Error(
        `The list '${displayName}' does not exist on site ${lists.siteId}: run npm run provision -- --site <site>`,
      );
    return found.id;
  };
  return {
    cars: await find(CARS_LIST.displayName),
    audit: await find(AUDIT_LIST.displayName),
    sequences: await find(SEQUENCES_LIST.displayName),
    checkpoints: await find(CHECKPOINTS_LIST.displayName),
  };
}

/** A deployment problem said plainly: missing site, missing permission. */
export function explain(e: unknown, what: string): unknown {
  if (!(e instanceof GraphRequestError)) return e;
  if (e.status === 404)
    return new Error(`Graph cannot find ${what} (404): check SHAREPOINT_SITE_ID`, { cause: e });
  if (e.status === 401 || e.status === 403)
    return new Error(
      `Rectify may not use ${what} (${e.status}): grant the app Sites.Selected with write access on this site (README, "SharePoint and Microsoft Graph")`,
      { cause: e },
    );
  return e;
}

export class RectifyListAccess {
  constructor(
    readonly lists: SharePointListClient,
    readonly ids: GraphListIds,
  ) {}

  async send(steps: readonly BatchStep[]): Promise<Map<string, BatchResult>> {
    try {
      return await this.lists.batch(steps);
    } catch (e) {
      throw explain(e, `the Rectify lists on site ${this.lists.siteId}`);
    }
  }

  async findOne(
    list: keyof GraphListIds,
    column: string,
    value: string,
    select: readonly string[] = CAR_SELECT,
  ): Promise<ListItem | null> {
    const items = await this.queryAll(list, `fields/${column} eq ${odataString(value)}`, select, 2);
    return items[0] ?? null;
  }

  async queryAll(
    list: keyof GraphListIds,
    filter: string | undefined,
    select: readonly string[],
    top = SCAN_PAGE,
  ): Promise<ListItem[]> {
    const out: ListItem[] = [];
    try {
      for await (const page of this.lists.queryItems(this.ids[list], { filter, select, top }))
        out.push(...page);
    } catch (e) {
      throw explain(e, `the list of ${list}`);
    }
    return out;
  }

  itemsUrl(list: keyof GraphListIds): string {
    return this.lists.listPath(this.ids[list], '/items');
  }

  itemUrl(list: keyof GraphListIds, itemId: string, rest = ''): string {
    return this.lists.listPath(this.ids[list], `/items/${encodeURIComponent(itemId)}${rest}`);
  }
}

/** The ETag a write answered with: `@odata.etag` in the body, else the ETag header. */
export function etagOfResult(result: BatchResult): string | null {
  const body = result.body;
  if (isRecord(body) && typeof body['@odata.etag'] === 'string') return body['@odata.etag'];
  return result.headers.etag ?? null;
}

export function mustHave(results: Map<string, BatchResult>, id: string): BatchResult {
  const r = results.get(id);
  if (!r) throw new Error(`Graph answered no response for batch request ${id}`);
  return r;
}

export function failure(result: BatchResult, what: string): Error {
  const body = result.body;
  const error = isRecord(body) && isRecord(body.error) ? body.error : {};
  const code = typeof error.code === 'string' ? error.code : null;
  const message = typeof error.message === 'string' ? error.message : '';
  const e = new GraphRequestError(
    result.status,
    code,
    `${what}: Graph answered ${result.status} ${code ?? ''} ${message}`.trim(),
  );
  return explain(e, what) as Error;
}
