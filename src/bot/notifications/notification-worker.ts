import type { Logger } from 'pino';
import type { Clock } from '../../application/ports.js';
import type { CarRepository } from '../../domain/car/car-repository.js';
import { notificationsFor, type Notification } from './notification-rules.js';
import type { SqliteNotificationOutbox } from './sqlite-notification-outbox.js';

export type DeliveryOutcome = 'sent' | 'no_conversation' | 'not_visible';

export interface NotificationWorkerDeps {
  readonly outbox: SqliteNotificationOutbox;
  readonly repository: CarRepository;
  readonly mrIds: readonly string[];
  readonly deliver: (n: Notification) => Promise<DeliveryOutcome>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly maxAttempts?: number;
}

/**
 * Reads the audit trail into the outbox, then delivers what is due. At least once towards the
 * Bot Connector (a crash after sending and before settling sends again), never queued twice.
 */
export class NotificationWorker {
  private running = false;

  constructor(private readonly deps: NotificationWorkerDeps) {}

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

  /** Runs `tick` every `intervalMs` until the returned function is called or the store closes. */
  start(intervalMs: number, isOpen: () => boolean): () => void {
    const timer = setInterval(() => {
      if (!isOpen()) {
        clearInterval(timer);
        return;
      }
      this.tick().catch((err: unknown) => {
        this.deps.logger.error({ err }, 'notifications: tick failed');
      });
    }, intervalMs);
    timer.unref();
    return () => {
      clearInterval(timer);
    };
  }

  private async collect(): Promise<void> {
    const changes = this.deps.outbox.changesAfterCursor();
    const last = changes[changes.length - 1];
    if (!last) return;
    const notes: Notification[] = [];
    for (const change of changes) {
      const stored = await this.deps.repository.findById(change.carId);
      if (stored)
        notes.push(...notificationsFor(change, stored.car.toPrimitives(), this.deps.mrIds));
    }
    this.deps.outbox.enqueue(notes, last.sequence, this.deps.clock.now().toISOString());
  }

  private async deliverDue(): Promise<void> {
    const now = this.deps.clock.now();
    for (const n of this.deps.outbox.due(now.toISOString())) {
      try {
        const outcome = await this.deps.deliver(n);
        this.deps.outbox.settle(n.key, outcome, this.deps.clock.now().toISOString());
      } catch (err) {
        const attempts = n.attempts + 1;
        this.deps.logger.warn({ err, key: n.key, attempts }, 'notifications: delivery failed');
        if (attempts >= (this.deps.maxAttempts ?? 8))
          this.deps.outbox.settle(n.key, 'gave_up', this.deps.clock.now().toISOString());
        else
          this.deps.outbox.retryLater(
            n.key,
            new Date(now.getTime() + 1000 * 2 ** attempts).toISOString(),
            err instanceof Error ? err.message : 'delivery failed',
          );
      }
    }
  }
}
