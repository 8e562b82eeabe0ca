import { RectifyError } from '../errors.js';

/** A calendar date without time or zone, written YYYY-MM-DD. */
export type LocalDate = string & { readonly __brand: 'LocalDate' };

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export function isLocalDate(value: string): value is LocalDate {
  const m = PATTERN.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

export function localDate(value: string): LocalDate {
  if (!isLocalDate(value)) throw new RectifyError('CALENDAR.INVALID_DATE', { value });
  return value;
}

export const toEpochDay = (d: LocalDate): number => Date.parse(`${d}T00:00:00Z`) / DAY_MS;
export const fromEpochDay = (n: number): LocalDate =>
  new Date(n * DAY_MS).toISOString().slice(0, 10) as LocalDate;
export const addDays = (d: LocalDate, n: number): LocalDate => fromEpochDay(toEpochDay(d) + n);
/** 0 = Sunday ... 6 = Saturday */
export const weekday = (d: LocalDate): number => new Date(toEpochDay(d) * DAY_MS).getUTCDay();
export const yearOf = (d: LocalDate): number => Number(d.slice(0, 4));

/** One formatter per time zone: building an Intl.DateTimeFormat costs far more than using it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The date of an instant in an IANA time zone (the organisation's calendar). */
export function dateInZone(instant: Date, timeZone: string): LocalDate {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return localDate(`${get('year')}-${get('month')}-${get('day')}`);
}
