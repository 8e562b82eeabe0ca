import { randomUUID } from 'node:crypto';
import {
  MAX_STATE_KEY_LENGTH,
  checkStateDue,
  checkStateInstant,
  checkStateKey,
  checkStateKind,
  checkStatePage,
  encodeStateValue,
  prefixUpperBound,
  type NewStateRecord,
  type StateChange,
  type StateRecord,
  type StateStore,
} from '../../application/ports/state-store.js';
import { RectifyError } from '../../domain/errors.js';
import { GraphRequestError } from './graph-client.js';
import { STATE_LIST, T } from './rectify-lists.js';
import {
  itemOf,
  odataString,
  type BatchResult,
  type BatchStep,
  type ItemQuery,
  type ListItem,
  type SharePointListClient,
} from './sharepoint-list-client.js';

/**
 * Shared state as items of the SharePoint list "Rectify State", through Graph.
 *
 * - The key column is unique. SharePoint compares unique values without regard to case, so the
 *   column holds the key encoded into lower-case ASCII (`A` -> `^a`, anything outside
 *   a-z 0-9 - _ . : / @ -> `~hex;`): keys that differ only in case stay two records, and the
 *   encoding keeps prefixes, so `list` filters a range of the column. The key as given is the
 *   item's Title.
 * - A create is a POST keyed by that column. 409 means the key exists; the item's CreateId tells
 *   whether it was this very call (its first attempt landed and the answer was lost, e.g. a 504
 *   after the write) or someone else, so exactly one caller hears `created: true`.
 * - A replace is an If-Match PATCH. A 412 is checked against the item's WriteId the same way, so
 *   a replace whose answer was lost and that is sent again is not reported as lost.
 * - `due` and `list` filter and sort on the indexed kind, due and key columns only, and follow
 *   @odata.nextLink. Due times are ISO text (`YYYY-MM-DDTHH:MM:SS.sssZ`), which sorts as time.
 */

const SELECT: readonly string[] = Object.values(T);
/** Attempts at one write whose answer was a gateway failure (the write may have happened). */
const MAX_WRITE_ATTEMPTS = 5;
/** Item ids never change and items are never deleted: a bounded memo saves a lookup per replace. */
const MAX_REMEMBERED_IDS = 5000;

const PLAIN = /[a-z0-9\-_.:/@]/;

/** The key as the unique column holds it: lower-case ASCII, one code per character. */
export function encodeStateKey(key: string): string {
  let out = '';
  for (const ch of key) {
    if (PLAIN.test(ch)) out += ch;
    else if (ch >= 'A' && ch <= 'Z') out += `^${ch.toLowerCase()}`;
    else out += `~${(ch.codePointAt(0) as number).toString(16)};`;
  }
  return out;
}

