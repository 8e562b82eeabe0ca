import { z } from 'zod';
import { isLocalDate, type LocalDate } from '../../domain/calendar/local-date.js';
import type { StateRecord, StateStore } from '../ports/state-store.js';

/**
 * A Steering Committee meeting, kept as a shared record in the StateStore under
 * `meeting:<YYYY-MM-DD>` (kind `meeting`): one meeting per date. Planned first, marked done
 * when its decisions are recorded. The pre-meeting reminder reads these records too, so the
 * shape is kept stable.
 */
export const MEETING_KIND = 'meeting';
export const MEETING_KEY_PREFIX = 'meeting:';
export const meetingKey = (date: LocalDate): string => `${MEETING_KEY_PREFIX}${date}`;

const localDate = z.string().refine(isLocalDate, 'YYYY-MM-DD') as unknown as z.ZodType<
  LocalDate,
  LocalDate
>;

export const MeetingValueSchema = z
  .object({
    date: localDate,
    status: z.enum(['planned', 'done']),
    title: z.string(),
    /** CARs that have a committee review of this meeting, recorded through its decisions. */
    decidedCarIds: z.array(z.string()),
    doneAt: z.string().nullable(),
    doneBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  })
  .meta({ id: 'MeetingValue' });
export type MeetingValue = z.infer<typeof MeetingValueSchema>;

/** A meeting with the etag of its record, for a later replace. */
export interface Meeting extends MeetingValue {
  readonly etag: string;
}

/** The stored value of a meeting, without its etag. */
export const meetingValueOf = (m: Meeting): MeetingValue => ({
  date: m.date,
  status: m.status,
  title: m.title,
  decidedCarIds: m.decidedCarIds,
  doneAt: m.doneAt,
  doneBy: m.doneBy,
});

/** A stored meeting record; one that does not parse is a bug, not user input. */
export function meetingOf(record: StateRecord): Meeting {
  const parsed = MeetingValueSchema.safeParse(record.value);
  if (
    !parsed.success ||
    record.kind !== MEETING_KIND ||
    record.key !== meetingKey(parsed.data.date)
  )
    throw new Error(`the record ${record.key} is not a committee meeting`);
  return { ...parsed.data, etag: record.etag };
}

export async function getMeeting(store: StateStore, date: LocalDate): Promise<Meeting | null> {
  const record = await store.get(meetingKey(date));
  return record ? meetingOf(record) : null;
}

/** Every meeting, earliest first (the keys sort by date). */
export async function listMeetings(store: StateStore): Promise<Meeting[]> {
  const out: Meeting[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.list(MEETING_KIND, {
      prefix: MEETING_KEY_PREFIX,
      limit: 200,
      ...(after === undefined ? {} : { after }),
    });
    out.push(...page.map(meetingOf));
    if (page.length < 200) return out;
    after = page.at(-1)?.key;
  }
}

/** The latest meeting marked done strictly before `date`: "the last meeting". */
export function lastMeetingBefore(meetings: readonly Meeting[], date: LocalDate): Meeting | null {
  let last: Meeting | null = null;
  for (const m of meetings)
    if (m.status === 'done' && m.date < date && (last === null || m.date > last.date)) last = m;
  return last;
}
