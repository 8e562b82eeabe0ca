import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import {
  FilterSyntaxError,
  compareValues,
  fieldsOf,
  matches,
  parseFilter,
  scalarText,
  type FilterNode,
} from './odata-filter.js';
import { isActivityRequest, serveActivity } from './activity-routes.js';
import { isDirectoryRequest, serveDirectory } from './directory-routes.js';
import { routePlanner } from './planner-routes.js';
import { driveRoutes } from './drive-routes.js';
import { uploadRoutes } from './upload-routes.js';
import { batchShapeOf, sequentialDepth } from './batch-shape.js';
import { ResourceUnitMeter, unitsOf } from './resource-units.js';
import { dateOnlyValue } from './site-time-zone.js';
import { Strictness, type StrictRule } from './strict-rules.js';
import { bodyTypesOf, mismatchOf } from './graph-schemas.js';

/**
 * A Microsoft Graph emulator for SharePoint lists, on loopback. It behaves like the documents in
 * ../shared/reference/graph: sites, lists, columns, items with `fields`, `$filter` / `$orderby` /
 * `$top` / `$expand=fields($select=...)`, `@odata.nextLink` paging, ETags `"{guid},{version}"`
 * with 412 on an If-Match mismatch, the 5,000-item list view threshold, unique values, `$batch`
 * (at most 20, `dependsOn`, 424), and switchable faults (429/503 with Retry-After, 504 after
 * the write happened, latency, a request held unanswered). It counts every request, for the
 * bench. It is strict by default: the rules of strict-rules.ts, each citing its Microsoft page,
 * hold unless `relax` names them.
 */

export const LIST_VIEW_THRESHOLD = 5000;
const DEFAULT_PAGE_SIZE = 200;
const MAX_BATCH = 20;
const PREFER_NON_INDEXED = 'honornonindexedquerieswarningmayfailrandomly';

export type ColumnType = 'text' | 'number' | 'dateTime' | 'boolean' | 'choice' | 'personOrGroup';

export interface EmulatedColumn {
  id: string;
  name: string;
  displayName: string;
  description: string;
  indexed: boolean;
  enforceUniqueValues: boolean;
  required: boolean;
  hidden: boolean;
  type: ColumnType;
  /** The type facet as given (`text: { allowMultipleLines: true }`, `choice: { choices }` ...). */
  facet: Record<string, unknown>;
}

export interface EmulatedItem {
  id: string;
  guid: string;
  version: number;
  created: string;
  modified: string;
  fields: Record<string, unknown>;
}

export interface EmulatedList {
  id: string;
  displayName: string;
  description: string;
  created: string;
  columns: EmulatedColumn[];
  items: Map<string, EmulatedItem>;
  nextItemId: number;
  /** List views, made through SharePoint REST (Graph has no views API). */
  views: { id: string; title: string; query: string; fields: string[] }[];
}

export interface EmulatedSite {
  id: string;
  hostname: string;
  path: string;
  displayName: string;
  lists: EmulatedList[];
}

export interface Fault {
  /** 429 and 503 carry Retry-After; 504 may be returned after the request was carried out. */
  readonly status: 429 | 503 | 504 | 500;
  readonly retryAfterSeconds?: number | undefined;
  /** How many requests it hits; Infinity until cleared. */
  times: number;
  readonly method?: string | undefined;
  readonly pathIncludes?: string | undefined;
  /** `top`: HTTP requests (a `$batch` as a whole); `inner`: requests inside a batch. */
  readonly where?: 'top' | 'inner' | 'any' | undefined;
  /** Carry the request out, then answer with the fault (a gateway timeout after the write). */
  readonly afterWrite?: boolean | undefined;
}

/** A request held unanswered (a hung connection), before or after it was carried out. */
export interface Hang {
  readonly method?: string | undefined;
  /** Matched against the path of the HTTP request (a `$batch` as a whole). */
  readonly pathIncludes?: string | undefined;
  /** Carry the request out, then hold the answer: the write happened, the caller never hears. */
  readonly afterWrite?: boolean | undefined;
  /** How many more requests it catches; Infinity until released. */
  times: number;
  /** How many requests it has caught so far. */
  readonly caught: number;
  /** Answers the requests held now (those whose caller is still there) and catches no more. */
  release(): void;
}

class HangSwitch implements Hang {
  readonly method: string | undefined;
  readonly pathIncludes: string | undefined;
  readonly afterWrite: boolean | undefined;
  times: number;
  caught = 0;
  private readonly waiting = new Set<() => void>();

  constructor(options: Omit<Hang, 'times' | 'caught' | 'release'> & { times?: number }) {
    this.method = options.method;
    this.pathIncludes = options.pathIncludes;
    this.afterWrite = options.afterWrite;
    this.times = options.times ?? Infinity;
  }

  /** Waits until released ('released') or until the caller closes the connection ('closed'). */
  hold(res: Response): Promise<'released' | 'closed'> {
    this.caught += 1;
    return new Promise((resolve) => {
      const release = (): void => {
        resolve('released');
      };
      this.waiting.add(release);
      res.once('close', () => {
        this.waiting.delete(release);
        resolve('closed');
      });
    });
  }

  release(): void {
    this.times = 0;
    for (const release of this.waiting) release();
    this.waiting.clear();
  }
}

export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly inner: boolean;
  readonly status: number;
  /** For a $batch: how many of its requests ran one after another (1 for other requests). */
  readonly depth?: number;
}

export type Authorizer = (token: string | null, method: string, path: string) => 200 | 401 | 403;

export interface GraphEmulatorOptions {
  readonly hostname?: string;
  readonly sitePath?: string;
  readonly siteId?: string;
  /** Without one, any request is served (no token needed). */
  readonly authorize?: Authorizer;
  readonly latencyMs?: number;
  /** Strict rules to switch off (debugging, and the tests that show each rule bites). */
  readonly relax?: readonly StrictRule[];
  /** The site's regional time zone (IANA); SharePoint's default for a new site is Pacific. */
  readonly siteTimeZone?: string;
  /** Licences of the tenant: they set the resource-unit budget. */
  readonly tenantLicences?: number;
  /** The clock of the resource-unit budget (tests move it). */
  readonly now?: () => number;
}

