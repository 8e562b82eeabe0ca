import { RectifyError } from '../errors.js';

/** CAR-YYYY-NNNN: unique, and gapless within a year (the store hands out the sequence). */
export type CarNumber = string & { readonly __brand: 'CarNumber' };

const PATTERN = /^CAR-(\d{4})-(\d{4,})$/;

export function formatCarNumber(year: number, sequence: number): CarNumber {
  if (!Number.isInteger(year) || year < 1000 || year > 9999)
    throw new RectifyError('CAR.NUMBER_INVALID', { year });
  if (!Number.isInteger(sequence) || sequence < 1)
    throw new RectifyError('CAR.NUMBER_INVALID', { sequence });
  return `CAR-${year}-${String(sequence).padStart(4, '0')}` as CarNumber;
}

export function parseCarNumber(value: string): { year: number; sequence: number } {
  const m = PATTERN.exec(value);
  const year = Number(m?.[1]);
  const sequence = Number(m?.[2]);
  // One spelling per number: CAR-2026-00007 is refused, CAR-2026-0007 is the number.
  if (!m || sequence < 1 || `CAR-${m[1]}-${String(sequence).padStart(4, '0')}` !== value)
    throw new RectifyError('CAR.NUMBER_INVALID', { value });
  return { year, sequence };
}

export const isCarNumber = (value: string): value is CarNumber => {
  try {
    parseCarNumber(value);
    return true;
  } catch {
    return false;
  }
};
