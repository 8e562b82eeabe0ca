import { z } from 'zod';
import { RectifyError } from '../../domain/errors.js';
import { ROLES, toPersonRef, type Principal, type Role } from '../../domain/identity.js';
import { CAR_STATES } from '../../domain/car/lifecycle.js';
import { REPORT_TYPES } from '../../domain/car/car-vocabulary.js';
import type { StateRecord, StateStore } from '../ports/state-store.js';

/**
 * Webhook subscriptions: a person asks Rectify to POST each event of one kind to a URL (a
 * Power Automate flow's trigger, or any receiver). A subscription belongs to the person who
 * made it, in their tenant, and sees only what that person may see.
 */

export const SUBSCRIPTION_EVENTS = [
  'reportReceived',
  'carRecorded',
  'carStateChanged',
  'actionOverdue',
  'verificationIneffective',
] as const;
export type SubscriptionEvent = (typeof SUBSCRIPTION_EVENTS)[number];

/** The path segment of each event (`POST /api/subscriptions/events/{slug}`). */
export const EVENT_SLUGS: Readonly<Record<SubscriptionEvent, string>> = {
  reportReceived: 'report-received',
  carRecorded: 'car-recorded',
  carStateChanged: 'car-state-changed',
  actionOverdue: 'action-overdue',
  verificationIneffective: 'verification-ineffective',
};

/** What a flow maker reads as the trigger's name. */
export const EVENT_TITLES: Readonly<Record<SubscriptionEvent, string>> = {
  reportReceived: 'When a report is received',
  carRecorded: 'When a CAR is recorded',
  carStateChanged: 'When a CAR changes state',
  actionOverdue: 'When an action becomes overdue',
  verificationIneffective: 'When a verification finds the action not effective',
};

export const eventOfSlug = (slug: string): SubscriptionEvent | undefined =>
  SUBSCRIPTION_EVENTS.find((e) => EVENT_SLUGS[e] === slug);

export const MAX_CALLBACK_URL_LENGTH = 2048;

export const NotificationUrlSchema = z
  .string()
  .min(1)
  .max(MAX_CALLBACK_URL_LENGTH)
  .meta({ description: 'The absolute https URL Rectify POSTs each event to' });

export const SubscribeSchema = z
  .object({ event: z.enum(SUBSCRIPTION_EVENTS), notificationUrl: NotificationUrlSchema })
  .strict()
  .meta({ id: 'Subscribe' });

export const SubscribeToEventSchema = z
  .object({ notificationUrl: NotificationUrlSchema })
  .strict()
  .meta({ id: 'SubscribeToEvent' });

export const SubscriptionViewSchema = z
  .object({
    id: z.string(),
    event: z.enum(SUBSCRIPTION_EVENTS),
    notificationUrl: z.string(),
    owner: z.object({ id: z.string(), name: z.string() }),
    createdAt: z.string(),
    status: z.enum(['active', 'disabled']),
    failures: z.number().int().meta({ description: 'Failed deliveries since the last success' }),
    disabledReason: z.string().nullable(),
    secret: z.string().optional().meta({
      description:
        'Only in the answer to the subscribe: the key of the HMAC-SHA256 in X-Rectify-Signature',
    }),
  })
  .meta({ id: 'Subscription' });
export type SubscriptionView = z.infer<typeof SubscriptionViewSchema>;

/** One event as POSTed to the notification URL. */
export const DeliveredEventSchema = z
  .object({
    id: z.string().meta({ description: 'Stable per event: a retry carries the same id' }),
    type: z.enum(SUBSCRIPTION_EVENTS),
    occurredAt: z.string(),
    subscriptionId: z.string(),
    car: z.object({
      id: z.string(),
      number: z.string().nullable(),
      title: z.string(),
      state: z.enum(CAR_STATES),
      type: z.enum(REPORT_TYPES),
      confidential: z.boolean(),
      nextDueDate: z.string().nullable(),
    }),
    action: z
      .object({ id: z.string(), title: z.string(), dueDate: z.string(), ownerName: z.string() })
      .nullable(),
    operation: z.string().nullable().meta({ description: 'The operation that caused it' }),
  })
  .meta({ id: 'SubscriptionEvent' });
export type DeliveredEvent = z.infer<typeof DeliveredEventSchema>;

const StoredSubscriptionSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  owner: z.object({ id: z.string(), name: z.string() }),
  roles: z.array(z.enum(ROLES)),
  event: z.enum(SUBSCRIPTION_EVENTS),
  notificationUrl: z.string(),
  secret: z.string(),
  createdAt: z.string(),
  status: z.enum(['active', 'disabled']),
  failures: z.number().int(),
  disabledReason: z.string().nullable(),
});
export type Subscription = z.infer<typeof StoredSubscriptionSchema>;

export const SUBSCRIPTION_KIND = 'subscription';
const keyOf = (tenantId: string, id: string): string => `subscription:${tenantId}:${id}`;

/** The person a subscription acts as: its owner with the roles they had when subscribing. */
export const principalOfSubscription = (s: Subscription): Principal => ({
  id: s.owner.id,
  name: s.owner.name,
  tenantId: s.tenantId,
  roles: new Set<Role>(s.roles),
});

export const viewOf = (s: Subscription, withSecret = false): SubscriptionView => ({
  id: s.id,
  event: s.event,
  notificationUrl: s.notificationUrl,
  owner: s.owner,
  createdAt: s.createdAt,
  status: s.status,
  failures: s.failures,
  disabledReason: s.disabledReason,
  ...(withSecret ? { secret: s.secret } : {}),
});

export interface SubscriptionPolicy {
  /** Plain http to 127.0.0.1/localhost is accepted (local mode and tests only). */
  readonly allowLoopbackHttp: boolean;
}

