import { randomUUID } from 'node:crypto';
import type { AuditFeed, CarChange } from '../../application/ports/audit-feed.js';
import type {
  NewStateRecord,
  StateChange,
  StateRecord,
  StateStore,
} from '../../application/ports/state-store.js';

/**
 * What the background pollers may spend of SharePoint's throttling budget. SharePoint charges
 * each app per tenant in resource units per minute, whatever the number of instances
 * (https://learn.microsoft.com/en-us/sharepoint/dev/general-development/how-to-avoid-getting-throttled-or-blocked-in-sharepoint-online):
 * idle instances polling every few seconds would spend a third of it. So:
 *
 * - One poller per tenant: the instances share a lease record in the state list; only its
 *   holder reads the audit feed and the due outbox entries. The others check the lease once a
 *   lease period and take it over when it has run out (an instance that stopped).
 * - Adaptive back-off: each reader's poll interval doubles while it finds nothing, up to
 *   `maxMs`, and drops back to every tick as soon as anything is found or this instance writes.
 *
 * An idle deployment then costs the lease checks and one read per reader per `maxMs`; a change
 * made through another instance is picked up within `maxMs`.
 */

export interface PollGateOptions {
  readonly state: StateStore;
  readonly now?: () => number;
  /** The longest wait between two polls of an idle reader. */
  readonly maxMs?: number;
  /** How long a lease lasts; the holder renews it after half of it. */
  readonly leaseMs?: number;
  readonly instanceId?: string;
}

const LEASE_KEY = 'lease:background-pollers';
const LEASE_KIND = 'lease';
const DEFAULT_MAX_MS = 60_000;
const DEFAULT_LEASE_MS = 120_000;
const FIRST_WAIT_MS = 1_000;
const MAX_READERS = 100;

interface Reader {
  waitMs: number;
  nextAt: number;
}

const isLease = (v: unknown): v is { holder: string; until: number } =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { holder?: unknown }).holder === 'string' &&
  typeof (v as { until?: unknown }).until === 'number';

export class PollGate {
  readonly instanceId: string;
  private readonly now: () => number;
  private readonly maxMs: number;
  private readonly leaseMs: number;
  private readonly readers = new Map<string, Reader>();
  private holder = false;
  private leaseCheckedAt = -Infinity;

  constructor(private readonly options: PollGateOptions) {
    this.instanceId = options.instanceId ?? randomUUID();
    this.now = options.now ?? Date.now;
    this.maxMs = options.maxMs ?? DEFAULT_MAX_MS;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /** Something happened (a write here, a change found): every reader polls at once again. */
  noteActivity(): void {
    this.readers.clear();
  }

  /** Whether the reader `key` may poll now: this instance holds the lease and its wait is over. */
  async mayPoll(key: string): Promise<boolean> {
    if (!(await this.holdsLease())) return false;
    const reader = this.readers.get(key);
    return reader === undefined || this.now() >= reader.nextAt;
  }

  /** After a poll: found something, or wait twice as long as last time. */
  polled(key: string, foundAnything: boolean): void {
    if (foundAnything) {
      this.noteActivity();
      return;
    }
    if (this.readers.size >= MAX_READERS && !this.readers.has(key)) this.readers.clear();
    const waitMs = Math.min(this.maxMs, (this.readers.get(key)?.waitMs ?? FIRST_WAIT_MS / 2) * 2);
    this.readers.set(key, { waitMs, nextAt: this.now() + waitMs });
  }

  /** Whether this instance polls for the tenant; checked once per half lease. */
  async holdsLease(): Promise<boolean> {
    const now = this.now();
    if (now - this.leaseCheckedAt < this.leaseMs / 2) return this.holder;
    this.leaseCheckedAt = now;
    const lease = { holder: this.instanceId, until: now + this.leaseMs };
    const current = await this.options.state.get(LEASE_KEY);
    if (!current) {
      const made = await this.options.state.createIfAbsent({
        key: LEASE_KEY,
        kind: LEASE_KIND,
        value: lease,
        dueAt: null,
      });
      this.holder =
        made.created ||
        (isLease(made.record.value) && made.record.value.holder === this.instanceId);
      return this.holder;
    }
    const value = current.value;
    const mine = isLease(value) && value.holder === this.instanceId;
    const expired = !isLease(value) || value.until <= now;
    if (!mine && !expired) {
      this.holder = false;
      return false;
    }
    const renewed = await this.options.state.replace(LEASE_KEY, current.etag, {
      value: lease,
      dueAt: null,
    });
    this.holder = renewed !== null;
    return this.holder;
  }
}

/** The audit feed, read only when the gate lets this reader poll. */
export class GatedAuditFeed implements AuditFeed {
  constructor(
    private readonly feed: AuditFeed,
    private readonly gate: PollGate,
  ) {}

  async read(
    after: string | null,
    limit: number,
  ): Promise<{ readonly changes: readonly CarChange[]; readonly next: string | null }> {
    const key = `feed:${after ?? ''}`;
    if (!(await this.gate.mayPoll(key))) return { changes: [], next: null };
    const result = await this.feed.read(after, limit);
    this.gate.polled(key, result.next !== null);
    return result;
  }

  head(): Promise<string | null> {
    return this.feed.head();
  }
}

/**
 * The state store, whose pollers' questions ask SharePoint only when the gate lets them: `due`,
 * and the feed cursors (`cursor:...`), which a poller reads before each feed read; between two
 * allowed polls a cursor is answered from what this instance last read or wrote (a move from a
 * stale copy is a compare-and-set that loses, changing nothing).
 */
export class GatedStateStore implements StateStore {
  private readonly cursors = new Map<string, StateRecord>();

  constructor(
    private readonly store: StateStore,
    private readonly gate: PollGate,
  ) {}

  async get(key: string): Promise<StateRecord | null> {
    if (!key.startsWith('cursor:')) return this.store.get(key);
    const copy = this.cursors.get(key);
    const gateKey = `get:${key}`;
    if (copy && !(await this.gate.mayPoll(gateKey))) return copy;
    const record = await this.store.get(key);
    this.gate.polled(gateKey, copy !== undefined && record?.etag !== copy.etag);
    this.keep(key, record);
    return record;
  }

  private keep(key: string, record: StateRecord | null): void {
    if (!key.startsWith('cursor:')) return;
    if (record) this.cursors.set(key, record);
    else this.cursors.delete(key);
  }

  async createIfAbsent(record: NewStateRecord): Promise<{ record: StateRecord; created: boolean }> {
    const result = await this.store.createIfAbsent(record);
    this.keep(record.key, result.record);
    // Something was queued or recorded here: the pollers look again at once.
    if (result.created && record.dueAt !== null) this.gate.noteActivity();
    return result;
  }

  async replace(key: string, etag: string, change: StateChange): Promise<StateRecord | null> {
    const record = await this.store.replace(key, etag, change);
    if (record) this.keep(key, record);
    else this.cursors.delete(key);
    return record;
  }

  async due(kind: string, before: string, limit: number): Promise<readonly StateRecord[]> {
    const key = `due:${kind}`;
    if (!(await this.gate.mayPoll(key))) return [];
    const found = await this.store.due(kind, before, limit);
    this.gate.polled(key, found.length > 0);
    return found;
  }

  list(
    kind: string,
    options: { readonly prefix?: string; readonly after?: string; readonly limit: number },
  ): Promise<readonly StateRecord[]> {
    return this.store.list(kind, options);
  }
}
