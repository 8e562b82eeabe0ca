import { addDays, toEpochDay, weekday, type LocalDate } from './local-date.js';

export interface WorkingCalendarSettings {
  /** Days of the week that are not worked, 0 = Sunday ... 6 = Saturday. */
  readonly weekendDays: readonly number[];
  readonly holidays: readonly LocalDate[];
}

export const DEFAULT_CALENDAR: WorkingCalendarSettings = { weekendDays: [0, 6], holidays: [] };

/** Counts working days: not a weekend day and not a holiday. */
export class WorkingCalendar {
  private readonly weekend: ReadonlySet<number>;
  private readonly holidays: ReadonlySet<string>;

  constructor(settings: WorkingCalendarSettings = DEFAULT_CALENDAR) {
    this.weekend = new Set(settings.weekendDays);
    if (this.weekend.size >= 7)
      throw new RangeError('a calendar needs at least one working weekday');
    this.holidays = new Set(settings.holidays);
  }

  isWorkingDay(d: LocalDate): boolean {
    return !this.weekend.has(weekday(d)) && !this.holidays.has(d);
  }

  /** The n-th working day after `from` (from itself is not counted); n = 0 gives `from`. */
  addWorkingDays(from: LocalDate, n: number): LocalDate {
    if (!Number.isInteger(n) || n < 0) throw new RangeError('n must be a whole number >= 0');
    let d = from;
    let left = n;
    while (left > 0) {
      d = addDays(d, 1);
      if (this.isWorkingDay(d)) left -= 1;
    }
    return d;
  }

  /** Working days in (from, to]; negative when `to` is before `from`. */
  workingDaysBetween(from: LocalDate, to: LocalDate): number {
    const sign = toEpochDay(to) >= toEpochDay(from) ? 1 : -1;
    const [a, b] = sign === 1 ? [from, to] : [to, from];
    let count = 0;
    for (let d = addDays(a, 1); toEpochDay(d) <= toEpochDay(b); d = addDays(d, 1)) {
      if (this.isWorkingDay(d)) count += 1;
    }
    return sign * count;
  }
}
