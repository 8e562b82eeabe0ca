import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { AuditFeed } from '../ports/audit-feed.js';
import { canView } from '../access-policy.js';
import type { CarScan } from '../ports/car-scan.js';
import { FeedCursor, GAVE_UP, Outbox, type ClaimedEntry } from '../outbox.js';
import type { Clock } from '../ports/clock.js';
import { repeat, type Repeating } from '../repeat.js';
import type { StateStore } from '../ports/state-store.js';
import type { WebhookPoster } from '../ports/webhook-poster.js';
import type { LocalDate } from '../../domain/calendar/local-date.js';
import type { CarRepository, StoredCar } from '../../domain/car/car-repository.js';
import { eventsOfChange, overdueEvents, type PendingEvent } from './subscription-events.js';
import {
  DeliveredEventSchema,
  SubscriptionStore,
  principalOfSubscription,
  type DeliveredEvent,
  type Subscription,
} from './subscription.js';

/** Whatever logs (pino's Logger fits). */
export interface WorkerLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SubscriptionWorkerDeps {
  readonly state: StateStore;
  readonly feed: AuditFeed;
  readonly scan: CarScan;
  readonly repository: CarRepository;
  readonly poster: WebhookPoster;
  readonly clock: Clock;
  readonly today: () => LocalDate;
  readonly logger: WorkerLog;
  /** Attempts per event before it is given up (and the subscription disabled). */
  readonly maxAttempts?: number;
  /** Failed deliveries in a row after which a subscription is disabled. */
  readonly disableAfterFailures?: number;
  readonly leaseMs?: number;
  /** First retry after this long, doubling each attempt up to `maxBackoffMs`. */
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** How often the overdue actions are looked for. */
  readonly overdueScanMs?: number;
}

const DeliverySchema = z.object({
  subscriptionId: z.string(),
  tenantId: z.string(),
  event: DeliveredEventSchema,
});
type Delivery = z.infer<typeof DeliverySchema>;

export const SUBSCRIPTION_OUTBOX = 'webhooks';
export const SUBSCRIPTION_CURSOR = 'subscriptions';
export const SIGNATURE_HEADER = 'X-Rectify-Signature';
export const TIMESTAMP_HEADER = 'X-Rectify-Timestamp';
export const EVENT_ID_HEADER = 'X-Rectify-Event-Id';

const FEED_PAGE = 200;
const CLAIM_PAGE = 20;

/**
 * `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>` with the subscription's secret: the
 * receiver recomputes it, compares in constant time and refuses old timestamps.
 */
