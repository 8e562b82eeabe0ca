import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  formatCarNumber,
  isCarNumber,
  parseCarNumber,
} from '../../../src/domain/car/car-number.js';

describe('CAR numbers', () => {
  it('read CAR-YYYY-NNNN', () => {
    expect(formatCarNumber(2026, 7)).toBe('CAR-2026-0007');
    expect(formatCarNumber(2026, 12345)).toBe('CAR-2026-12345');
  });

  it('parse back to the same year and sequence, for any year and sequence', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 9999 }),
        fc.integer({ min: 1, max: 999_999 }),
        (y, n) => {
          expect(parseCarNumber(formatCarNumber(y, n))).toEqual({ year: y, sequence: n });
        },
      ),
    );
  });

  it('are distinct for distinct (year, sequence) pairs', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 1, max: 20_000 })),
          {
            selector: ([y, n]) => `${y}/${n}`,
            maxLength: 200,
          },
        ),
        (pairs) => {
          const numbers = pairs.map(([y, n]) => formatCarNumber(y, n));
          expect(new Set(numbers).size).toBe(pairs.length);
        },
      ),
    );
  });

  it('refuse other spellings and sequence zero', () => {
    for (const bad of [
      'CAR-2026-0000',
      'CAR-2026-007',
      'CAR-2026-00007',
      'car-2026-0001',
      'CAR-26-0001',
      '',
    ])
      expect(isCarNumber(bad)).toBe(false);
    expect(() => formatCarNumber(2026, 0)).toThrow(
      expect.objectContaining({ code: 'CAR.NUMBER_INVALID' }),
    );
  });
});
