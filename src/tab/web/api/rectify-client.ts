import { OPERATION_ROUTES } from '../../../contract/car-operations.js';
import type {
  AuditEntry,
  Car,
  CarListFilter,
  CommandBody,
  CommandName,
  FieldError,
  Me,
  MyAction,
  Page,
  ReportInput,
} from './types.js';

/** A failed API call, normalised from problem+json (or from no answer at all: status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly errors: readonly FieldError[] = [],
    readonly details: Readonly<Record<string, unknown>> = {},
    readonly correlationId: string | null = null,
  ) {
    super(title);
    this.name = 'ApiError';
  }

  /** The message for a field (`title`, `owner.id`, ...), if the API named one. */
  fieldMessage(field: string): string | undefined {
    return this.errors.find((e) => e.field === field || e.field.startsWith(`${field}.`))?.message;
  }
}

/** 409 CAR.CONFLICT: someone else changed the CAR; `current` is what is stored now. */
export class ConflictError extends ApiError {
  readonly current: Car;
  constructor(base: ApiError, current: Car) {
    super(base.status, base.code, base.title, base.errors, base.details, base.correlationId);
    this.name = 'ConflictError';
    this.current = current;
  }
}

export type TokenSource = () => Promise<string>;

interface Problem {
  code?: unknown;
  title?: unknown;
  detail?: unknown;
  errors?: unknown;
  details?: unknown;
  correlationId?: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export async function toApiError(res: Response): Promise<ApiError> {
  let problem: Problem = {};
  try {
    const body: unknown = await res.json();
    if (isRecord(body)) problem = body;
  } catch (e) {
    // A proxy's HTML error page, or no body: the status alone has to do.
    if (!(e instanceof SyntaxError)) throw e;
  }
  const errors = Array.isArray(problem.errors)
    ? problem.errors.filter(isRecord).map((e) => ({
        field: typeof e.field === 'string' ? e.field : typeof e.path === 'string' ? e.path : '',
        message: typeof e.message === 'string' ? e.message : 'Not valid',
      }))
    : [];
  const title =
    typeof problem.detail === 'string'
      ? problem.detail
      : typeof problem.title === 'string'
        ? problem.title
        : `The server answered ${res.status}`;
  const error = new ApiError(
    res.status,
    typeof problem.code === 'string' ? problem.code : `HTTP.${res.status}`,
    title,
    errors,
    isRecord(problem.details) ? problem.details : {},
    typeof problem.correlationId === 'string' ? problem.correlationId : null,
  );
  if (error.code === 'CAR.CONFLICT' && isRecord(error.details.current)) {
    const current = error.details.current as unknown as Car;
    const etag = typeof error.details.currentEtag === 'string' ? error.details.currentEtag : '';
    return new ConflictError(error, { ...current, etag });
  }
  return error;
}

const query = (filter: CarListFilter): string => {
  const p = new URLSearchParams();
  const list = (k: string, v: readonly string[] | undefined) => {
    if (v && v.length > 0) p.set(k, v.join(','));
  };
  list('state', filter.state);
  list('type', filter.type);
  list('classification', filter.classification);
  list('causeCategory', filter.causeCategory);
  if (filter.cursor) p.set('cursor', filter.cursor);
  if (filter.overdue !== undefined) p.set('overdue', String(filter.overdue));
  if (filter.q) p.set('q', filter.q);
  if (filter.owner) p.set('owner', filter.owner);
  if (filter.sort) p.set('sort', filter.sort);
  if (filter.order) p.set('order', filter.order);
  if (filter.limit) p.set('limit', String(filter.limit));
  const s = p.toString();
  return s ? `?${s}` : '';
};

/** The tab's one way to the REST API. Components use it through the hooks, never Graph. */
export class RectifyClient {
  constructor(
    private readonly token: TokenSource,
    private readonly base = '',
  ) {}

  /** Fetches `path` with the bearer token; the caller reads the answer. */
  async fetchWithToken(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(`${this.base}${path}`, {
        ...init,
        headers: {
          ...(init.headers as Record<string, string> | undefined),
          Authorization: `Bearer ${await this.token()}`,
        },
      });
    } catch (e) {
      if (e instanceof TypeError)
        throw new ApiError(0, 'NETWORK.UNREACHABLE', 'Rectify could not be reached. Try again.');
      throw e;
    }
  }

  /**
   * One JSON call of the API. The calls of the views loaded on demand are in `more-calls.ts`,
   * so that the report view's first load carries only its own.
   */
  async send<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ data: T; res: Response }> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          Accept: 'application/json',
          Authorization: `Bearer ${await this.token()}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch (e) {
      if (e instanceof TypeError)
        throw new ApiError(0, 'NETWORK.UNREACHABLE', 'Rectify could not be reached. Try again.');
      throw e;
    }
    if (!res.ok) throw await toApiError(res);
    const data = (res.status === 204 ? null : await res.json()) as T;
    return { data, res };
  }

  async me(): Promise<Me> {
    return (await this.send<Me>('GET', '/api/me')).data;
  }

  async listCars(filter: CarListFilter = {}): Promise<Page<Car>> {
    return (await this.send<Page<Car>>('GET', `/api/cars${query(filter)}`)).data;
  }

  /** The caller's own reports, newest first (`GET /api/me/reports`). */
  async myReports(filter: CarListFilter = {}): Promise<Page<Car>> {
    return (await this.send<Page<Car>>('GET', `/api/me/reports${query(filter)}`)).data;
  }

  async getCar(idOrNumber: string): Promise<Car> {
    return (await this.send<Car>('GET', `/api/cars/${encodeURIComponent(idOrNumber)}`)).data;
  }

  async history(id: string): Promise<readonly AuditEntry[]> {
    const path = `/api/cars/${encodeURIComponent(id)}/history`;
    return (await this.send<{ items: AuditEntry[] }>('GET', path)).data.items;
  }

  async myActions(): Promise<readonly MyAction[]> {
    return (await this.send<{ items: MyAction[] }>('GET', '/api/me/actions')).data.items;
  }

  /** Reports an ISMS event; the same key with the same body never creates a second report. */
  async report(input: ReportInput, idempotencyKey: string): Promise<Car> {
    return (await this.send<Car>('POST', '/api/cars', input, { 'Idempotency-Key': idempotencyKey }))
      .data;
  }

  /**
   * Runs one lifecycle operation on the version the user saw (`If-Match`). Resolves to the
   * CAR after the change, or null when the caller may act but not read (an owner completing
   * an action on a confidential CAR).
   */
  async execute<K extends CommandName>(
    op: K,
    car: { readonly id: string; readonly etag: string },
    body: CommandBody<K>,
  ): Promise<Car | null> {
    const route = OPERATION_ROUTES[op];
    const params = body as Record<string, unknown>;
    const sub = route.path.replace(/:(\w+)/g, (_m, name: string) =>
      encodeURIComponent(typeof params[name] === 'string' ? params[name] : ''),
    );
    const rest = Object.fromEntries(
      Object.entries(params).filter(([k]) => !(route.pathParams as readonly string[]).includes(k)),
    );
    const path = `/api/cars/${encodeURIComponent(car.id)}${sub}`;
    const { data } = await this.send<Car | null>(route.method.toUpperCase(), path, rest, {
      'If-Match': car.etag,
    });
    return data;
  }
}