interface EmuRequest {
  readonly method: string;
  /** After /v1.0, without query, e.g. /sites/x/lists. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly inner: boolean;
}

interface EmuResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** For a $batch: how many of its requests ran one after another. */
  depth?: number;
}

class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const now = (): string => new Date().toISOString();
const etagOf = (item: EmulatedItem): string => `"${item.guid},${item.version}"`;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

const COLUMN_TYPES: readonly ColumnType[] = [
  'text',
  'number',
  'dateTime',
  'boolean',
  'choice',
  'personOrGroup',
];

const builtInColumns = (): EmulatedColumn[] => [
  {
    id: randomUUID(),
    name: 'Title',
    displayName: 'Title',
    description: '',
    indexed: false,
    enforceUniqueValues: false,
    required: false,
    hidden: false,
    type: 'text',
    facet: { maxLength: 255 },
  },
];

export class GraphEmulator {
  readonly site: EmulatedSite;
  readonly faults: Fault[] = [];
  private readonly hangs: HangSwitch[] = [];
  readonly log: RequestLogEntry[] = [];
  latencyMs: number;
  private server: Server | null = null;
  private baseUrl = '';
  /** Who may do what; replace it to withdraw a grant mid-test. */
  authorize: Authorizer | undefined;
  readonly strictness: Strictness;
  readonly siteTimeZone: string;
  /** SharePoint resource units spent, per app (token), within the tenant's budget. */
  readonly resourceUnits: ResourceUnitMeter;
  /** Answers of the emulator that are not Graph's types: a bug here, failing the test. */
  readonly schemaViolations: string[] = [];

  constructor(options: GraphEmulatorOptions = {}) {
    const hostname = options.hostname ?? 'contoso.sharepoint.com';
    this.site = {
      id: options.siteId ?? `${hostname},${randomUUID()},${randomUUID()}`,
      hostname,
      path: options.sitePath ?? '/sites/isms',
      displayName: 'ISMS',
      lists: [],
    };
    this.authorize = options.authorize;
    this.latencyMs = options.latencyMs ?? 0;
    this.strictness = new Strictness(options.relax);
    this.siteTimeZone = options.siteTimeZone ?? 'America/Los_Angeles';
    this.resourceUnits = new ResourceUnitMeter(options.tenantLicences ?? 1000, options.now);
  }

  isStrict(rule: StrictRule): boolean {
    return this.strictness.holds(rule);
  }

  /** The Graph base URL to give the client, e.g. http://127.0.0.1:1234/v1.0 */
  get url(): string {
    return `${this.baseUrl}/v1.0`;
  }

  get siteUrl(): string {
    return `https://${this.site.hostname}${this.site.path}`;
  }

