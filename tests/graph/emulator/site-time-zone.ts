/**
 * Date-only columns as SharePoint keeps them
 * (https://learn.microsoft.com/en-us/graph/api/resources/datetimecolumn, format `dateOnly`):
 * a calendar day in the site's regional time zone. A value written as an instant becomes the
 * day that instant falls on in the site's zone, and Graph renders the day back as its
 * midnight in that zone, expressed in UTC (a site in UTC-8 shows 1 March as
 * `2026-03-01T08:00:00Z`).
 */

function offsetMinutes(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/** The calendar day (YYYY-MM-DD) an instant falls on in a time zone. */
export function dayIn(instant: string, timeZone: string): string {
  const date = new Date(instant);
  const local = new Date(date.getTime() + offsetMinutes(date, timeZone) * 60_000);
  return local.toISOString().slice(0, 10);
}

/** Midnight of a calendar day in a time zone, as a UTC instant without milliseconds. */
export function midnightIn(day: string, timeZone: string): string {
  const guess = new Date(`${day}T00:00:00Z`);
  let at = guess.getTime() - offsetMinutes(guess, timeZone) * 60_000;
  // Once more at the found instant, in case a change of offset lies between.
  at = guess.getTime() - offsetMinutes(new Date(at), timeZone) * 60_000;
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What a date-only column stores and shows for a written value. */
export const dateOnlyValue = (written: string, timeZone: string): string =>
  midnightIn(dayIn(written, timeZone), timeZone);
