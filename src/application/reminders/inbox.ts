import { z } from 'zod';
import { RectifyError } from '../../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import { MAX_STATE_PAGE, type StateRecord, type StateStore } from '../ports/state-store.js';
import { delivered, type ReminderChannel } from '../ports/reminder-channel.js';
import { REMINDER_KINDS, reminderText, type Reminder } from '../ports/reminder.js';

/**
 * The in-tab notification list. Each reminder delivered to a person is a record
 * `inbox:<personId>:<reminder key>` (kind `inbox`): creating it twice keeps the first, so a
 * redelivery never shows the same reminder twice.
 */
export const INBOX_KIND = 'inbox';

const InboxValueSchema = z.object({
  id: z.string(),
  kind: z.enum(REMINDER_KINDS),
  text: z.string(),
  carId: z.string().nullable(),
  carNumber: z.string().nullable(),
  dueDate: z.string(),
  deliveredAt: z.string(),
  readAt: z.string().nullable(),
});
export type InboxItem = z.infer<typeof InboxValueSchema>;

export interface InboxPage {
  /** Newest first. */
  readonly items: readonly InboxItem[];
  readonly unread: number;
  readonly total: number;
}

const prefixOf = (personId: string): string => `inbox:${personId}:`;
const keyOf = (personId: string, id: string): string => `${prefixOf(personId)}${id}`;

const parseItem = (record: StateRecord): InboxItem | null => {
  const parsed = InboxValueSchema.safeParse(record.value);
  return parsed.success ? parsed.data : null;
};

export class ReminderInbox {
  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
  ) {}

  /** The channel that puts reminders in the list. */
  channel(): ReminderChannel {
    return {
      name: 'inbox',
      deliver: async (personId: string, reminder: Reminder) => {
        const item: InboxItem = {
          id: reminder.key,
          kind: reminder.kind,
          text: reminderText(reminder),
          carId: reminder.car?.id ?? null,
          carNumber: reminder.car?.number ?? null,
          dueDate: reminder.dueDate,
          deliveredAt: this.clock.now().toISOString(),
          readAt: null,
        };
        await this.store.createIfAbsent({
          key: keyOf(personId, reminder.key),
          kind: INBOX_KIND,
          value: item,
          dueAt: null,
        });
        return delivered;
      },
    };
  }

  /** A person's notifications, newest first, with how many are unread. */
  async list(personId: string, limit: number): Promise<InboxPage> {
    const items: InboxItem[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.store.list(INBOX_KIND, {
        prefix: prefixOf(personId),
        after,
        limit: MAX_STATE_PAGE,
      });
      for (const r of page) {
        const item = parseItem(r);
        if (item) items.push(item);
      }
      const last = page.at(-1);
      if (page.length < MAX_STATE_PAGE || !last) break;
      after = last.key;
    }
    items.sort((a, b) =>
      a.deliveredAt === b.deliveredAt
        ? b.id.localeCompare(a.id)
        : b.deliveredAt.localeCompare(a.deliveredAt),
    );
    return {
      items: items.slice(0, limit),
      unread: items.filter((i) => i.readAt === null).length,
      total: items.length,
    };
  }

  /** Marks one of the person's notifications read; reading it again changes nothing. */
  async markRead(personId: string, id: string): Promise<InboxItem> {
    const key = keyOf(personId, id);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const record = await this.store.get(key);
      const item = record ? parseItem(record) : null;
      if (!record || !item) throw new RectifyError('NOTIFICATION.NOT_FOUND', { id });
      if (item.readAt !== null) return item;
      const read: InboxItem = { ...item, readAt: this.clock.now().toISOString() };
      const saved = await this.store.replace(key, record.etag, { value: read, dueAt: null });
      if (saved) return read;
    }
    // Five writers in a row got there first: each of them marked it read.
    const record = await this.store.get(key);
    const item = record ? parseItem(record) : null;
    if (!item) throw new RectifyError('NOTIFICATION.NOT_FOUND', { id });
    return item;
  }
}