/** Checks a notification URL: absolute https, no user info, no fragment. */
export function checkNotificationUrl(text: string, policy: SubscriptionPolicy): string {
  const refuse = (reason: string): never => {
    throw new RectifyError('SUBSCRIPTION.CALLBACK_INVALID', { field: 'notificationUrl', reason });
  };
  // A URL is plain text: no spaces, control or bidirectional-override characters, no lone
  // surrogates (the URL parser would percent-encode them into something else than was sent).
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(text))
    refuse('spaces, control or direction characters');
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text))
    refuse('a lone surrogate');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse('not an absolute URL');
  }
  if (url.username || url.password) refuse('no user name or password in the URL');
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (
    url.protocol !== 'https:' &&
    !(policy.allowLoopbackHttp && loopback && url.protocol === 'http:')
  )
    refuse('https only');
  return url.toString();
}

/** Subscriptions kept in the shared StateStore, one record each, keyed by tenant and id. */
export class SubscriptionStore {
  constructor(private readonly store: StateStore) {}

  async create(input: {
    readonly principal: Principal;
    readonly event: SubscriptionEvent;
    readonly notificationUrl: string;
    readonly id: string;
    readonly secret: string;
    readonly now: Date;
  }): Promise<Subscription> {
    const p = input.principal;
    const value: Subscription = {
      id: input.id,
      tenantId: p.tenantId,
      owner: toPersonRef(p),
      roles: [...p.roles],
      event: input.event,
      notificationUrl: input.notificationUrl,
      secret: input.secret,
      createdAt: input.now.toISOString(),
      status: 'active',
      failures: 0,
      disabledReason: null,
    };
    const { record } = await this.store.createIfAbsent({
      key: keyOf(p.tenantId, input.id),
      kind: SUBSCRIPTION_KIND,
      value,
      dueAt: null,
    });
    return StoredSubscriptionSchema.parse(record.value);
  }

  /** The caller's subscription; another person's or another tenant's is "not found". */
  async getOwn(principal: Principal, id: string): Promise<Subscription> {
    const found = await this.find(principal.tenantId, id);
    if (!found || found.value.owner.id !== principal.id)
      throw new RectifyError('SUBSCRIPTION.NOT_FOUND', { id });
    return found.value;
  }

  async find(
    tenantId: string,
    id: string,
  ): Promise<{ value: Subscription; record: StateRecord } | null> {
    if (id.length === 0 || id.length > 100) return null;
    const record = await this.store.get(keyOf(tenantId, id));
    if (!record || record.value === null) return null;
    const parsed = StoredSubscriptionSchema.safeParse(record.value);
    return parsed.success ? { value: parsed.data, record } : null;
  }

  /** Every stored subscription (active and disabled), in key order. */
  async all(): Promise<Subscription[]> {
    const out: Subscription[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.store.list(SUBSCRIPTION_KIND, {
        prefix: 'subscription:',
        limit: 500,
        ...(after === undefined ? {} : { after }),
      });
      for (const r of page) {
        const parsed = StoredSubscriptionSchema.safeParse(r.value);
        if (parsed.success) out.push(parsed.data);
      }
      if (page.length < 500) return out;
      after = page[page.length - 1]?.key;
    }
  }

  async listOwn(principal: Principal): Promise<Subscription[]> {
    const out: Subscription[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.store.list(SUBSCRIPTION_KIND, {
        prefix: `subscription:${principal.tenantId}:`,
        limit: 500,
        ...(after === undefined ? {} : { after }),
      });
      for (const r of page) {
        const parsed = StoredSubscriptionSchema.safeParse(r.value);
        if (parsed.success && parsed.data.owner.id === principal.id) out.push(parsed.data);
      }
      if (page.length < 500) return out;
      after = page[page.length - 1]?.key;
    }
  }

  /** Removes the caller's subscription (the record stays as a tombstone: value null). */
  async delete(principal: Principal, id: string): Promise<void> {
    for (let i = 0; i < 5; i += 1) {
      const found = await this.find(principal.tenantId, id);
      if (!found || found.value.owner.id !== principal.id)
        throw new RectifyError('SUBSCRIPTION.NOT_FOUND', { id });
      if (
        await this.store.replace(found.record.key, found.record.etag, { value: null, dueAt: null })
      )
        return;
    }
    throw new RectifyError('SUBSCRIPTION.NOT_FOUND', { id, reason: 'kept changing' });
  }

  /**
   * Counts a delivery's outcome: a success resets the failures, a failure adds one and
   * disables the subscription once `disableAfter` failures follow each other.
   */
  async recordOutcome(
    tenantId: string,
    id: string,
    outcome: { ok: true } | { ok: false; disableAfter: number; reason: string; now: Date },
  ): Promise<Subscription | null> {
    for (let i = 0; i < 5; i += 1) {
      const found = await this.find(tenantId, id);
      if (!found) return null;
      const s = found.value;
      let next: Subscription;
      if (outcome.ok) {
        if (s.failures === 0) return s;
        next = { ...s, failures: 0 };
      } else {
        const failures = s.failures + 1;
        const disable = s.status === 'active' && failures >= outcome.disableAfter;
        next = {
          ...s,
          failures,
          ...(disable
            ? {
                status: 'disabled' as const,
                disabledReason: `${failures} deliveries failed in a row (last: ${outcome.reason.slice(0, 200)}) at ${outcome.now.toISOString()}`,
              }
            : {}),
        };
      }
      if (
        await this.store.replace(found.record.key, found.record.etag, { value: next, dueAt: null })
      )
        return next;
    }
    return null;
  }
}
