import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../ports/clock.js';
import { Outbox, type ClaimedEntry } from '../outbox.js';
import type { StateStore } from '../ports/state-store.js';
import {
  REMINDER_CHANNELS,
  type ReminderChannel,
  type ReminderChannelName,
} from '../ports/reminder-channel.js';
import { ReminderSchema, type Reminder } from '../ports/reminder.js';

/**
 * One outbox entry per (reminder, person, channel), in the shared outbox `reminders`: queueing
 * it again keeps the first, and a claimed entry is worked by one instance only, so each person
 * gets each reminder once per channel.
 */
const DeliverySchema = z.object({
  reminder: ReminderSchema,
  personId: z.string().min(1),
  channel: z.enum(REMINDER_CHANNELS),
});
export interface ReminderDelivery {
  readonly reminder: Reminder;
  readonly personId: string;
  readonly channel: ReminderChannelName;
}

export interface DeliverySummary {
  readonly delivered: number;
  readonly retried: number;
  readonly undeliverable: number;
}

export interface ReminderDeliveriesOptions {
  /** How long a claimed delivery is this instance's; longer than a delivery can take. */
  readonly leaseMs?: number | undefined;
  readonly batchSize?: number | undefined;
  readonly maxAttempts?: number | undefined;
  /** The first wait after a failed attempt; it doubles per attempt, up to an hour. */
  readonly retryBaseMs?: number | undefined;
}

const HOUR_MS = 3_600_000;
/** Keys of this length or more are replaced by their digest (a state key holds 255). */
const LONG_KEY = 180;

export function deliveryKey(d: {
  reminder: { key: string };
  personId: string;
  channel: ReminderChannelName;
}): string {
  const key = `${d.channel}:${d.personId}:${d.reminder.key}`;
  return key.length < LONG_KEY
    ? key
    : `${d.channel}:sha256:${createHash('sha256').update(key).digest('hex')}`;
}

export class ReminderDeliveries {
  private readonly outbox: Outbox<ReminderDelivery>;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly retryBaseMs: number;

  constructor(
    store: StateStore,
    private readonly clock: Clock,
    options: ReminderDeliveriesOptions = {},
  ) {
    this.outbox = new Outbox(store, {
      name: 'reminders',
      parse: (v) => DeliverySchema.parse(v),
      maxAttempts: options.maxAttempts ?? 8,
    });
    this.leaseMs = options.leaseMs ?? 10 * 60_000;
    this.batchSize = options.batchSize ?? 50;
    this.retryBaseMs = options.retryBaseMs ?? 30_000;
  }

  /** Queues one delivery unless it was queued before; true when queued now. */
  enqueue(delivery: ReminderDelivery, now: Date): Promise<boolean> {
    return this.outbox.enqueue(deliveryKey(delivery), delivery, now);
  }

  /** A delivery as stored, with its outcome once settled. */
  get(delivery: ReminderDelivery): ReturnType<Outbox<ReminderDelivery>['get']> {
    return this.outbox.get(deliveryKey(delivery));
  }

  /** Delivers every due delivery through its channel; a channel no longer configured settles it. */
  async deliverDue(channels: readonly ReminderChannel[]): Promise<DeliverySummary> {
    let delivered = 0;
    let retried = 0;
    let undeliverable = 0;
    for (;;) {
      const claimed = await this.outbox.claimDue(this.clock.now(), this.leaseMs, this.batchSize);
      if (claimed.length === 0) break;
      for (const entry of claimed) {
        const result = await this.deliverOne(entry, channels);
        if (result === 'delivered') delivered += 1;
        else if (result === 'retry') retried += 1;
        else undeliverable += 1;
      }
      if (claimed.length < this.batchSize) break;
    }
    return { delivered, retried, undeliverable };
  }

  private async deliverOne(
    entry: ClaimedEntry<ReminderDelivery>,
    channels: readonly ReminderChannel[],
  ): Promise<'delivered' | 'retry' | 'undeliverable'> {
    const { reminder, personId, channel: name } = entry.payload;
    const channel = channels.find((c) => c.name === name);
    if (!channel) {
      await this.outbox.settle(entry, 'channel_off', this.clock.now());
      return 'undeliverable';
    }
    let outcome;
    try {
      outcome = await channel.deliver(personId, reminder);
    } catch (e) {
      outcome = {
        status: 'retry' as const,
        afterMs: null,
        reason: e instanceof Error ? e.message : String(e),
      };
    }
    const now = this.clock.now();
    if (outcome.status === 'delivered') {
      await this.outbox.settle(entry, 'delivered', now);
      return 'delivered';
    }
    if (outcome.status === 'undeliverable') {
      await this.outbox.settle(entry, `undeliverable: ${outcome.reason}`.slice(0, 500), now);
      return 'undeliverable';
    }
    const wait = outcome.afterMs ?? Math.min(HOUR_MS, this.retryBaseMs * 2 ** (entry.attempts - 1));
    await this.outbox.retryLater(entry, new Date(now.getTime() + wait), outcome.reason, now);
    return 'retry';
  }
}