  /**
   * The site's webUrl as Graph returns it: here the emulator's stand-in for the site's
   * SharePoint REST API (`{webUrl}/_api/...`), which list views need.
   */
  get webUrl(): string {
    return `${this.baseUrl}/_spo${this.site.path}`;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const app = this.app();
    this.server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(port, host, () => {
        resolve(s);
      });
      s.once('error', reject);
    });
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${address.port}`;
    return this.url;
  }

  /** Stops the emulator; fails when it answered anything that is not Graph's types. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const violations = this.schemaViolations.splice(0);
    this.releaseHangs();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
    this.server = null;
    if (violations.length > 0)
      throw new Error(`the emulator answered bodies Graph would not:\n${violations.join('\n')}`);
  }

  /** Adds a fault; it hits `times` matching requests (Infinity: until `clearFaults`). */
  fail(fault: Omit<Fault, 'times'> & { times?: number }): Fault {
    const f: Fault = { ...fault, times: fault.times ?? 1 };
    this.faults.push(f);
    return f;
  }

  /**
   * Holds matching HTTP requests unanswered until `release()` or until the caller gives up and
   * closes the connection (then a request held before it was carried out is never carried out).
   */
  hang(options: Omit<Hang, 'times' | 'caught' | 'release'> & { times?: number } = {}): Hang {
    const hang = new HangSwitch(options);
    this.hangs.push(hang);
    return hang;
  }

  clearFaults(): void {
    this.faults.length = 0;
    this.releaseHangs();
  }

  private releaseHangs(): void {
    for (const hang of this.hangs) hang.release();
    this.hangs.length = 0;
  }

  private takeHang(request: EmuRequest): HangSwitch | undefined {
    const hang = this.hangs.find(
      (h) =>
        h.times > 0 &&
        (h.method === undefined || h.method === request.method) &&
        (h.pathIncludes === undefined || request.path.includes(h.pathIncludes)),
    );
    if (hang) hang.times -= 1;
    return hang;
  }

  resetLog(): void {
    this.log.length = 0;
  }

  /** HTTP requests that reached the emulator, and requests carried inside batches. */
  counts(): { http: number; inner: number; writes: number; roundTrips: number } {
    const top = this.log.filter((r) => !r.inner);
    const writes = this.log.filter(
      (r) => r.method !== 'GET' && !(r.method === 'POST' && r.path === '/$batch'),
    );
    return {
      http: top.length,
      inner: this.log.length - top.length,
      writes: writes.length,
      roundTrips: top.reduce((n, r) => n + (r.depth ?? 1), 0),
    };
  }

  listByName(displayName: string): EmulatedList | undefined {
    return this.site.lists.find((l) => l.displayName === displayName);
  }

  /**
   * Adds items straight into a list, as if created through Graph (for lists of thousands of
   * items in tests without thousands of requests).
   */
  seedItems(displayName: string, fieldsList: readonly Record<string, unknown>[]): void {
    const list = this.listByName(displayName);
    if (!list) throw new Error(`no list ${displayName}`);
    // The same unique-value rule as a create, checked against sets built once (6,000 creates
    // checked one by one would take quadratic time).
    const unique = list.columns.filter((c) => c.enforceUniqueValues);
    const seen = new Map(
      unique.map((c) => [
        c.name,
        new Set([...list.items.values()].map((i) => scalarText(i.fields[c.name]).toLowerCase())),
      ]),
    );
    for (const given of fieldsList) {
      for (const c of unique) {
        const value = scalarText(given[c.name]).toLowerCase();
        if (value === '') continue;
        const values = seen.get(c.name);
        if (values?.has(value))
          throw new Error(`seeding ${displayName}: duplicate ${c.name} ${value}`);
        values?.add(value);
      }
      this.insertItem(list, given, false);
    }
  }

  // ---- HTTP -------------------------------------------------------------------------

  private app(): express.Express {
    const app = express();
    app.use(express.json({ limit: '20mb' }));
    app.use('/_emulator', this.controlRouter());
    app.use(uploadRoutes(this));
    app.use(driveRoutes(this));
    app.use(`/_spo${this.site.path}/_api`, (req: Request, res: Response) => {
      this.serveRestViews(req, res);
    });
    app.use((req: Request, res: Response) => {
      void this.serve(req, res);
    });
    return app;
  }

  /** Faults, latency and counts over HTTP, for a separately started emulator. */
  private controlRouter(): express.Router {
    const router = express.Router();
    router.get('/counts', (_req, res) => {
      res.json(this.counts());
    });
    router.post('/reset', (_req, res) => {
      this.resetLog();
      this.clearFaults();
      res.status(204).end();
    });
    router.post('/faults', (req, res) => {
      const body = req.body as Partial<Fault> & { times?: number | null };
      if (body.status === undefined) {
        res.status(400).json({ error: 'status is required' });
        return;
      }
      this.fail({ ...body, status: body.status, times: body.times ?? Infinity });
      res.status(204).end();
    });
    router.post('/latency', (req, res) => {
      const body = req.body as { ms?: number };
      this.latencyMs = body.ms ?? 0;
      res.status(204).end();
    });
    return router;
  }

  /**
   * SharePoint REST, only as far as list views go: GET and POST
   * `_api/web/lists(guid'{id}')/views`, POST `views(guid'{id}')/ViewFields/addViewField('{name}')`.
   */
  private serveRestViews(req: Request, res: Response): void {
    const path = decodeURIComponent(new URL(req.originalUrl, 'http://x').pathname).replace(
      /^.*\/_api/,
      '',
    );
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const denied = this.authorized({
      method: req.method,
      path,
      query: new URLSearchParams(),
      headers,
      body: undefined,
      inner: false,
    });
    const send = (status: number, body: unknown): void => {
      this.log.push({ method: req.method, path: `/_api${path}`, inner: false, status });
      res.status(status).json(body);
    };
    if (denied) {
      send(denied.status, denied.body);
      return;
    }
    const m =
      /^\/web\/lists\(guid'([^']+)'\)\/views(?:\(guid'([^']+)'\)\/ViewFields\/addViewField\('([^']+)'\))?$/.exec(
        path,
      );
    const list = m ? this.site.lists.find((l) => l.id === m[1]) : undefined;
    if (!m || !list) {
      send(404, {
        'odata.error': {
          code: '-1, System.ArgumentException',
          message: { value: 'List does not exist.' },
        },
      });
      return;
    }
    const viewId = m[2];
    if (viewId !== undefined) {
      const view = list.views.find((v) => v.id === viewId);
      const field = m[3] ?? '';
      if (!view || !list.columns.some((c) => c.name === field)) {
        send(400, {
          'odata.error': {
            code: '-2147024809',
            message: { value: `Invalid field or view: ${field}` },
          },
        });
        return;
      }
      if (req.method === 'POST' && !view.fields.includes(field)) view.fields.push(field);
      send(200, {});
      return;
    }
    if (req.method === 'GET') {
      send(200, { value: list.views.map((v) => ({ Id: v.id, Title: v.title })) });
      return;
    }
    const body = req.body as { Title?: unknown; ViewQuery?: unknown };
    if (
      req.method !== 'POST' ||
      typeof body.Title !== 'string' ||
      typeof body.ViewQuery !== 'string'
    ) {
      send(400, {
        'odata.error': { code: '-1', message: { value: 'Title and ViewQuery are required' } },
      });
      return;
    }
    const unknownFields = [...body.ViewQuery.matchAll(/FieldRef Name="([^"]+)"/g)]
      .map((x) => x[1] ?? '')
      .filter((name) => !list.columns.some((c) => c.name === name));
    if (unknownFields.length > 0) {
      send(400, {
        'odata.error': {
          code: '-1',
          message: { value: `Unknown fields ${unknownFields.join(', ')}` },
        },
      });
      return;
    }
    if (list.views.some((v) => v.title === body.Title)) {
      send(400, {
        'odata.error': {
          code: '-2130575214',
          message: { value: 'A view with this name already exists.' },
        },
      });
      return;
    }
    const view = { id: randomUUID(), title: body.Title, query: body.ViewQuery, fields: [] };
    list.views.push(view);
    send(201, { Id: view.id, Title: view.title });
  }

  private async serve(req: Request, res: Response): Promise<void> {
    const url = new URL(req.originalUrl, 'http://emulator');
    const path = url.pathname.replace(/^\/v1\.0(?=\/)/, '');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === 'string') headers[k.toLowerCase()] = v;
    const request: EmuRequest = {
      method: req.method,
      path,
      query: url.searchParams,
      headers,
      body: req.body as unknown,
      inner: false,
    };
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    const hang = this.takeHang(request);
    let response: EmuResponse;
    if (hang) {
      const written = hang.afterWrite
        ? await this.respond(request, () => this.authorized(request))
        : null;
      if ((await hang.hold(res)) === 'closed') {
        // The caller gave up: nothing to answer (status 0 in the log).
        this.log.push({ method: req.method, path, inner: false, status: 0 });
        return;
      }
      response = written ?? (await this.respond(request, () => this.authorized(request)));
    } else response = await this.respond(request, () => this.authorized(request));
    this.log.push({
      method: req.method,
      path,
      inner: false,
      status: response.status,
      ...(response.depth === undefined ? {} : { depth: response.depth }),
    });
    res.status(response.status);
    for (const [k, v] of Object.entries(response.headers)) res.setHeader(k, v);
    if (response.body === undefined || response.status === 204) res.end();
    else res.json(response.body);
  }

  private authorized(request: EmuRequest): EmuResponse | null {
    if (!this.authorize) return null;
    const header = request.headers.authorization ?? '';
    const token = /^Bearer (.+)$/.exec(header)?.[1] ?? null;
    const verdict = this.authorize(token, request.method, request.path);
    if (verdict === 401)
      return errorResponse(
        new GraphHttpError(401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.'),
      );
    if (verdict === 403)
      return errorResponse(new GraphHttpError(403, 'accessDenied', 'Access denied'));
    return null;
  }

  /** Applies faults around one request (top-level or inner), then carries it out. */
  private async respond(
    request: EmuRequest,
    precheck: () => EmuResponse | null,
  ): Promise<EmuResponse> {
    const denied = precheck();
    if (denied) return denied;
    const throttled = this.chargeUnits(request);
    if (throttled) return throttled;
    const fault = this.takeFault(request);
    if (fault && !fault.afterWrite) return faultResponse(fault);
    const types = this.isStrict('graphSchemas') ? bodyTypesOf(request.method, request.path) : null;
    const wrongRequest =
      types?.request === undefined ? null : mismatchOf(types.request, request.body);
    if (wrongRequest !== null)
      return errorResponse(
        new GraphHttpError(400, 'invalidRequest', `Invalid request body: ${wrongRequest}`),
      );
    const response = await this.dispatch(request);
    if (types?.response !== undefined && response.status < 300 && response.body !== undefined) {
      const wrongAnswer = mismatchOf(types.response, response.body, types.collection);
      if (wrongAnswer !== null) {
        this.schemaViolations.push(`${request.method} ${request.path}: ${wrongAnswer}`);
        return errorResponse(
          new GraphHttpError(
            500,
            'emulatorSchemaViolation',
            `The emulator answered ${wrongAnswer}`,
          ),
        );
      }
    }
    if (fault) return faultResponse(fault);
    return response;
  }

  /** Charges the request's resource units; a 429 past the tenant's budget (strict). */
  private chargeUnits(request: EmuRequest): EmuResponse | null {
    const units = unitsOf(request.method, request.path, request.query);
    if (units === null) return null;
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? 'app';
    const wait = this.resourceUnits.charge(token, units);
    if (wait === null || !this.isStrict('resourceUnits')) return null;
    return errorResponse(
      new GraphHttpError(
        429,
        'TooManyRequests',
        'The request has been throttled: the application is over its resource unit budget.',
        { 'Retry-After': String(wait) },
      ),
    );
  }

  private takeFault(request: EmuRequest): Fault | undefined {
    const fault = this.faults.find(
      (f) =>
        f.times > 0 &&
        (f.where ?? 'any') !== (request.inner ? 'top' : 'inner') &&
        (f.method === undefined || f.method === request.method) &&
        (f.pathIncludes === undefined || request.path.includes(f.pathIncludes)),
    );
    if (fault) fault.times -= 1;
    return fault;
  }

  private async dispatch(request: EmuRequest): Promise<EmuResponse> {
    try {
      if (request.path === '/$batch' && request.method === 'POST' && !request.inner)
        return await this.batch(request);
      return this.route(request);
    } catch (e) {
      if (e instanceof GraphHttpError) return errorResponse(e);
      if (e instanceof FilterSyntaxError)
        return errorResponse(new GraphHttpError(400, 'invalidRequest', e.message));
      throw e;
    }
  }

  // ---- routing ----------------------------------------------------------------------

  private route(request: EmuRequest): EmuResponse {
    const { method, path } = request;
    if (isActivityRequest(request)) return serveActivity(this, request);
    if (isDirectoryRequest(request)) return serveDirectory(this, request);
    if (path.startsWith('/planner/')) return routePlanner(this, request);
    const bySiteUrl = /^\/sites\/([^/:]+):(\/[^:]*?):?$/.exec(path);
    if (bySiteUrl && method === 'GET') {
      const [, host, sitePath] = bySiteUrl;
      if (host !== this.site.hostname || sitePath?.replace(/\/$/, '') !== this.site.path)
        throw notFound('Requested site could not be found');
      return ok(this.siteJson());
    }
    const m = /^\/sites\/([^/]+)(\/.*)?$/.exec(path);
    if (!m) throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment`);
    const [, siteId, rest = ''] = m;
    if (decodeURIComponent(siteId ?? '') !== this.site.id)
      throw notFound('Requested site could not be found');
    if (rest === '' && method === 'GET') return ok(this.siteJson());
    if (rest === '/lists' && method === 'GET') return ok(this.getLists(request));
    if (rest === '/lists' && method === 'POST') return created(this.createList(request.body));
    const lm = /^\/lists\/([^/]+)(\/.*)?$/.exec(rest);
    if (!lm) throw new GraphHttpError(400, 'BadRequest', 'Resource not found for the segment');
    const list = this.findList(decodeURIComponent(lm[1] ?? ''));
    const tail = lm[2] ?? '';
    if (tail === '' && method === 'GET') return ok(this.listJson(list, request.query));
    if (tail === '/columns' && method === 'GET')
      return ok({ value: this.columnsJson(list, request.query.get('$select')) });
    if (tail === '/columns' && method === 'POST')
      return created(columnJson(this.addColumn(list, request.body)));
    const cm = /^\/columns\/([^/]+)$/.exec(tail);
    if (cm && method === 'PATCH')
      return ok(columnJson(this.updateColumn(list, cm[1] ?? '', request.body)));
    if (tail === '/items' && method === 'GET') return ok(this.queryItems(list, request));
    if (tail === '/items' && method === 'POST') return this.createItem(list, request.body);
    const im = /^\/items\/([^/]+)(\/fields)?$/.exec(tail);
    if (im) {
      const item = list.items.get(im[1] ?? '');
      if (!item) throw notFound('Item not found');
      if (method === 'GET' && !im[2])
        return ok(itemJson(item, selectOf(request.query), this.hiddenOf(list)), {
          ETag: etagOf(item),
        });
      if (method === 'GET')
        return ok(fieldsJson(item, plainSelectOf(request.query), this.hiddenOf(list)));
      if (method === 'PATCH' && im[2]) return this.updateItem(list, item, request);
      if (method === 'DELETE' && !im[2]) {
        checkIfMatch(item, request.headers['if-match']);
        list.items.delete(item.id);
        return { status: 204, headers: {}, body: undefined };
      }
    }
    throw new GraphHttpError(405, 'BadRequest', `${method} is not supported on ${path}`);
  }

  private siteJson(): Record<string, unknown> {
    return {
      id: this.site.id,
      displayName: this.site.displayName,
      name: this.site.path.split('/').at(-1),
      webUrl: this.webUrl,
    };
  }

  private getLists(request: EmuRequest): Record<string, unknown> {
    const filter = request.query.get('$filter');
    const node = filter ? parseFilter(filter) : null;
    const lists = this.site.lists.filter(
      (l) => node === null || matches(node, { displayName: l.displayName, id: l.id }),
    );
    return { value: lists.map((l) => this.listJson(l, request.query)) };
  }

  private findList(idOrName: string): EmulatedList {
    const list = this.site.lists.find((l) => l.id === idOrName || l.displayName === idOrName);
    if (!list) throw notFound(`List '${idOrName}' does not exist at site ${this.site.id}`);
    return list;
  }

  private listJson(list: EmulatedList, query: URLSearchParams): Record<string, unknown> {
    const expand = query.get('$expand') ?? query.get('expand') ?? '';
    return {
      id: list.id,
      displayName: list.displayName,
      name: list.displayName.replace(/\s+/g, ''),
      description: list.description,
      createdDateTime: list.created,
      webUrl: `${this.siteUrl}/Lists/${encodeURIComponent(list.displayName.replace(/\s+/g, ''))}`,
      list: { template: 'genericList', hidden: false },
      ...(expand.includes('columns') ? { columns: this.columnsJson(list, null) } : {}),
    };
  }

  private createList(body: unknown): Record<string, unknown> {
    if (!isRecord(body) || typeof body.displayName !== 'string' || body.displayName === '')
      throw new GraphHttpError(400, 'invalidRequest', 'displayName is required');
    if (this.site.lists.some((l) => l.displayName === body.displayName))
      throw new GraphHttpError(409, 'nameAlreadyExists', 'A list with this name already exists');
    const list: EmulatedList = {
      id: randomUUID(),
      displayName: body.displayName,
      description: typeof body.description === 'string' ? body.description : '',
      created: now(),
      columns: builtInColumns(),
      items: new Map(),
      nextItemId: 1,
      views: [],
    };
    const columns = Array.isArray(body.columns) ? (body.columns as unknown[]) : [];
    for (const c of columns) this.addColumn(list, c);
    this.site.lists.push(list);
    return this.listJson(list, new URLSearchParams());
  }

  private addColumn(list: EmulatedList, body: unknown): EmulatedColumn {
    if (
      !isRecord(body) ||
      typeof body.name !== 'string' ||
      !/^[A-Za-z_][A-Za-z0-9_]*$/.test(body.name)
    )
      throw new GraphHttpError(400, 'invalidRequest', 'A column needs a name');
    if (list.columns.some((c) => c.name === body.name))
      throw new GraphHttpError(409, 'nameAlreadyExists', `A column named ${body.name} exists`);
    const types = COLUMN_TYPES.filter((t) => isRecord(body[t]));
    const type = types[0];
    if (types.length !== 1 || type === undefined)
      throw new GraphHttpError(400, 'invalidRequest', 'A column has exactly one type facet');
    const column: EmulatedColumn = {
      id: randomUUID(),
      name: body.name,
      displayName: typeof body.displayName === 'string' ? body.displayName : body.name,
      description: typeof body.description === 'string' ? body.description : '',
      indexed: body.indexed === true,
      enforceUniqueValues: body.enforceUniqueValues === true,
      required: body.required === true,
      hidden: body.hidden === true,
      type,
      facet: body[type] as Record<string, unknown>,
    };
    assertIndexable(column);
    list.columns.push(column);
    return column;
  }

  private updateColumn(list: EmulatedList, id: string, body: unknown): EmulatedColumn {
    const column = list.columns.find((c) => c.id === id || c.name === id);
    if (!column) throw notFound('Column not found');
    if (!isRecord(body)) throw new GraphHttpError(400, 'invalidRequest', 'A JSON object');
    if (typeof body.displayName === 'string') column.displayName = body.displayName;
    if (typeof body.description === 'string') column.description = body.description;
    if (typeof body.indexed === 'boolean') column.indexed = body.indexed;
    if (typeof body.enforceUniqueValues === 'boolean')
      column.enforceUniqueValues = body.enforceUniqueValues;
    if (typeof body.hidden === 'boolean') column.hidden = body.hidden;
    if (typeof body.required === 'boolean') column.required = body.required;
    assertIndexable(column);
    if (column.enforceUniqueValues) {
      const seen = new Set<string>();
      for (const item of list.items.values()) {
        const v = item.fields[column.name];
        if (v === null || v === undefined || v === '') continue;
        const key = scalarText(v).toLowerCase();
        if (seen.has(key))
          throw new GraphHttpError(400, 'invalidRequest', 'The column holds duplicate values');
        seen.add(key);
      }
    }
    return column;
  }

  /**
   * SharePoint narrows a query on a large list by the first clause on an indexed column, and
   * refuses it when that clause alone matches more than the threshold.
   */
  private assertUnderThreshold(list: EmulatedList, filter: FilterNode): void {
    const conjuncts: FilterNode[] = [];
    const flatten = (n: FilterNode): void => {
      if (n.kind === 'and') {
        flatten(n.left);
        flatten(n.right);
      } else conjuncts.push(n);
    };
    flatten(filter);
    const indexed = new Set(list.columns.filter((c) => c.indexed).map((c) => c.name));
    const first = conjuncts.find((c) => fieldsOf(c).every((f) => indexed.has(f)));
    const matching = first
      ? [...list.items.values()].filter((i) => matches(first, i.fields)).length
      : list.items.size;
    if (matching > LIST_VIEW_THRESHOLD)
      throw new GraphHttpError(
        400,
        'invalidRequest',
        'The attempted operation is prohibited because it exceeds the list view threshold.',
      );
  }

  /** What a date-only column keeps of a written value: the day in the site's time zone. */
  private readonly dateOnly = (value: string): string =>
    this.isStrict('siteTimeZone')
      ? dateOnlyValue(value, this.siteTimeZone)
      : new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');

  /** Hidden columns, whose values answers leave out unless `$select` names them (strict). */
  private hiddenOf(list: EmulatedList): ReadonlySet<string> {
    if (!this.isStrict('hiddenColumns')) return new Set();
    return new Set(list.columns.filter((c) => c.hidden).map((c) => c.name));
  }

  /** `GET .../columns`: hidden ones only when `$select` names `hidden`; only the selected properties. */
  private columnsJson(list: EmulatedList, selectText: string | null): Record<string, unknown>[] {
    const select = selectText === null ? null : selectText.split(',').map((s) => s.trim());
    const strict = this.isStrict('hiddenColumns');
    return list.columns
      .filter((c) => !strict || !c.hidden || select?.includes('hidden') === true)
      .map((c) => {
        const json = columnJson(c);
        if (select === null || !strict) return json;
        return Object.fromEntries(
          Object.entries(json).filter(([k]) => k === 'id' || select.includes(k)),
        );
      });
  }

  private assertUnique(
    list: EmulatedList,
    fields: Record<string, unknown>,
    selfId: string | null,
  ): void {
    const duplicates = duplicatesOf(list, fields, selfId);
    if (duplicates.length === 0) return;
    const message = `The list item could not be added or updated because duplicate values were found in the following field(s) in the list: [${duplicates.join(', ')}].`;
    if (this.isStrict('duplicateAnswers500'))
      // SharePoint's own answer (SPDuplicateValuesFoundException, -2130575169): Graph adds no status.
      throw new GraphHttpError(500, 'generalException', message);
    throw new GraphHttpError(409, 'nameAlreadyExists', message);
  }

  // ---- items ------------------------------------------------------------------------

  private createItem(list: EmulatedList, body: unknown): EmuResponse {
    if (!isRecord(body) || !isRecord(body.fields))
      throw new GraphHttpError(400, 'invalidRequest', 'Supply fields');
    const item = this.insertItem(list, body.fields);
    return {
      status: 201,
      headers: { ETag: etagOf(item), 'Content-Type': 'application/json' },
      body: itemJson(item, null, this.hiddenOf(list)),
    };
  }

  private insertItem(
    list: EmulatedList,
    given: Record<string, unknown>,
    checkUnique = true,
  ): EmulatedItem {
    const fields = validFields(list, given, this.dateOnly);
    if (checkUnique) this.assertUnique(list, fields, null);
    const at = now();
    const item: EmulatedItem = {
      id: String(list.nextItemId),
      guid: randomUUID(),
      version: 1,
      created: at,
      modified: at,
      fields: { Title: null, ...fields },
    };
    list.nextItemId += 1;
    list.items.set(item.id, item);
    return item;
  }

  private updateItem(list: EmulatedList, item: EmulatedItem, request: EmuRequest): EmuResponse {
    if (!isRecord(request.body)) throw new GraphHttpError(400, 'invalidRequest', 'Supply fields');
    checkIfMatch(item, request.headers['if-match']);
    const fields = validFields(list, request.body, this.dateOnly);
    this.assertUnique(list, fields, item.id);
    Object.assign(item.fields, fields);
    item.version += 1;
    item.modified = now();
    return {
      status: 200,
      headers: { ETag: etagOf(item) },
      body: fieldsJson(item, null, this.hiddenOf(list)),
    };
  }

  private queryItems(list: EmulatedList, request: EmuRequest): Record<string, unknown> {
    const q = request.query;
    const filterText = q.get('$filter') ?? q.get('filter');
    const orderText = q.get('$orderby') ?? q.get('orderby');
    const filter: FilterNode | null = filterText ? parseFilter(filterText) : null;
    const order = (orderText ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        const [field = '', dir = 'asc'] = s.split(/\s+/);
        return { field: field.replace(/^fields\//, ''), desc: dir.toLowerCase() === 'desc' };
      });
    const referenced = [...(filter ? fieldsOf(filter) : []), ...order.map((o) => o.field)];
    const prefer = (request.headers.prefer ?? '').toLowerCase().includes(PREFER_NON_INDEXED);
    for (const name of referenced) {
      const column = list.columns.find((c) => c.name === name);
      if (!column && name !== 'id')
        throw new GraphHttpError(400, 'invalidRequest', `Field '${name}' is not recognized`);
      if (!column || column.indexed) continue;
      if (list.items.size > LIST_VIEW_THRESHOLD)
        throw new GraphHttpError(
          400,
          'invalidRequest',
          'The attempted operation is prohibited because it exceeds the list view threshold.',
        );
      if (!prefer)
        throw new GraphHttpError(
          400,
          'invalidRequest',
          `Field '${name}' cannot be referenced in filter or orderby as it is not indexed. Provide the 'Prefer: HonorNonIndexedQueriesWarningMayFailRandomly' header to allow this, but be warned that such queries may fail on large lists.`,
        );
    }
    if (filter && list.items.size > LIST_VIEW_THRESHOLD && this.isStrict('indexedFilterThreshold'))
      this.assertUnderThreshold(list, filter);
    let items = [...list.items.values()];
    if (filter) items = items.filter((i) => matches(filter, i.fields));
    items.sort((a, b) => {
      for (const o of order) {
        const c = compareValues(a.fields[o.field] ?? null, b.fields[o.field] ?? null);
        if (c !== 0) return o.desc ? -c : c;
      }
      return Number(a.id) - Number(b.id);
    });
    const topText = q.get('$top') ?? q.get('top');
    const top = Math.min(topText ? Number(topText) : DEFAULT_PAGE_SIZE, LIST_VIEW_THRESHOLD);
    if (!Number.isInteger(top) || top < 1)
      throw new GraphHttpError(400, 'invalidRequest', 'Invalid $top');
    const skip = Number(q.get('$skiptoken') ?? '0');
    const page = items.slice(skip, skip + top);
    const select = selectOf(q);
    const hidden = this.hiddenOf(list);
    const expandsFields = /fields/.test(q.get('$expand') ?? q.get('expand') ?? '');
    const result: Record<string, unknown> = {
      value: page.map((i) => {
        const json = itemJson(i, select, hidden);
        if (!expandsFields) delete json.fields;
        return json;
      }),
    };
    if (skip + top < items.length) {
      const next = new URLSearchParams(q);
      next.set('$skiptoken', String(skip + top));
      result['@odata.nextLink'] =
        `${this.url}/sites/${encodeURIComponent(this.site.id)}/lists/${list.id}/items?${next.toString()}`;
    }
    return result;
  }

  // ---- $batch -----------------------------------------------------------------------

  private async batch(request: EmuRequest): Promise<EmuResponse> {
    const body = request.body;
    if (!isRecord(body) || !Array.isArray(body.requests))
      throw new GraphHttpError(400, 'BadRequest', 'Invalid batch payload format.');
    const requests = body.requests as unknown[];
    if (requests.length > MAX_BATCH)
      throw new GraphHttpError(
        400,
        'BadRequest',
        `Invalid batch payload: the number of requests exceeds the limit of ${MAX_BATCH}.`,
      );
    for (const raw of requests)
      if (
        !isRecord(raw) ||
        typeof raw.id !== 'string' ||
        typeof raw.method !== 'string' ||
        typeof raw.url !== 'string'
      )
        throw new GraphHttpError(400, 'BadRequest', 'Each request needs id, method and url');
    const shaped = (requests as Record<string, unknown>[]).map((r) => ({
      id: String(r.id),
      dependsOn: Array.isArray(r.dependsOn) ? r.dependsOn.map(String) : [],
    }));
    const shape = batchShapeOf(shaped);
    if (!shape.ok && this.isStrict('batchDependsOn'))
      throw new GraphHttpError(400, 'BadRequest', `Invalid dependsOn: ${shape.reason}`);
    const depth =
      shape.ok && this.isStrict('sequentialBatchLatency')
        ? sequentialDepth(shape.shape, requests.length)
        : 1;
    // The first request's latency was spent on the HTTP request; the others run after it.
    if (this.latencyMs > 0 && depth > 1) await sleep(this.latencyMs * (depth - 1));
    const statuses = new Map<string, number>();
    const responses: Record<string, unknown>[] = [];
    for (const raw of requests as Record<string, unknown>[]) {
      if (
        typeof raw.id !== 'string' ||
        typeof raw.method !== 'string' ||
        typeof raw.url !== 'string'
      )
        continue;
      const dependsOn = Array.isArray(raw.dependsOn) ? (raw.dependsOn as unknown[]) : [];
      const failedDependency = dependsOn.some((d) => (statuses.get(String(d)) ?? 424) >= 400);
      let response: EmuResponse;
      const url = new URL(raw.url.replace(/^\/?/, '/'), 'http://emulator');
      const headers: Record<string, string> = {};
      if (isRecord(raw.headers))
        for (const [k, v] of Object.entries(raw.headers))
          if (typeof v === 'string') headers[k.toLowerCase()] = v;
      // Inner requests run as the caller of the batch (their units are charged to it).
      if (request.headers.authorization !== undefined)
        headers.authorization = request.headers.authorization;
      const inner: EmuRequest = {
        method: raw.method.toUpperCase(),
        path: url.pathname.replace(/^\/v1\.0(?=\/)/, ''),
        query: url.searchParams,
        headers,
        body: raw.body,
        inner: true,
      };
      if (failedDependency) {
        response = errorResponse(
          new GraphHttpError(424, 'FailedDependency', 'A request this one depends on failed'),
        );
      } else {
        response = await this.respond(inner, () => null);
        this.log.push({
          method: inner.method,
          path: inner.path,
          inner: true,
          status: response.status,
        });
      }
      statuses.set(raw.id, response.status);
      responses.push({
        id: raw.id,
        status: response.status,
        headers: response.headers,
        body: response.body ?? null,
      });
    }
    return { ...ok({ responses }), depth };
  }
}

