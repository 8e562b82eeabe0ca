import { describe, expect, it } from '@jest/globals';
import { durationFigures, monthsOf, nearestRank } from '../../../src/application/committee/kpis.js';
import { ZonedDates } from '../../../src/application/committee/zoned-dates.js';
import { dateInZone, type LocalDate } from '../../../src/domain/calendar/local-date.js';

describe('nearest-rank percentiles', () => {
  it('take the value at position ceil(p/100 × n) of the sorted values', () => {
    const sixteen = Array.from({ length: 16 }, (_, i) => (i + 1) * 10);
    expect(nearestRank(sixteen, 90)).toBe(150); // ceil(14.4) = 15th value
    expect(nearestRank([3], 90)).toBe(3);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(nearestRank([], 90)).toBeNull();
  });

  it('mean and p90 of unsorted days; nothing gives nulls', () => {
    expect(durationFigures([10, 0, 5, 1])).toEqual({ count: 4, mean: 4, p90: 10 });
    expect(durationFigures([])).toEqual({ count: 0, mean: null, p90: null });
  });
});

describe('months of a period', () => {
  it('lists every month from the first to the last, across a year end', () => {
    expect(monthsOf({ from: '2025-11-30' as LocalDate, to: '2026-02-01' as LocalDate })).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
    ]);
    expect(monthsOf({ from: '2026-03-05' as LocalDate, to: '2026-03-05' as LocalDate })).toEqual([
      '2026-03',
    ]);
  });
});

describe('the organisation date of an instant', () => {
  it.each([
    'UTC',
    'Europe/Berlin',
    'Asia/Kolkata',
    'Australia/Lord_Howe',
    'America/St_Johns',
    'Pacific/Chatham',
  ])('agrees with the calendar module in %s, every 7 minutes over DST changes', (zone) => {
    const dates = new ZonedDates(zone);
    // The reference: Intl's own date of each instant, asked every time.
    const format = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    const reference = (d: Date): string => {
      const p = Object.fromEntries(format.formatToParts(d).map((x) => [x.type, x.value]));
      return `${p.year}-${p.month}-${p.day}`;
    };
    expect(reference(new Date('2026-06-01T12:00:00Z'))).toBe(
      dateInZone(new Date('2026-06-01T12:00:00Z'), zone),
    );
    const wrong: string[] = [];
    const walk = (from: string, days: number, stepMinutes: number) => {
      const start = Date.parse(from);
      for (let ms = start; ms < start + days * 86_400_000; ms += stepMinutes * 60_000) {
        const instant = new Date(ms);
        if (dates.dateOf(instant.toISOString()) !== reference(instant))
          wrong.push(instant.toISOString());
      }
    };
    walk('2026-03-06T00:00:00Z', 35, 7);
    walk('2026-09-25T00:00:00Z', 40, 11);
    expect(wrong).toEqual([]);
  });

  it('refuses what is not an instant', () => {
    expect(() => new ZonedDates('UTC').dateOf('yesterday')).toThrow('not an ISO instant');
  });
});