export function signatureOf(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Turns CAR writes and overdue actions into webhook deliveries, through the outbox in the
 * shared StateStore: each (subscription, event) is queued once, delivered at least once (a
 * crash mid-delivery delivers again when the lease ends, with the same event id and body),
 * retried with exponential back-off, and given up after `maxAttempts`. A subscription whose
 * deliveries keep failing is disabled. Only events on CARs the owner may see are queued, and the
 * CAR is checked again before each delivery.
 */
export class SubscriptionWorker {
  private running = false;
  private lastOverdueScan = Number.NEGATIVE_INFINITY;
  private readonly outbox: Outbox<Delivery>;
  private readonly cursor: FeedCursor;
  private readonly subscriptions: SubscriptionStore;

  constructor(private readonly deps: SubscriptionWorkerDeps) {
    this.outbox = new Outbox(deps.state, {
      name: SUBSCRIPTION_OUTBOX,
      parse: (v) => DeliverySchema.parse(v),
      maxAttempts: deps.maxAttempts ?? 8,
    });
    this.cursor = new FeedCursor(deps.state, SUBSCRIPTION_CURSOR);
    this.subscriptions = new SubscriptionStore(deps.state);
  }

  /** A new installation starts at the feed's head: no history is announced. */
  async init(): Promise<void> {
    if ((await this.cursor.read()).etag !== null) return;
    await this.cursor.start(await this.deps.feed.head());
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const active = (await this.subscriptions.all()).filter((s) => s.status === 'active');
      await this.collect(active);
      await this.collectOverdue(active);
      await this.deliverDue();
    } finally {
      this.running = false;
    }
  }

  start(intervalMs: number, isOpen: () => boolean): Repeating {
    const running: Repeating = repeat(
      intervalMs,
      async () => {
        if (!isOpen()) {
          void running.stop();
          return;
        }
        await this.init();
        await this.tick();
      },
      (err) => {
        this.deps.logger.error({ err }, 'webhooks: tick failed');
      },
    );
    return running;
  }

  private async collect(active: readonly Subscription[]): Promise<void> {
    const from = await this.cursor.read();
    const { changes, next } = await this.deps.feed.read(from.position, FEED_PAGE);
    if (next === null) return;
    if (active.length > 0)
      for (const change of changes) {
        const stored = await this.deps.repository.findById(change.carId);
        if (!stored) continue;
        for (const event of eventsOfChange(change, stored.car.toPrimitives()))
          await this.fanOut(event, stored, active);
      }
    await this.cursor.move(from, next);
  }

  private async collectOverdue(active: readonly Subscription[]): Promise<void> {
    const every = this.deps.overdueScanMs ?? 15 * 60_000;
    const now = this.deps.clock.now().getTime();
    if (now - this.lastOverdueScan < every) return;
    this.lastOverdueScan = now;
    const overdueSubs = active.filter((s) => s.event === 'actionOverdue');
    if (overdueSubs.length === 0) return;
    const today = this.deps.today();
    for await (const batch of this.deps.scan.scan())
      for (const { car } of batch) {
        if (!car.actions.some((a) => a.status === 'open' && a.dueDate < today)) continue;
        const stored = await this.deps.repository.findById(car.id);
        if (!stored) continue;
        for (const event of overdueEvents(stored.car.toPrimitives(), today))
          await this.fanOut(event, stored, overdueSubs);
      }
  }

  private async fanOut(
    event: PendingEvent,
    stored: StoredCar,
    active: readonly Subscription[],
  ): Promise<void> {
    const now = this.deps.clock.now();
    for (const s of active) {
      if (s.event !== event.type) continue;
      // Only what happened once the subscription existed.
      if (event.occurredAt < s.createdAt.slice(0, event.type === 'actionOverdue' ? 10 : 24))
        continue;
      if (!canView(principalOfSubscription(s), stored.car)) continue;
      const delivery: Delivery = {
        subscriptionId: s.id,
        tenantId: s.tenantId,
        event: eventBody(event, stored, s.id),
      };
      await this.outbox.enqueue(`${s.tenantId}:${s.id}:${event.id}`, delivery, now);
    }
  }

  private async deliverDue(): Promise<void> {
    const claimed = await this.outbox.claimDue(
      this.deps.clock.now(),
      this.deps.leaseMs ?? 60_000,
      CLAIM_PAGE,
    );
    for (const entry of claimed) await this.deliverOne(entry);
  }

  private async deliverOne(entry: ClaimedEntry<Delivery>): Promise<void> {
    const { subscriptionId, tenantId, event } = entry.payload;
    const found = await this.subscriptions.find(tenantId, subscriptionId);
    const now = this.deps.clock.now();
    if (!found || found.value.status !== 'active') {
      await this.outbox.settle(entry, 'subscription_inactive', now);
      return;
    }
    const subscription = found.value;
    const stored = await this.deps.repository.findById(event.car.id);
    if (!stored || !canView(principalOfSubscription(subscription), stored.car)) {
      await this.outbox.settle(entry, 'not_visible', now);
      return;
    }
    const body = JSON.stringify(event);
    const timestamp = String(Math.floor(now.getTime() / 1000));
    let failure: string | null = null;
    try {
      const status = await this.deps.poster.post(
        subscription.notificationUrl,
        {
          'content-type': 'application/json',
          [EVENT_ID_HEADER]: event.id,
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signatureOf(subscription.secret, timestamp, body),
        },
        body,
      );
      if (status === 410) {
        // The receiver says the flow is gone: stop at once.
        await this.subscriptions.recordOutcome(tenantId, subscriptionId, {
          ok: false,
          disableAfter: 1,
          reason: 'the receiver answered 410 Gone',
          now,
        });
        await this.outbox.settle(entry, 'gone', now);
        return;
      }
      if (status >= 200 && status < 300) {
        await this.outbox.settle(entry, 'delivered', this.deps.clock.now());
        await this.subscriptions.recordOutcome(tenantId, subscriptionId, { ok: true });
        return;
      }
      failure = `the receiver answered ${status}`;
    } catch (err) {
      failure = err instanceof Error ? err.message : 'no answer';
    }
    this.deps.logger.warn(
      { key: entry.key, attempts: entry.attempts, reason: failure },
      'webhooks: delivery failed',
    );
    const later = this.deps.clock.now();
    const base = this.deps.baseBackoffMs ?? 2_000;
    const wait = Math.min(base * 2 ** (entry.attempts - 1), this.deps.maxBackoffMs ?? 3_600_000);
    await this.outbox.retryLater(entry, new Date(later.getTime() + wait), failure, later);
    const gaveUp = entry.attempts >= (this.deps.maxAttempts ?? 8);
    await this.subscriptions.recordOutcome(tenantId, subscriptionId, {
      ok: false,
      disableAfter: gaveUp ? 1 : (this.deps.disableAfterFailures ?? 10),
      reason: gaveUp ? `${GAVE_UP} after ${entry.attempts} attempts: ${failure}` : failure,
      now: later,
    });
  }
}

function eventBody(event: PendingEvent, stored: StoredCar, subscriptionId: string): DeliveredEvent {
  const car = stored.car.toPrimitives();
  return {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    subscriptionId,
    car: {
      id: car.id,
      number: car.number,
      title: car.report.title,
      state: car.state,
      type: car.report.type,
      confidential: car.report.confidential,
      nextDueDate: stored.car.nextDueDate(),
    },
    action: event.action,
    operation: event.operation,
  };
}
