import type { StateRecord, StateStore } from './ports/state-store.js';
import { RectifyError } from '../domain/errors.js';

/**
 * Work to be done once, kept in the shared StateStore so that any running instance may do it.
 *
 * - `enqueue` is a create keyed by the caller's key: a repeat (another instance, a re-read
 *   feed) is a no-op, so an entry is queued at most once.
 * - `claimDue` takes each due entry by a compare-and-set that moves its due time a lease ahead:
 *   only the instance whose replace wins works on it, and if that instance dies the entry falls
 *   due again when the lease ends. Each claim counts as an attempt.
 * - `settle` and `retryLater` are compare-and-sets on the claimed version: an instance whose
 *   lease ran out and whose entry was claimed again changes nothing.
 *
 * So, with leases longer than a delivery, every entry is delivered exactly once while nothing
 * fails, and at least once when instances crash or deliveries fail.
 */

export interface OutboxEntry<P> {
  readonly key: string;
  readonly payload: P;
  /** Claims so far, this one included. */
  readonly attempts: number;
  readonly createdAt: string;
  readonly outcome: string | null;
  readonly settledAt: string | null;
  readonly lastError: string | null;
}

/** An entry this instance holds the lease of. */
export interface ClaimedEntry<P> extends OutboxEntry<P> {
  /** The version the claim wrote: settle and retryLater need it. */
  readonly etag: string;
}

interface StoredEntry {
  readonly payload: unknown;
  readonly attempts: number;
  readonly createdAt: string;
  readonly outcome: string | null;
  readonly settledAt: string | null;
  readonly lastError: string | null;
}

export interface OutboxOptions<P> {
  /** Names the queue: its records have kind `outbox.<name>` and keys `outbox.<name>:<key>`. */
  readonly name: string;
  /** Parses a stored payload (a zod schema's `parse`). */
  readonly parse: (value: unknown) => P;
  /** After this many attempts an entry is settled as `gave_up`. */
  readonly maxAttempts?: number;
}

export const GAVE_UP = 'gave_up';
const MAX_ERROR_LENGTH = 500;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function storedEntryOf(record: StateRecord): StoredEntry {
  const v = record.value;
  if (
    !isRecord(v) ||
    !('payload' in v) ||
    typeof v.attempts !== 'number' ||
    typeof v.createdAt !== 'string'
  )
    throw new Error(`outbox record ${record.key} is not an outbox entry`);
  const text = (x: unknown): string | null => (typeof x === 'string' ? x : null);
  return {
    payload: v.payload,
    attempts: v.attempts,
    createdAt: v.createdAt,
    outcome: text(v.outcome),
    settledAt: text(v.settledAt),
    lastError: text(v.lastError),
  };
}

export class Outbox<P> {
  readonly kind: string;
  private readonly prefix: string;
  private readonly maxAttempts: number;

  constructor(
    private readonly store: StateStore,
    private readonly options: OutboxOptions<P>,
  ) {
    if (!/^[a-z][a-z0-9-]{0,40}$/.test(options.name))
      throw new RectifyError('STATE.INVALID', { name: options.name }, 'an outbox name is a-z0-9-');
    this.kind = `outbox.${options.name}`;
    this.prefix = `${this.kind}:`;
    this.maxAttempts = options.maxAttempts ?? 8;
  }

  /** Queues `payload` under `key` unless that key was queued before. True when queued now. */
  async enqueue(key: string, payload: P, now: Date): Promise<boolean> {
    const at = now.toISOString();
    const value: StoredEntry = {
      payload,
      attempts: 0,
      createdAt: at,
      outcome: null,
      settledAt: null,
      lastError: null,
    };
    const { created } = await this.store.createIfAbsent({
      key: this.prefix + key,
      kind: this.kind,
      value,
      dueAt: at,
    });
    return created;
  }

  /** The entry under `key`, settled or not; null when never queued. */
  async get(key: string): Promise<OutboxEntry<P> | null> {
    const record = await this.store.get(this.prefix + key);
    return record ? this.entryOf(record) : null;
  }

