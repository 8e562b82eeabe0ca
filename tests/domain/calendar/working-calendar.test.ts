import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  addDays,
  dateInZone,
  fromEpochDay,
  localDate,
  toEpochDay,
  weekday,
  type LocalDate,
} from '../../../src/domain/calendar/local-date.js';
import { WorkingCalendar } from '../../../src/domain/calendar/working-calendar.js';

const dateArb = fc
  .integer({ min: toEpochDay(localDate('2000-01-01')), max: toEpochDay(localDate('2060-12-31')) })
  .map(fromEpochDay);

const calendarArb = fc
  .record({
    weekendDays: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 3 }),
    holidayOffsets: fc.uniqueArray(fc.integer({ min: 0, max: 120 }), { maxLength: 15 }),
    start: dateArb,
  })
  .map(({ weekendDays, holidayOffsets, start }) => ({
    start,
    calendar: new WorkingCalendar({
      weekendDays,
      holidays: holidayOffsets.map((o) => addDays(start, o)),
    }),
  }));

/** The definition, one day at a time: what the arithmetic must agree with. */
const dayByDay = {
  between(calendar: WorkingCalendar, from: LocalDate, to: LocalDate): number {
    const sign = toEpochDay(to) >= toEpochDay(from) ? 1 : -1;
    const [a, b] = sign === 1 ? [from, to] : [to, from];
    let count = 0;
    for (let d = addDays(a, 1); toEpochDay(d) <= toEpochDay(b); d = addDays(d, 1))
      if (calendar.isWorkingDay(d)) count += 1;
    return count === 0 ? 0 : sign * count;
  },
  add(calendar: WorkingCalendar, from: LocalDate, n: number): LocalDate {
    let d = from;
    for (let left = n; left > 0;) {
      d = addDays(d, 1);
      if (calendar.isWorkingDay(d)) left -= 1;
    }
    return d;
  },
};