// ---- helpers --------------------------------------------------------------------------

const ok = (body: unknown, headers: Record<string, string> = {}): EmuResponse => ({
  status: 200,
  headers: { 'Content-Type': 'application/json', ...headers },
  body,
});
const created = (body: unknown): EmuResponse => ({
  status: 201,
  headers: { 'Content-Type': 'application/json' },
  body,
});
const notFound = (message: string): GraphHttpError =>
  new GraphHttpError(404, 'itemNotFound', message);

function errorResponse(e: GraphHttpError): EmuResponse {
  return {
    status: e.status,
    headers: { 'Content-Type': 'application/json', ...e.headers },
    body: {
      error: {
        code: e.code,
        message: e.message,
        innerError: { date: now(), 'request-id': randomUUID() },
      },
    },
  };
}

function faultResponse(fault: Fault): EmuResponse {
  const messages: Record<Fault['status'], [string, string]> = {
    429: ['TooManyRequests', 'Too many requests'],
    503: ['serviceNotAvailable', 'Service unavailable'],
    504: ['gatewayTimeout', 'Gateway timeout'],
    500: ['generalException', 'General exception'],
  };
  const [code, message] = messages[fault.status];
  return errorResponse(
    new GraphHttpError(
      fault.status,
      code,
      message,
      fault.retryAfterSeconds === undefined
        ? {}
        : { 'Retry-After': String(fault.retryAfterSeconds) },
    ),
  );
}

