import type { DeliveryOutcome, ReminderChannel } from '../../application/ports/reminder-channel.js';
import { ACTIVITY_TYPES, reminderText, type Reminder } from '../../application/ports/reminder.js';
import { RetryPolicy, toGraphRequestError, type GraphConnection } from './graph-client.js';

/**
 * Reminders in the Teams activity feed: `POST /users/{id}/teamwork/sendActivityNotification`
 * (reference/graph/userteamwork-sendactivitynotification.md). The topic is text with a deep
 * link to the CAR (or the committee view), the activity type is one the app manifest declares,
 * and the template parameters fill that type's templateText.
 *
 * The call is not idempotent, so the client never resends it on its own. Throttling (429, and
 * 503 with Retry-After) means Graph did not carry it out: it is waited out here. Every
 * notification of one reminder carries the same `chainId`, so a resend after an unknown outcome
 * (504, timeout) replaces the first notification in the feed instead of adding a second.
 */

export interface ActivityNotificationBody {
  readonly topic: { readonly source: 'text'; readonly value: string; readonly webUrl: string };
  readonly activityType: string;
  readonly chainId: number;
  readonly previewText: { readonly content: string };
  readonly templateParameters: readonly { readonly name: string; readonly value: string }[];
}

export interface ActivityFeedLinks {
  /** Where a CAR opens in Teams, e.g. a deep link to the tab with the CAR number. */
  readonly car: (car: { readonly id: string; readonly number: string | null }) => string;
  /** Where the committee's agenda opens. */
  readonly committee: () => string;
}

export interface ActivityFeedOptions {
  readonly links: ActivityFeedLinks;
  /** How many throttling answers one delivery waits out before the outbox takes it back. */
  readonly maxThrottleWaits?: number | undefined;
}

/** Teams shows at most 150 characters of the preview. */
const PREVIEW_MAX = 150;

/**
 * A deep link to the Rectify personal tab opened on one CAR; the tab reads the CAR number from
 * `context.subEntityId`.
 */
export function teamsTabDeepLink(
  teamsAppId: string,
  entityId: string,
  subEntityId?: string,
): string {
  const base = `https://teams.microsoft.com/l/entity/${encodeURIComponent(teamsAppId)}/${encodeURIComponent(entityId)}`;
  if (subEntityId === undefined) return base;
  return `${base}?context=${encodeURIComponent(JSON.stringify({ subEntityId }))}`;
}

/** A stable whole number below 2^53 for a reminder key (FNV-1a, two lanes). */
export function chainIdOf(key: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < key.length; i += 1) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193 ^ 0x2f) >>> 0;
  }
  // 21 bits of one lane above 32 of the other: at most 2^53 - 1, and never 0.
  return (b & 0x1fffff) * 0x100000000 + a || 1;
}

/** The template parameters each activity type's templateText names (see the manifest). */
export function templateParameters(r: Reminder): { name: string; value: string }[] {
  const carNumber = r.car?.number ?? r.car?.title ?? '';
  const actionTitle = r.action?.title ?? '';
  switch (r.kind) {
    case 'due_soon':
    case 'overdue':
      return [
        { name: 'actionTitle', value: actionTitle },
        { name: 'carNumber', value: carNumber },
        { name: 'dueDate', value: r.dueDate },
      ];
    case 'escalation':
      return [
        { name: 'actionTitle', value: actionTitle },
        { name: 'carNumber', value: carNumber },
        { name: 'overdueDays', value: String(r.overdueWorkingDays) },
      ];
    case 'effectiveness_due':
      return [
        { name: 'carNumber', value: carNumber },
        { name: 'dueDate', value: r.dueDate },
      ];
    case 'digest':
      return [
        { name: 'meetingDate', value: r.dueDate },
        { name: 'overdueCount', value: String(r.meeting?.agenda.overdue ?? 0) },
        { name: 'newCount', value: String(r.meeting?.agenda.newSinceLastMeeting ?? 0) },
      ];
  }
}

export function activityNotificationBody(
  r: Reminder,
  links: ActivityFeedLinks,
): ActivityNotificationBody {
  const topic = r.car
    ? { source: 'text' as const, value: r.car.number ?? r.car.title, webUrl: links.car(r.car) }
    : {
        source: 'text' as const,
        value: `Committee meeting ${r.dueDate}`,
        webUrl: links.committee(),
      };
  const preview = reminderText(r);
  return {
    topic,
    activityType: ACTIVITY_TYPES[r.kind],
    chainId: chainIdOf(r.key),
    previewText: {
      content: preview.length > PREVIEW_MAX ? `${preview.slice(0, PREVIEW_MAX - 1)}…` : preview,
    },
    templateParameters: templateParameters(r),
  };
}

/** Graph answers that say the notification can never reach this person this way. */
const UNDELIVERABLE = new Set([400, 403, 404, 409]);

export class ActivityFeedNotifier implements ReminderChannel {
  readonly name = 'activity-feed' as const;
  private readonly maxThrottleWaits: number;

  constructor(
    private readonly graph: GraphConnection,
    private readonly options: ActivityFeedOptions,
  ) {
    this.maxThrottleWaits = options.maxThrottleWaits ?? 3;
  }

  async deliver(personId: string, reminder: Reminder): Promise<DeliveryOutcome> {
    const body = activityNotificationBody(reminder, this.options.links);
    const path = `/users/${encodeURIComponent(personId)}/teamwork/sendActivityNotification`;
    for (let wait = 0; ; wait += 1) {
      try {
        await (this.graph.client
          .api(path)
          .middlewareOptions([new RetryPolicy(false)])
          .post(body) as Promise<unknown>);
        return { status: 'delivered' };
      } catch (e) {
        const err = toGraphRequestError(e, `sending ${body.activityType} to ${personId}`);
        if (!err) return { status: 'retry', afterMs: null, reason: String(e) };
        const throttled = err.status === 429 || (err.status === 503 && err.retryAfterMs !== null);
        if (throttled && wait < this.maxThrottleWaits) {
          await this.graph.retry.sleep(
            Math.min(this.graph.retry.maxDelayMs, err.retryAfterMs ?? this.graph.retry.baseDelayMs),
          );
          continue;
        }
        if (UNDELIVERABLE.has(err.status)) return { status: 'undeliverable', reason: err.message };
        return { status: 'retry', afterMs: err.retryAfterMs, reason: err.message };
      }
    }
  }
}
