import { z } from 'zod';
import type { AuditFeed, CarChange } from '../../application/ports/audit-feed.js';
import { AUDIT_SELECT, auditRowsOf } from './car-list-mapper.js';
import { A, C } from './rectify-lists.js';
import { odataString, type SharePointListClient } from './sharepoint-list-client.js';

/**
 * The CAR writes from the SharePoint lists, for the notifier.
 *
 * An audit item is created in the same $batch as its CAR write; if that item is lost it is sent
 * again by the CAR's next write, so it can appear late, after items written later. And
 * instances' clocks differ a little. So the feed reads by time with an overlap, and from two
 * places, both on indexed columns:
 *
 * - the audit list by its `At` column, from the watermark minus the overlap;
 * - the CAR list by `LastChangedAt` over the same window, for the audit item each CAR keeps of
 *   its last write (LastAudit): a write whose audit item was lost is found there until the
 *   next write re-sends it.
 *
 * Changes are named by their write id. The position holds the watermark and the write ids
 * already answered inside the overlap, so a re-read window answers nothing twice. Consumers
 * still key their work on the change id (a crash between acting and storing the position
 * repeats a change), which also makes a write answered again after the overlap harmless.
 * What is not covered: an audit item lost, and re-sent by the next write more than the overlap
 * after it was written, when the next write came before any instance read the CAR list.
 */

const DEFAULT_OVERLAP_MS = 120_000;
const PAGE = 200;
/** Ids kept in a position at most; beyond it the oldest go (a repeat then is only extra work). */
const MAX_SEEN = 1000;
const EPOCH = '1970-01-01T00:00:00Z';

const PositionSchema = z.object({
  v: z.literal(1),
  t: z.string(),
  s: z.array(z.tuple([z.string(), z.string()])),
});
type Position = z.infer<typeof PositionSchema>;

interface Found extends CarChange {
  /** The indexed column's value the change was found by (seconds), for ordering and bounds. */
  readonly col: string;
  /** The CAR's own audit sequence: orders the writes of one CAR made in the same instant. */
  readonly seq: number;
}

const encode = (p: Position): string =>
  Buffer.from(JSON.stringify(p), 'utf8').toString('base64url');