function assertIndexable(column: EmulatedColumn): void {
  if (column.enforceUniqueValues && !column.indexed)
    throw new GraphHttpError(
      400,
      'invalidRequest',
      `Column ${column.name}: enforcing unique values needs an indexed column`,
    );
  if (
    column.indexed &&
    column.type === 'text' &&
    (column.facet as { allowMultipleLines?: unknown }).allowMultipleLines === true
  )
    throw new GraphHttpError(
      400,
      'invalidRequest',
      `Column ${column.name}: a note column cannot be indexed`,
    );
}

function checkIfMatch(item: EmulatedItem, ifMatch: string | undefined): void {
  if (ifMatch === undefined || ifMatch === '*') return;
  if (ifMatch !== etagOf(item))
    throw new GraphHttpError(412, 'preconditionFailed', 'ETag mismatch: the item was changed');
}

function validFields(
  list: EmulatedList,
  given: Record<string, unknown>,
  dateOnly: (value: string) => string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(given)) {
    if (name.startsWith('@') || name.endsWith('@odata.type')) continue;
    const column = list.columns.find((c) => c.name === name);
    if (!column)
      throw new GraphHttpError(400, 'invalidRequest', `Field '${name}' is not recognized`);
    if (value !== null) {
      const okType =
        column.type === 'number'
          ? typeof value === 'number'
          : column.type === 'boolean'
            ? typeof value === 'boolean'
            : column.type === 'dateTime'
              ? typeof value === 'string' && !Number.isNaN(Date.parse(value))
              : typeof value === 'string';
      if (!okType)
        throw new GraphHttpError(
          400,
          'invalidRequest',
          `The value of field '${name}' does not fit a ${column.type} column`,
        );
      if (column.type === 'choice') {
        const choices = (column.facet as { choices?: unknown }).choices;
        if (Array.isArray(choices) && !choices.includes(value))
          throw new GraphHttpError(
            400,
            'invalidRequest',
            `'${scalarText(value)}' is not a choice of ${name}`,
          );
      }
      if (
        column.type === 'text' &&
        (column.facet as { allowMultipleLines?: unknown }).allowMultipleLines !== true &&
        typeof value === 'string' &&
        value.length > 255
      )
        throw new GraphHttpError(400, 'invalidRequest', `Field '${name}' is longer than 255`);
    }
    const isDateOnly = (column.facet as { format?: unknown }).format === 'dateOnly';
    out[name] =
      column.type === 'dateTime' && typeof value === 'string'
        ? isDateOnly
          ? dateOnly(value)
          : new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z')
        : value;
  }
  return out;
}

