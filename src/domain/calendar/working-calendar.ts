import { fromEpochDay, toEpochDay, weekday, type LocalDate } from './local-date.js';

export interface WorkingCalendarSettings {
  /** Days of the week that are not worked, 0 = Sunday ... 6 = Saturday. */
  readonly weekendDays: readonly number[];
  readonly holidays: readonly LocalDate[];
}

export const DEFAULT_CALENDAR: WorkingCalendarSettings = { weekendDays: [0, 6], holidays: [] };

/** Epoch day 0 (1970-01-01) was a Thursday: `epochDay + THURSDAY` is a multiple of 7 on Sundays. */
const THURSDAY = 4;

/**
 * Counts working days: not a weekend day and not a holiday.
 *
 * Counting is arithmetic, so its cost does not grow with the distance between the dates: the
 * working days up to a day are its whole weeks times the working days of a week, plus the
 * working weekdays of its last partial week, minus the holidays up to it (binary search in a
 * sorted array of the holidays that fall on working weekdays).
 */
export class WorkingCalendar {
  private readonly weekend: ReadonlySet<number>;
  private readonly holidays: ReadonlySet<string>;
  /** Working weekdays per week. */
  private readonly perWeek: number;
  /** `upTo[w]`: working weekdays among Sunday ... weekday w. */
  private readonly upTo: readonly number[];
  /** Epoch days of the holidays on working weekdays, ascending, each once. */
  private readonly holidayDays: readonly number[];

  constructor(settings: WorkingCalendarSettings = DEFAULT_CALENDAR) {
    this.weekend = new Set(settings.weekendDays);
    if (this.weekend.size >= 7)
      throw new RangeError('a calendar needs at least one working weekday');
    this.holidays = new Set(settings.holidays);
    const upTo: number[] = [];
    let worked = 0;
    for (let w = 0; w < 7; w += 1) {
      if (!this.weekend.has(w)) worked += 1;
      upTo.push(worked);
    }
    this.upTo = upTo;
    this.perWeek = worked;
    this.holidayDays = [...this.holidays]
      .filter((d) => !this.weekend.has(weekday(d as LocalDate)))
      .map((d) => toEpochDay(d as LocalDate))
      .sort((a, b) => a - b);
  }

  isWorkingDay(d: LocalDate): boolean {
    return !this.weekend.has(weekday(d)) && !this.holidays.has(d);
  }

  /** The n-th working day after `from` (from itself is not counted); n = 0 gives `from`. */
  addWorkingDays(from: LocalDate, n: number): LocalDate {
    if (!Number.isInteger(n) || n < 0) throw new RangeError('n must be a whole number >= 0');
    if (n === 0) return from;
    const start = toEpochDay(from);
    const target = this.workedUpTo(start) + n;
    // The first day whose working-day count reaches `target`. Holidays only push it later:
    // look for the weekday count `target + h` with h the holidays up to the candidate, until
    // the candidate adds no holiday. Every day before a candidate counts less than `target`.
    let held = this.holidaysUpTo(start);
    for (;;) {
      const day = this.firstWeekdayReaching(target + held);
      const more = this.holidaysUpTo(day);
      if (more === held) return fromEpochDay(day);
      held = more;
    }
  }

  /** Working days in (from, to]; negative when `to` is before `from`. */
  workingDaysBetween(from: LocalDate, to: LocalDate): number {
    return this.workedUpTo(toEpochDay(to)) - this.workedUpTo(toEpochDay(from));
  }

  /** Working days from an arbitrary origin up to and including epoch day `day`. */
  private workedUpTo(day: number): number {
    return this.weekdaysUpTo(day) - this.holidaysUpTo(day);
  }

  /** Working weekdays (holidays not subtracted) from the origin up to epoch day `day`. */
  private weekdaysUpTo(day: number): number {
    const m = day + THURSDAY;
    const weeks = Math.floor(m / 7);
    return weeks * this.perWeek + (this.upTo[m - weeks * 7] as number);
  }

  /** The first epoch day whose `weekdaysUpTo` is at least `count`. */
  private firstWeekdayReaching(count: number): number {
    const weeks = Math.floor((count - 1) / this.perWeek);
    const within = count - weeks * this.perWeek;
    let w = 0;
    while ((this.upTo[w] as number) < within) w += 1;
    return weeks * 7 + w - THURSDAY;
  }

  /** Holidays on working weekdays up to and including epoch day `day`. */
  private holidaysUpTo(day: number): number {
    let lo = 0;
    let hi = this.holidayDays.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.holidayDays[mid] as number) <= day) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