function decode(text: string | null): Position {
  if (text === null) return { v: 1, t: EPOCH, s: [] };
  try {
    return PositionSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch (e) {
    throw new Error('not a position of the SharePoint audit feed', { cause: e });
  }
}

/** An instant as the dateTime columns hold it: whole seconds, `Z`. */
const seconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const secondsOf = (iso: string): string => seconds(Date.parse(iso));

function changeOf(fields: Readonly<Record<string, unknown>>, col: string, what: string): Found {
  const rows = auditRowsOf(fields, what);
  const first = rows[0];
  const writeId = fields[A.writeId];
  if (!first || typeof writeId !== 'string') throw new Error(`${what} holds no write`);
  return {
    id: writeId,
    carId: first.carId,
    operation: first.operation,
    actorId: first.actorId,
    at: first.at,
    col: secondsOf(col),
    seq: first.sequence,
  };
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Time, then (same instant) one CAR's own order, then anything stable. */
const byTime = (a: Found, b: Found): number =>
  compareText(a.col, b.col) ||
  compareText(a.at, b.at) ||
  compareText(a.carId, b.carId) ||
  a.seq - b.seq ||
  compareText(a.id, b.id);

export class GraphAuditFeed implements AuditFeed {
  constructor(
    private readonly lists: SharePointListClient,
    private readonly ids: { readonly cars: string; readonly audit: string },
    private readonly options: { readonly overlapMs?: number; readonly now?: () => Date } = {},
  ) {}

  private get overlapMs(): number {
    return this.options.overlapMs ?? DEFAULT_OVERLAP_MS;
  }

  async read(
    after: string | null,
    limit: number,
  ): Promise<{ readonly changes: readonly CarChange[]; readonly next: string | null }> {
    if (!Number.isInteger(limit) || limit < 1) throw new Error('a feed limit is a whole number');
    const position = decode(after);
    const seen = new Set(position.s.map(([id]) => id));
    const since = seconds(Date.parse(position.t) - this.overlapMs);
    const [audit, cars] = await Promise.all([
      this.fromAudit(since, seen, limit),
      this.fromCars(since, seen, limit),
    ]);
    // A source that stopped early may hold more changes after its last one: go no further.
    const bounds = [audit, cars].filter((s) => !s.complete).map((s) => s.lastCol);
    const bound = bounds.length > 0 ? bounds.sort()[0] : null;
    const merged = new Map<string, Found>();
    for (const f of [...audit.found, ...cars.found]) {
      if (bound !== null && bound !== undefined && f.col > bound) continue;
      const known = merged.get(f.id);
      if (!known || byTime(f, known) < 0) merged.set(f.id, f);
    }
    const taken = [...merged.values()].sort(byTime).slice(0, limit);
    const last = taken.at(-1);
    if (!last) return { changes: [], next: null };
    const t = last.col > position.t ? last.col : position.t;
    const keepFrom = seconds(Date.parse(t) - this.overlapMs);
    const s = [...position.s, ...taken.map((f): [string, string] => [f.id, f.col])]
      .filter(([, col]) => col >= keepFrom)
      .slice(-MAX_SEEN);
    return {
      changes: taken.map(({ id, carId, operation, actorId, at }): CarChange => ({
        id,
        carId,
        operation,
        actorId,
        at,
      })),
      next: encode({ v: 1, t, s }),
    };
  }

  async head(): Promise<string | null> {
    const now = (this.options.now ?? (() => new Date()))().getTime();
    const since = seconds(now - this.overlapMs);
    const none = new Set<string>();
    const [audit, cars] = await Promise.all([
      this.fromAudit(since, none, MAX_SEEN),
      this.fromCars(since, none, MAX_SEEN),
    ]);
    const all = [...audit.found, ...cars.found].sort(byTime);
    const latest = all.at(-1)?.col;
    const t = latest !== undefined && latest > seconds(now) ? latest : seconds(now);
    const s = [...new Map(all.map((f): [string, string] => [f.id, f.col])).entries()].slice(
      -MAX_SEEN,
    );
    return encode({ v: 1, t, s });
  }

  /** Audit items with At at or after `since`, until `limit` unseen ones were found. */
  private async fromAudit(
    since: string,
    seen: ReadonlySet<string>,
    limit: number,
  ): Promise<{ found: Found[]; complete: boolean; lastCol: string }> {
    const found: Found[] = [];
    let lastCol = since;
    for await (const page of this.lists.queryItems(this.ids.audit, {
      filter: `fields/${A.at} ge ${odataString(since)}`,
      orderBy: [{ field: A.at, desc: false }],
      select: AUDIT_SELECT,
      top: PAGE,
    })) {
      for (const item of page) {
        const col = item.fields[A.at];
        if (typeof col !== 'string') continue;
        lastCol = secondsOf(col);
        const f = changeOf(item.fields, col, `audit item ${item.id}`);
        if (!seen.has(f.id)) found.push(f);
      }
      if (found.length >= limit) return { found, complete: false, lastCol };
    }
    return { found, complete: true, lastCol };
  }

  /** The last write each CAR changed at or after `since` keeps, until `limit` unseen ones. */
  private async fromCars(
    since: string,
    seen: ReadonlySet<string>,
    limit: number,
  ): Promise<{ found: Found[]; complete: boolean; lastCol: string }> {
    const found: Found[] = [];
    let lastCol = since;
    for await (const page of this.lists.queryItems(this.ids.cars, {
      filter: `fields/${C.changedAt} ge ${odataString(since)}`,
      orderBy: [{ field: C.changedAt, desc: false }],
      select: [C.carId, C.writeId, C.lastAudit, C.changedAt],
      top: PAGE,
    })) {
      for (const item of page) {
        const col = item.fields[C.changedAt];
        const text = item.fields[C.lastAudit];
        if (typeof col !== 'string' || typeof text !== 'string' || text === '') continue;
        lastCol = secondsOf(col);
        const f = changeOf(
          JSON.parse(text) as Record<string, unknown>,
          col,
          `last audit of CAR item ${item.id}`,
        );
        if (!seen.has(f.id)) found.push(f);
      }
      if (found.length >= limit) return { found, complete: false, lastCol };
    }
    return { found, complete: true, lastCol };
  }
}
