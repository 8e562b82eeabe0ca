import type { LocalDate } from '../../domain/calendar/local-date.js';

const QUARTER_HOUR_MS = 900_000;
const DAY_MS = 86_400_000;

/**
 * The organisation's date of instants, for the many instants of a scan. Time-zone offsets
 * only change on a quarter hour, so the offset is asked of Intl once per quarter hour of UTC
 * time and kept.
 */
export class ZonedDates {
  private readonly format: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();
  private readonly days = new Map<number, LocalDate>();

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
  }

  /** The date in the organisation's time zone of an ISO instant. */
  dateOf(instant: string): LocalDate {
    const ms = Date.parse(instant);
    if (Number.isNaN(ms)) throw new Error(`not an ISO instant: ${instant}`);
    const bucket = Math.floor(ms / QUARTER_HOUR_MS);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) {
      offset = this.offsetAt(bucket * QUARTER_HOUR_MS);
      this.offsets.set(bucket, offset);
    }
    const day = Math.floor((ms + offset) / DAY_MS);
    let date = this.days.get(day);
    if (date === undefined) {
      date = new Date(day * DAY_MS).toISOString().slice(0, 10) as LocalDate;
      this.days.set(day, date);
    }
    return date;
  }

  private offsetAt(ms: number): number {
    const parts: Record<string, number> = {};
    for (const p of this.format.formatToParts(new Date(ms)))
      if (p.type !== 'literal') parts[p.type] = Number(p.value);
    const local = Date.UTC(
      parts.year ?? 1970,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      parts.hour ?? 0,
      parts.minute ?? 0,
    );
    return local - ms;
  }
}
