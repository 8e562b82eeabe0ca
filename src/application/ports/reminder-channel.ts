import type { Reminder } from './reminder.js';

/**
 * Where a reminder reaches a person: the tab's notification list (inbox), the Teams activity
 * feed, or a bot card. The job delivers each (reminder, person, channel) once through the
 * outbox; a channel says whether it delivered, should be tried later, or never can.
 */
export const REMINDER_CHANNELS = ['inbox', 'activity-feed', 'bot'] as const;
export type ReminderChannelName = (typeof REMINDER_CHANNELS)[number];

export type DeliveryOutcome =
  | { readonly status: 'delivered' }
  /** A passing failure (throttled, unavailable): try again after `afterMs`. */
  | { readonly status: 'retry'; readonly afterMs: number | null; readonly reason: string }
  /** It can never be delivered this way (app not installed, no such user): recorded, not retried. */
  | { readonly status: 'undeliverable'; readonly reason: string };

export interface ReminderChannel {
  readonly name: ReminderChannelName;
  deliver(personId: string, reminder: Reminder): Promise<DeliveryOutcome>;
}

/**
 * What the bot must offer for reminders to go out as cards: send one reminder as a card to the
 * person's personal chat with the bot. It resolves once the card is sent; it throws when it
 * could not be sent, and answers false when it never can (no conversation with that person).
 */
export interface BotReminderSender {
  deliverReminder(personId: string, reminder: Reminder): Promise<boolean>;
}

export const delivered: DeliveryOutcome = { status: 'delivered' };

/** The bot card channel, over whatever the bot exposes. */
export function botChannel(bot: BotReminderSender): ReminderChannel {
  return {
    name: 'bot',
    async deliver(personId, reminder) {
      try {
        return (await bot.deliverReminder(personId, reminder))
          ? delivered
          : { status: 'undeliverable', reason: 'no conversation with this person' };
      } catch (e) {
        return {
          status: 'retry',
          afterMs: null,
          reason: e instanceof Error ? e.message : 'failed',
        };
      }
    },
  };
}
