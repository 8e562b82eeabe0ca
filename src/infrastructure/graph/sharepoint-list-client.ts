import {
  RetryPolicy,
  backoffMs,
  toGraphRequestError,
  GraphRequestError,
  type GraphConnection,
} from './graph-client.js';

/**
 * SharePoint lists through Graph, as the adapters need them: items with `fields`, queries that
 * follow `@odata.nextLink`, If-Match updates, and `$batch` in chunks of at most 20 whose
 * throttled inner requests are sent again after their own Retry-After.
 */

export type Fields = Readonly<Record<string, unknown>>;

export interface ListItem {
  readonly id: string;
  readonly etag: string;
  readonly fields: Fields;
}

export interface ItemQuery {
  /** An OData filter on `fields/...`, only on indexed columns. */
  readonly filter?: string | undefined;
  readonly orderBy?: readonly { readonly field: string; readonly desc: boolean }[] | undefined;
  readonly select: readonly string[];
  readonly top?: number | undefined;
}

export interface BatchStep {
  readonly id: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the Graph version root, starting with /sites/... */
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly dependsOn?: readonly string[] | undefined;
}

export interface BatchResult {
  readonly id: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export const MAX_BATCH_REQUESTS = 20;
const COLUMN_SELECT = 'id,name,displayName,indexed,enforceUniqueValues,hidden';
const MAX_INNER_RETRIES = 6;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string literal for an OData filter. */
export const odataString = (value: string): string => `'${value.replace(/'/g, "''")}'`;

export function itemOf(json: unknown): ListItem {
  if (!isRecord(json) || typeof json.id !== 'string' || !isRecord(json.fields))
    throw new Error('Graph returned a list item without id or fields');
  const etag = json['@odata.etag'] ?? json.eTag ?? json.fields['@odata.etag'];
  if (typeof etag !== 'string') throw new Error(`list item ${json.id} came without an ETag`);
  return { id: json.id, etag, fields: json.fields };
}

/**
 * A site id from what an administrator has at hand: the id itself
 * (`contoso.sharepoint.com,{guid},{guid}`) or the site URL (`https://contoso.sharepoint.com/sites/isms`).
 */
export async function resolveSiteId(graph: GraphConnection, site: string): Promise<string> {
  if (!/^https?:\/\//.test(site)) return site;
  const url = new URL(site);
  const path = url.pathname.replace(/\/+$/, '');
  try {
    const json = (await graph.client.api(`/sites/${url.host}:${path}`).get()) as unknown;
    if (!isRecord(json) || typeof json.id !== 'string') throw new Error(`no site id for ${site}`);
    return json.id;
  } catch (e) {
    throw toGraphRequestError(e, `looking up the site ${site}`) ?? e;
  }
}

export class SharePointListClient {
  constructor(
    private readonly graph: GraphConnection,
    readonly siteId: string,
  ) {}

  private sitePath(rest = ''): string {
    return `/sites/${encodeURIComponent(this.siteId)}${rest}`;
  }

  listPath(listId: string, rest = ''): string {
    return this.sitePath(`/lists/${encodeURIComponent(listId)}${rest}`);
  }

  async getSite(): Promise<Record<string, unknown>> {
    return this.call(
      'reading the SharePoint site',
      () => this.graph.client.api(this.sitePath()).get() as Promise<Record<string, unknown>>,
    );
  }

  /** The list with this display name, or null. */
  async findList(displayName: string): Promise<{ id: string; displayName: string } | null> {
    const filter = encodeURIComponent(`displayName eq ${odataString(displayName)}`);
    const json = await this.call(
      `looking up list ${displayName}`,
      () =>
        this.graph.client.api(this.sitePath(`/lists?$filter=${filter}`)).get() as Promise<unknown>,
    );
    const first = isRecord(json) && Array.isArray(json.value) ? (json.value[0] as unknown) : null;
    if (!isRecord(first) || typeof first.id !== 'string') return null;
    return { id: first.id, displayName };
  }

  async createList(body: Record<string, unknown>): Promise<{ id: string }> {
    const json = await this.call(
      `creating list ${String(body.displayName)}`,
      () =>
        this.graph.client
          .api(this.sitePath('/lists'))
          .middlewareOptions([new RetryPolicy(false)])
          .post(body) as Promise<unknown>,
    );
    if (!isRecord(json) || typeof json.id !== 'string')
      throw new Error('Graph created a list without id');
    return { id: json.id };
  }

  /**
   * The list's columns, hidden ones included: Graph lists a hidden column only when `$select`
   * names `hidden` (https://learn.microsoft.com/en-us/graph/api/resources/columndefinition).
   */
  async columns(listId: string): Promise<Record<string, unknown>[]> {
    const json = await this.call(
      'reading list columns',
      () =>
        this.graph.client
          .api(this.listPath(listId, `/columns?$select=${COLUMN_SELECT}`))
          .get() as Promise<unknown>,
    );
    return isRecord(json) && Array.isArray(json.value)
      ? (json.value as Record<string, unknown>[])
      : [];
  }

  async addColumn(listId: string, column: Record<string, unknown>): Promise<void> {
    await this.call(
      `adding column ${String(column.name)}`,
      () =>
        this.graph.client
          .api(this.listPath(listId, '/columns'))
          .middlewareOptions([new RetryPolicy(false)])
          .post(column) as Promise<unknown>,
    );
  }

  async updateColumn(
    listId: string,
    columnId: string,
    changes: Record<string, unknown>,
  ): Promise<void> {
    await this.call(
      `updating column ${columnId}`,
      () =>
        this.graph.client
          .api(this.listPath(listId, `/columns/${encodeURIComponent(columnId)}`))
          .middlewareOptions([new RetryPolicy(true)])
          .patch(changes) as Promise<unknown>,
    );
  }

  itemsUrl(listId: string, query: ItemQuery): string {
    const parts = [`$expand=fields($select=${query.select.join(',')})`];
    if (query.filter) parts.push(`$filter=${encodeURIComponent(query.filter)}`);
    if (query.orderBy && query.orderBy.length > 0)
      parts.push(
        `$orderby=${encodeURIComponent(
          query.orderBy.map((o) => `fields/${o.field} ${o.desc ? 'desc' : 'asc'}`).join(','),
        )}`,
      );
    if (query.top !== undefined) parts.push(`$top=${query.top}`);
    return this.listPath(listId, `/items?${parts.join('&')}`);
  }

  /** Pages of items, following `@odata.nextLink` until the caller stops or the list ends. */
  async *queryItems(listId: string, query: ItemQuery): AsyncGenerator<ListItem[]> {
    let path: string | null = this.itemsUrl(listId, query);
    while (path !== null) {
      const current: string = path;
      const json = await this.call(
        'querying list items',
        () => this.graph.client.api(current).get() as Promise<unknown>,
      );
      if (!isRecord(json) || !Array.isArray(json.value))
        throw new Error('Graph answered an item query without value');
      yield (json.value as unknown[]).map(itemOf);
      const next = json['@odata.nextLink'];
      path = typeof next === 'string' ? this.relative(next) : null;
    }
  }

  async getItem(
    listId: string,
    itemId: string,
    select: readonly string[],
  ): Promise<ListItem | null> {
    try {
      const json = await this.call(
        'reading a list item',
        () =>
          this.graph.client
            .api(
              this.listPath(
                listId,
                `/items/${encodeURIComponent(itemId)}?$expand=fields($select=${select.join(',')})`,
              ),
            )
            .get() as Promise<unknown>,
      );
      return itemOf(json);
    } catch (e) {
      if (e instanceof GraphRequestError && e.status === 404) return null;
      throw e;
    }
  }

  /**
   * Sends the steps in batches of at most 20 (steps that depend on each other must share a
   * chunk), sending again, after their own Retry-After, the inner requests answered 429 or 503
   * and those that failed only because one of them did (424). Every step must be safe to send
   * twice: a create keyed by a unique column, an If-Match update, a read.
   */
  async batch(steps: readonly BatchStep[]): Promise<Map<string, BatchResult>> {
    const results = new Map<string, BatchResult>();
    for (let i = 0; i < steps.length; i += MAX_BATCH_REQUESTS) {
      const chunk = steps.slice(i, i + MAX_BATCH_REQUESTS);
      for (const [id, r] of await this.batchChunk(chunk)) results.set(id, r);
    }
    return results;
  }

  private async batchChunk(chunk: readonly BatchStep[]): Promise<Map<string, BatchResult>> {
    const results = new Map<string, BatchResult>();
    let pending = [...chunk];
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      const body = {
        requests: pending.map((s) => ({
          id: s.id,
          method: s.method,
          url: s.url,
          ...(s.body === undefined
            ? {}
            : { body: s.body, headers: { 'Content-Type': 'application/json', ...s.headers } }),
          ...(s.body === undefined && s.headers ? { headers: s.headers } : {}),
          ...(s.dependsOn
            ? { dependsOn: s.dependsOn.filter((d) => pending.some((p) => p.id === d)) }
            : {}),
        })),
      };
      const json = await this.call(
        'sending a $batch',
        () =>
          this.graph.client
            .api('/$batch')
            .middlewareOptions([new RetryPolicy(true)])
            .post(body) as Promise<unknown>,
      );
      if (!isRecord(json) || !Array.isArray(json.responses))
        throw new Error('Graph answered a $batch without responses');
      let waitMs = 0;
      const throttled = new Set<string>();
      for (const raw of json.responses as unknown[]) {
        if (!isRecord(raw) || typeof raw.id !== 'string' || typeof raw.status !== 'number')
          continue;
        const headers: Record<string, string> = {};
        if (isRecord(raw.headers))
          for (const [k, v] of Object.entries(raw.headers))
            if (typeof v === 'string') headers[k.toLowerCase()] = v;
        const result: BatchResult = { id: raw.id, status: raw.status, headers, body: raw.body };
        if (raw.status === 429 || raw.status === 503) {
          throttled.add(raw.id);
          const hinted = Number(headers['retry-after']);
          waitMs = Math.max(
            waitMs,
            Number.isFinite(hinted) ? hinted * 1000 : backoffMs(attempt, this.graph.retry),
          );
        }
        results.set(raw.id, result);
      }
      // A 424 whose dependency goes again goes again with it (down a sequential chain too).
      const again: BatchStep[] = [];
      const resent = new Set<string>();
      for (const s of pending)
        if (
          throttled.has(s.id) ||
          (results.get(s.id)?.status === 424 && (s.dependsOn ?? []).some((d) => resent.has(d)))
        ) {
          again.push(s);
          resent.add(s.id);
        }
      if (again.length === 0 || attempt >= MAX_INNER_RETRIES) break;
      await this.graph.retry.sleep(Math.min(waitMs, this.graph.retry.maxDelayMs));
      pending = again;
    }
    return results;
  }

  /** A nextLink as a path under our Graph base; refuses one that points anywhere else. */
  private relative(link: string): string {
    const prefix = `${this.graph.baseUrl}/`;
    if (!link.startsWith(prefix))
      throw new Error(`Graph sent a nextLink outside ${this.graph.baseUrl}: not following it`);
    return `/${link.slice(prefix.length)}`;
  }

  private async call<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      throw toGraphRequestError(e, what) ?? e;
    }
  }
}