  /**
   * Claims up to `limit` due entries for `leaseMs`. An entry that used up its attempts is
   * settled as `gave_up` instead of being handed out.
   */
  async claimDue(now: Date, leaseMs: number, limit: number): Promise<ClaimedEntry<P>[]> {
    const due = await this.store.due(this.kind, now.toISOString(), limit);
    const claimed: ClaimedEntry<P>[] = [];
    for (const record of due) {
      const stored = storedEntryOf(record);
      if (stored.attempts >= this.maxAttempts) {
        await this.store.replace(record.key, record.etag, {
          value: { ...stored, outcome: GAVE_UP, settledAt: now.toISOString() },
          dueAt: null,
        });
        continue;
      }
      const next: StoredEntry = { ...stored, attempts: stored.attempts + 1 };
      const won = await this.store.replace(record.key, record.etag, {
        value: next,
        dueAt: new Date(now.getTime() + leaseMs).toISOString(),
      });
      if (won) claimed.push({ ...this.entryOf(won), etag: won.etag });
    }
    return claimed;
  }

  /** Done (delivered, or nothing to deliver to): kept with its outcome, never due again. */
  async settle(entry: ClaimedEntry<P>, outcome: string, now: Date): Promise<boolean> {
    return this.write(entry, { outcome, settledAt: now.toISOString() }, null);
  }

  /**
   * Failed this time: due again at `at`, or settled as `gave_up` once the attempts are used up.
   * False when the lease was lost (another instance holds the entry now).
   */
  async retryLater(entry: ClaimedEntry<P>, at: Date, error: string, now: Date): Promise<boolean> {
    const lastError = error.slice(0, MAX_ERROR_LENGTH);
    if (entry.attempts >= this.maxAttempts)
      return this.write(entry, { outcome: GAVE_UP, settledAt: now.toISOString(), lastError }, null);
    return this.write(entry, { lastError }, at.toISOString());
  }

  private async write(
    entry: ClaimedEntry<P>,
    change: Partial<StoredEntry>,
    dueAt: string | null,
  ): Promise<boolean> {
    const value: StoredEntry = {
      payload: entry.payload,
      attempts: entry.attempts,
      createdAt: entry.createdAt,
      outcome: entry.outcome,
      settledAt: entry.settledAt,
      lastError: entry.lastError,
      ...change,
    };
    return (
      (await this.store.replace(this.prefix + entry.key, entry.etag, { value, dueAt })) !== null
    );
  }

  private entryOf(record: StateRecord): OutboxEntry<P> {
    const stored = storedEntryOf(record);
    return {
      key: record.key.slice(this.prefix.length),
      payload: this.options.parse(stored.payload),
      attempts: stored.attempts,
      createdAt: stored.createdAt,
      outcome: stored.outcome,
      settledAt: stored.settledAt,
      lastError: stored.lastError,
    };
  }
}

/** A cursor as read: its position and the version to compare-and-set against. */
export interface CursorState {
  readonly position: string | null;
  /** Null while no cursor is stored. */
  readonly etag: string | null;
}

/**
 * A named position in a feed, kept in the StateStore. Moves are compare-and-sets on the version
 * read, so two instances never move it backwards: the one that read an older version loses.
 */
export class FeedCursor {
  private readonly key: string;

  constructor(
    private readonly store: StateStore,
    name: string,
  ) {
    this.key = `cursor:${name}`;
  }

  async read(): Promise<CursorState> {
    const record = await this.store.get(this.key);
    if (!record) return { position: null, etag: null };
    return { position: positionOf(record), etag: record.etag };
  }

  /** Stores `position` unless a cursor exists; answers the cursor as stored either way. */
  async start(position: string | null): Promise<CursorState> {
    const { record } = await this.store.createIfAbsent({
      key: this.key,
      kind: 'cursor',
      value: { position },
      dueAt: null,
    });
    return { position: positionOf(record), etag: record.etag };
  }

  /** Moves from the state read to `position`; false when someone moved it first. */
  async move(from: CursorState, position: string): Promise<boolean> {
    if (from.etag === null) return (await this.start(position)).position === position;
    return (
      (await this.store.replace(this.key, from.etag, { value: { position }, dueAt: null })) !== null
    );
  }
}

function positionOf(record: StateRecord): string | null {
  const v = record.value;
  if (!isRecord(v) || !(v.position === null || typeof v.position === 'string'))
    throw new Error(`cursor record ${record.key} holds no position`);
  return v.position;
}