describe('WorkingCalendar counted arithmetically', () => {
  it('counts the working days between any two dates as the day-by-day definition does', () => {
    fc.assert(
      fc.property(
        calendarArb,
        fc.integer({ min: -400, max: 400 }),
        fc.integer({ min: -400, max: 400 }),
        ({ calendar, start }, x, y) => {
          const from = addDays(start, x);
          const to = addDays(start, y);
          expect(calendar.workingDaysBetween(from, to)).toBe(dayByDay.between(calendar, from, to));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('adds working days as the day-by-day definition does, holidays on weekends included', () => {
    const holidayCalendarArb = fc
      .record({
        weekendDays: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 6 }),
        holidayOffsets: fc.array(fc.integer({ min: -30, max: 300 }), { maxLength: 60 }),
        start: dateArb,
      })
      .map(({ weekendDays, holidayOffsets, start }) => ({
        start,
        calendar: new WorkingCalendar({
          weekendDays,
          holidays: holidayOffsets.map((o) => addDays(start, o)),
        }),
      }));
    fc.assert(
      fc.property(
        holidayCalendarArb,
        fc.integer({ min: 0, max: 250 }),
        fc.integer({ min: -20, max: 20 }),
        ({ calendar, start }, n, shift) => {
          const from = addDays(start, shift);
          expect(calendar.addWorkingDays(from, n)).toBe(dayByDay.add(calendar, from, n));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('counts across a run of consecutive holidays and a one-day working week', () => {
    const start = localDate('2026-12-20');
    const holidays = Array.from({ length: 20 }, (_, i) => addDays(start, i));
    const calendar = new WorkingCalendar({ weekendDays: [0, 1, 2, 3, 4, 5], holidays });
    // Only Saturdays are worked; the Saturdays of the 20 holidays do not count.
    expect(calendar.addWorkingDays(start, 1)).toBe(dayByDay.add(calendar, start, 1));
    expect(calendar.addWorkingDays(start, 1)).toBe('2027-01-09');
    expect(calendar.workingDaysBetween(start, localDate('2027-01-31'))).toBe(
      dayByDay.between(calendar, start, localDate('2027-01-31')),
    );
  });
});

describe('WorkingCalendar', () => {
  it('counts 14 working days from a Monday as the Thursday two weeks and three days on', () => {
    const calendar = new WorkingCalendar();
    // 2026-11-02 is a Monday; 14 working days later is Friday 2026-11-20.
    expect(calendar.addWorkingDays(localDate('2026-11-02'), 14)).toBe('2026-11-20');
  });

  it('skips holidays as well as weekends', () => {
    const calendar = new WorkingCalendar({
      weekendDays: [0, 6],
      holidays: [localDate('2026-12-25'), localDate('2026-12-28')],
    });
    // Thu 24th + 1 -> (Fri 25th holiday, weekend, Mon 28th holiday) -> Tue 29th
    expect(calendar.addWorkingDays(localDate('2026-12-24'), 1)).toBe('2026-12-29');
  });

  it('lands on a working day, exactly n working days on, for any calendar and n >= 1', () => {
    fc.assert(
      fc.property(calendarArb, fc.integer({ min: 1, max: 60 }), ({ calendar, start }, n) => {
        const due = calendar.addWorkingDays(start, n);
        expect(calendar.isWorkingDay(due)).toBe(true);
        expect(calendar.workingDaysBetween(start, due)).toBe(n);
        // and no earlier date would do
        expect(calendar.workingDaysBetween(start, addDays(due, -1))).toBe(n - 1);
      }),
    );
  });

  it('is monotonic and additive: adding a then b equals adding a + b', () => {
    fc.assert(
      fc.property(
        calendarArb,
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 40 }),
        ({ calendar, start }, a, b) => {
          const stepwise = calendar.addWorkingDays(calendar.addWorkingDays(start, a), b);
          expect(stepwise).toBe(calendar.addWorkingDays(start, a + b));
          expect(toEpochDay(calendar.addWorkingDays(start, a + 1))).toBeGreaterThan(
            toEpochDay(calendar.addWorkingDays(start, a)),
          );
        },
      ),
    );
  });

  it('never counts a weekend day or holiday as a working day', () => {
    fc.assert(
      fc.property(calendarArb, fc.integer({ min: 0, max: 120 }), ({ calendar, start }, offset) => {
        const day: LocalDate = addDays(start, offset);
        const worked = calendar.isWorkingDay(day);
        const settingsSay = new WorkingCalendar({ weekendDays: [], holidays: [] }).isWorkingDay(
          day,
        );
        expect(settingsSay).toBe(true);
        if (worked) expect(calendar.workingDaysBetween(addDays(day, -1), day)).toBe(1);
        else expect(calendar.workingDaysBetween(addDays(day, -1), day)).toBe(0);
      }),
    );
  });

  it('refuses a calendar with no working weekday and a negative count', () => {
    expect(() => new WorkingCalendar({ weekendDays: [0, 1, 2, 3, 4, 5, 6], holidays: [] })).toThrow(
      RangeError,
    );
    expect(() => new WorkingCalendar().addWorkingDays(localDate('2026-01-01'), -1)).toThrow(
      RangeError,
    );
  });
});

describe('LocalDate', () => {
  it('round-trips every date through its epoch day and knows its weekday', () => {
    fc.assert(
      fc.property(dateArb, (d) => {
        expect(fromEpochDay(toEpochDay(d))).toBe(d);
        expect(weekday(d)).toBe(new Date(`${d}T12:00:00Z`).getUTCDay());
      }),
    );
  });

  it('refuses impossible dates', () => {
    expect(() => localDate('2026-02-30')).toThrow(
      expect.objectContaining({ code: 'CALENDAR.INVALID_DATE' }),
    );
    expect(() => localDate('26-1-1')).toThrow();
  });

  it("gives the organisation's date of an instant in its time zone", () => {
    const instant = new Date('2026-11-27T23:30:00Z');
    expect(dateInZone(instant, 'UTC')).toBe('2026-11-27');
    expect(dateInZone(instant, 'Asia/Singapore')).toBe('2026-11-28');
    expect(dateInZone(instant, 'America/New_York')).toBe('2026-11-27');
  });
});
