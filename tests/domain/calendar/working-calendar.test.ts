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
