import { z } from 'zod';
import { TimeSlices, repeat, type Repeating } from '../../application/repeat.js';
import type { CommitListener } from '../../application/ports/commit-signal.js';
import type { Logger } from 'pino';
import type { AuditFeed } from '../../application/ports/audit-feed.js';
import { FeedCursor, Outbox, type ClaimedEntry } from '../../application/outbox.js';
import type { Clock } from '../../application/ports/clock.js';
import type { StateStore } from '../../application/ports/state-store.js';
import type { CarRepository } from '../../domain/car/car-repository.js';
import {
  NOTIFICATION_KINDS,
  notificationsFor,
  type Notification,
} from '../../application/notifications/notification-rules.js';

export type DeliveryOutcome = 'sent' | 'no_conversation' | 'not_visible';

export interface NotificationWorkerDeps {
  /** Where the outbox and the feed cursor live: shared by every running instance. */
  readonly state: StateStore;
  readonly feed: AuditFeed;
  readonly repository: CarRepository;
  readonly mrIds: readonly string[];
  readonly deliver: (n: Notification) => Promise<DeliveryOutcome>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly maxAttempts?: number;
  /** How long a claimed notification is this instance's to send before another may. */
  readonly leaseMs?: number;
}

const NotificationSchema = z.object({
  key: z.string(),
  kind: z.enum(NOTIFICATION_KINDS),
  carId: z.string(),
  recipientId: z.string(),
  recipientRole: z.enum(['mr', 'member']),
});

/** The outbox and feed cursor names the notifier keeps in the StateStore. */
export const NOTIFICATION_OUTBOX = 'notify';
export const NOTIFICATION_CURSOR = 'notifications';

const FEED_PAGE = 200;
const CLAIM_PAGE = 50;
const DEFAULT_LEASE_MS = 120_000;

/**
 * Reads the audit feed into the outbox, then delivers what is due; any number of instances may
 * run it on one shared store. A notification is queued once (its key), sent by the instance
 * whose claim won, at least once towards the Bot Connector (a crash after sending and before
 * settling sends again when the lease ends).
 */
export class NotificationWorker {
  private running = false;
  private readonly outbox: Outbox<Notification>;
  private readonly cursor: FeedCursor;

  constructor(private readonly deps: NotificationWorkerDeps) {
    this.outbox = new Outbox(deps.state, {
      name: NOTIFICATION_OUTBOX,
      parse: (v) => NotificationSchema.parse(v),
      maxAttempts: deps.maxAttempts ?? 8,
    });
    this.cursor = new FeedCursor(deps.state, NOTIFICATION_CURSOR);
  }

  /**
   * Stores the cursor at the feed's head unless one exists: a new installation (or a site that
   * had no notifier before) does not announce its whole history.
   */
  async init(): Promise<void> {
    if ((await this.cursor.read()).etag !== null) return;
    await this.cursor.start(await this.deps.feed.head());
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.collect();
      await this.deliverDue();
    } finally {
      this.running = false;
    }
  }

  /**
   * Runs `tick` every `intervalMs` until stopped, or until `isOpen` says the store closed, and
   * after every commit `wake` signals.
   */
  start(intervalMs: number, isOpen: () => boolean, wake?: CommitListener): Repeating {
    const running: Repeating = repeat(
      intervalMs,
      async () => {
        if (!isOpen()) {
          void running.stop();
          return;
        }
        await this.tick();
      },
      (err) => {
        this.deps.logger.error({ err }, 'notifications: tick failed');
      },
      wake ? { wake } : {},
    );
    return running;
  }

  private async collect(): Promise<void> {
    const from = await this.cursor.read();
    const { changes, next } = await this.deps.feed.read(from.position, FEED_PAGE);
    if (next === null) return;
    const now = this.deps.clock.now();
    const slices = new TimeSlices();
    for (const change of changes) {
      await slices.pause();
      const stored = await this.deps.repository.findById(change.carId);
      if (!stored) continue;
      for (const n of notificationsFor(change, stored.car.toPrimitives(), this.deps.mrIds))
        await this.outbox.enqueue(n.key, n, now);
    }
    // Lost to another instance that read the same changes: what we queued were no-ops then.
    await this.cursor.move(from, next);
  }

  private async deliverDue(): Promise<void> {
    const now = this.deps.clock.now();
    const claimed = await this.outbox.claimDue(
      now,
      this.deps.leaseMs ?? DEFAULT_LEASE_MS,
      CLAIM_PAGE,
    );
    const slices = new TimeSlices();
    for (const entry of claimed) {
      await slices.pause();
      await this.deliverOne(entry);
    }
  }

  private async deliverOne(entry: ClaimedEntry<Notification>): Promise<void> {
    try {
      const outcome = await this.deps.deliver(entry.payload);
      await this.outbox.settle(entry, outcome, this.deps.clock.now());
    } catch (err) {
      const now = this.deps.clock.now();
      this.deps.logger.warn(
        { err, key: entry.key, attempts: entry.attempts },
        'notifications: delivery failed',
      );
      await this.outbox.retryLater(
        entry,
        new Date(now.getTime() + 1000 * 2 ** entry.attempts),
        err instanceof Error ? err.message : 'delivery failed',
        now,
      );
    }
  }
}