function duplicatesOf(
  list: EmulatedList,
  fields: Record<string, unknown>,
  selfId: string | null,
): string[] {
  return list.columns
    .filter((c) => {
      if (!c.enforceUniqueValues) return false;
      const v = fields[c.name];
      if (v === null || v === undefined || v === '') return false;
      const key = scalarText(v).toLowerCase();
      return [...list.items.values()].some(
        (i) => i.id !== selfId && scalarText(i.fields[c.name]).toLowerCase() === key,
      );
    })
    .map((c) => c.name);
}

function selectOf(query: URLSearchParams): string[] | null {
  const expand = query.get('$expand') ?? query.get('expand') ?? '';
  const m = /fields\(\$?select=([^)]*)\)/.exec(expand);
  return m?.[1] ? m[1].split(',').map((s) => s.trim()) : null;
}

function fieldsJson(
  item: EmulatedItem,
  select: readonly string[] | null,
  hidden: ReadonlySet<string>,
): Record<string, unknown> {
  const fields: Record<string, unknown> = { '@odata.etag': etagOf(item), id: item.id };
  for (const [k, v] of Object.entries(item.fields))
    if (select === null ? !hidden.has(k) : select.includes(k)) fields[k] = v;
  if (select === null || select.includes('Created')) fields.Created = item.created;
  if (select === null || select.includes('Modified')) fields.Modified = item.modified;
  return fields;
}

function itemJson(
  item: EmulatedItem,
  select: readonly string[] | null,
  hidden: ReadonlySet<string>,
): Record<string, unknown> {
  return {
    '@odata.etag': etagOf(item),
    id: item.id,
    eTag: etagOf(item),
    createdDateTime: item.created,
    lastModifiedDateTime: item.modified,
    fields: fieldsJson(item, select, hidden),
  };
}

/** `$select` on `.../fields` itself. */
function plainSelectOf(query: URLSearchParams): string[] | null {
  const text = query.get('$select') ?? query.get('select');
  return text ? text.split(',').map((s) => s.trim()) : null;
}

function columnJson(c: EmulatedColumn): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    displayName: c.displayName,
    description: c.description,
    indexed: c.indexed,
    enforceUniqueValues: c.enforceUniqueValues,
    required: c.required,
    hidden: c.hidden,
    readOnly: false,
    [c.type]: c.facet,
  };
}