function checkEncodedLength(encoded: string, field: string): string {
  if (encoded.length > MAX_STATE_KEY_LENGTH)
    throw new RectifyError(
      'STATE.INVALID',
      { field, length: encoded.length },
      `a state ${field} is too long for SharePoint once capitals and symbols are encoded (at most ${MAX_STATE_KEY_LENGTH})`,
    );
  return encoded;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function recordOf(item: ListItem): StateRecord {
  const f = item.fields;
  const key = f[T.title];
  const kind = f[T.kind];
  const value = f[T.value];
  const due = f[T.due];
  const modified = f.Modified;
  if (typeof key !== 'string' || typeof kind !== 'string' || typeof value !== 'string')
    throw new Error(`state item ${item.id} lacks its key, kind or value`);
  return {
    key,
    kind,
    value: JSON.parse(value) as unknown,
    etag: item.etag,
    dueAt: typeof due === 'string' && due !== '' ? due : null,
    updatedAt: typeof modified === 'string' ? modified : new Date(0).toISOString(),
  };
}

const failure = (result: BatchResult, what: string): GraphRequestError => {
  const error = isRecord(result.body) && isRecord(result.body.error) ? result.body.error : {};
  const code = typeof error.code === 'string' ? error.code : null;
  const message = typeof error.message === 'string' ? error.message : '';
  return new GraphRequestError(
    result.status,
    code,
    `${what}: Graph answered ${result.status} ${code ?? ''} ${message}`.trim(),
  );
};

/** A gateway failure or timeout: the write may or may not have been carried out. */
const uncertain = (status: number): boolean =>
  status === 500 || status === 502 || status === 504 || status === 429 || status === 503;

/** Finds the state list on the site; fails with what to do when it is missing. */
export async function resolveStateList(lists: SharePointListClient): Promise<string> {
  const found = await lists.findList(STATE_LIST.displayName);
  if (!found)
    throw new Error(
      `The list '${STATE_LIST.displayName}' does not exist on site ${lists.siteId}: run npm run provision -- --site <site>`,
    );
  return found.id;
}

export async function openGraphStateStore(lists: SharePointListClient): Promise<GraphStateStore> {
  return new GraphStateStore(lists, await resolveStateList(lists));
}

export class GraphStateStore implements StateStore {
  private readonly itemIds = new Map<string, string>();

  /** `pageSize`: items per Graph page in `due` and `list` (more are read through nextLink). */
  constructor(
    private readonly lists: SharePointListClient,
    private readonly listId: string,
    private readonly pageSize = 200,
  ) {}

  async get(key: string): Promise<StateRecord | null> {
    checkStateKey(key);
    const item = await this.find(checkEncodedLength(encodeStateKey(key), 'key'));
    return item ? recordOf(item) : null;
  }

  async createIfAbsent(record: NewStateRecord): Promise<{ record: StateRecord; created: boolean }> {
    checkStateKey(record.key);
    checkStateKind(record.kind);
    checkStateDue(record.dueAt);
    const encoded = checkEncodedLength(encodeStateKey(record.key), 'key');
    const value = encodeStateValue(record.value);
    const createId = randomUUID();
    const fields = {
      [T.title]: record.key,
      [T.key]: encoded,
      [T.kind]: record.kind,
      [T.due]: record.dueAt,
      [T.value]: value,
      [T.createId]: createId,
      [T.writeId]: createId,
    };
    for (let attempt = 1; ; attempt += 1) {
      const result = await this.send({
        id: 'create',
        method: 'POST',
        url: this.lists.listPath(this.listId, '/items'),
        body: { fields },
      });
      if (result.status === 201) {
        // The answer leaves hidden columns out: the record is what was written, with the
        // item's id, ETag and Modified from the answer.
        const item = itemOf(result.body);
        this.remember(record.key, item.id);
        return {
          record: recordOf({ id: item.id, etag: item.etag, fields: { ...item.fields, ...fields } }),
          created: true,
        };
      }
      // Graph documents no status for a duplicate key (SharePoint answers 500): after any
      // failure the key decides. Found: our own earlier attempt, whose answer was lost, or
      // another caller's record.
      const existing = await this.find(encoded);
      if (existing)
        return { record: recordOf(existing), created: existing.fields[T.createId] === createId };
      if (!uncertain(result.status) || attempt >= MAX_WRITE_ATTEMPTS)
        throw failure(result, `creating state record ${record.key}`);
    }
  }

  async replace(key: string, etag: string, change: StateChange): Promise<StateRecord | null> {
    checkStateKey(key);
    checkStateDue(change.dueAt);
    const encoded = checkEncodedLength(encodeStateKey(key), 'key');
    const value = encodeStateValue(change.value);
    const itemId = this.itemIds.get(key) ?? (await this.find(encoded))?.id;
    if (itemId === undefined) return null;
    const writeId = randomUUID();
    for (let attempt = 1; ; attempt += 1) {
      const result = await this.send({
        id: 'replace',
        method: 'PATCH',
        url: this.lists.listPath(this.listId, `/items/${encodeURIComponent(itemId)}/fields`),
        headers: { 'If-Match': etag },
        body: { [T.due]: change.dueAt, [T.value]: value, [T.writeId]: writeId },
      });
      if (result.status === 200) {
        // PATCH .../fields answers the field values with the new ETag; Title and kind unchanged.
        const body = isRecord(result.body) ? result.body : {};
        const newEtag = body['@odata.etag'];
        if (typeof newEtag === 'string' && typeof body[T.title] === 'string')
          return recordOf({
            id: itemId,
            etag: newEtag,
            fields: { ...body, [T.due]: change.dueAt, [T.value]: value, [T.writeId]: writeId },
          });
        const fresh = await this.lists.getItem(this.listId, itemId, [...SELECT, 'Modified']);
        return fresh ? recordOf(fresh) : null;
      }
      if (result.status === 404) {
        this.itemIds.delete(key);
        return null;
      }
      if (result.status === 412) {
        // Someone else's write, or ours sent again after a lost answer (here or by a retried
        // $batch): the write id on the item tells which.
        const current = await this.lists.getItem(this.listId, itemId, [...SELECT, 'Modified']);
        return current && current.fields[T.writeId] === writeId ? recordOf(current) : null;
      }
      if (!uncertain(result.status) || attempt >= MAX_WRITE_ATTEMPTS)
        throw failure(result, `replacing state record ${key}`);
    }
  }

  async due(kind: string, before: string, limit: number): Promise<readonly StateRecord[]> {
    checkStateKind(kind);
    checkStateInstant(before, 'before');
    checkStatePage(limit);
    return this.query(
      {
        // The due clause first: SharePoint narrows a large list by the first indexed clause, and
        // only records still waiting have a due time, where every settled one keeps its kind.
        filter: `fields/${T.due} le ${odataString(before)} and fields/${T.kind} eq ${odataString(kind)}`,
        orderBy: [
          { field: T.due, desc: false },
          { field: T.key, desc: false },
        ],
        select: [...SELECT, 'Modified'],
        top: Math.min(limit, this.pageSize),
      },
      limit,
      (r) => r.dueAt !== null && r.dueAt <= before,
    );
  }

  async list(
    kind: string,
    options: { readonly prefix?: string; readonly after?: string; readonly limit: number },
  ): Promise<readonly StateRecord[]> {
    checkStateKind(kind);
    checkStatePage(options.limit);
    // Key clauses first, the kind last: SharePoint narrows a large list by the first indexed
    // clause, and a kind (processed card actions, sent reminders) grows without bound.
    const filters: string[] = [];
    if (options.after !== undefined) {
      checkStateKey(options.after, 'after');
      filters.push(`fields/${T.key} gt ${odataString(encodeStateKey(options.after))}`);
    }
    const prefix = options.prefix ?? '';
    if (prefix !== '') {
      checkStateKey(prefix, 'prefix');
      const encoded = encodeStateKey(prefix);
      filters.push(`fields/${T.key} ge ${odataString(encoded)}`);
      const upper = prefixUpperBound(encoded);
      if (upper !== null) filters.push(`fields/${T.key} lt ${odataString(upper)}`);
    }
    filters.push(`fields/${T.kind} eq ${odataString(kind)}`);
    return this.query(
      {
        filter: filters.join(' and '),
        orderBy: [{ field: T.key, desc: false }],
        select: [...SELECT, 'Modified'],
        top: Math.min(options.limit, this.pageSize),
      },
      options.limit,
      (r) => r.key.startsWith(prefix),
    );
  }

  private async query(
    query: ItemQuery,
    limit: number,
    keep: (r: StateRecord) => boolean,
  ): Promise<StateRecord[]> {
    const out: StateRecord[] = [];
    for await (const page of this.lists.queryItems(this.listId, query)) {
      for (const item of page) {
        const record = recordOf(item);
        if (!keep(record)) continue;
        this.remember(record.key, item.id);
        out.push(record);
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  private async find(encoded: string): Promise<ListItem | null> {
    for await (const page of this.lists.queryItems(this.listId, {
      filter: `fields/${T.key} eq ${odataString(encoded)}`,
      select: [...SELECT, 'Modified'],
      top: 2,
    })) {
      // SharePoint compares without case; the encoding makes that exact, this makes it certain.
      const item = page.find((i) => i.fields[T.key] === encoded);
      if (item) {
        const key = item.fields[T.title];
        if (typeof key === 'string') this.remember(key, item.id);
        return item;
      }
    }
    return null;
  }

  private async send(step: BatchStep): Promise<BatchResult> {
    const results = await this.lists.batch([step]);
    const result = results.get(step.id);
    if (!result) throw new Error(`Graph answered no response for ${step.method} ${step.url}`);
    return result;
  }

  private remember(key: string, itemId: string): void {
    if (this.itemIds.size >= MAX_REMEMBERED_IDS) this.itemIds.clear();
    this.itemIds.set(key, itemId);
  }
}
