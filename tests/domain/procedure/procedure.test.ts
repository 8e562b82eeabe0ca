import { describe, expect, it } from '@jest/globals';
import type { LocalDate } from '../../../src/domain/calendar/local-date.js';
import {
  NO_TRAINING,
  buildProcedure,
  citesCarNumber,
  findProcedure,
  findRevision,
  mergeTraining,
  revisionsCiting,
  traineesOf,
  type ProcedureRevision,
} from '../../../src/domain/procedure/procedure.js';

const aRevision = (
  versionName: string,
  overrides: Partial<ProcedureRevision> = {},
): ProcedureRevision => ({
  procedureId: 'f4f79eb7-6c2e-4852-8ab4-80591c9d55f4',
  docId: 'HLP-05',
  title: 'HLP-05 - Nonconformities and Corrective Actions',
  versionName,
  versionDate: '2026-01-05' as LocalDate,
  changelog: '',
  published: true,
  source: { kind: 'folder', path: `HLP-05/V${versionName}.md` },
  inferred: [],
  ...overrides,
});

describe('a procedure', () => {
  it('orders revisions by version, then date, and is in force at the highest published one', () => {
    const p = buildProcedure(
      'f4f79eb7-6c2e-4852-8ab4-80591c9d55f4',
      [
        aRevision('1.10.0', { published: false, title: 'Draft title' }),
        aRevision('1.2.0', { title: 'HLP-05 - NC and CA' }),
        aRevision('1.0.0'),
        aRevision('1.2.0', {
          versionDate: '2025-12-01' as LocalDate,
          source: { kind: 'folder', path: 'dup.md' },
        }),
      ],
      NO_TRAINING,
    );
    expect(p.revisions.map((r) => `${r.versionName} ${r.versionDate ?? ''}`)).toEqual([
      '1.0.0 2026-01-05',
      '1.2.0 2025-12-01',
      '1.2.0 2026-01-05',
      '1.10.0 2026-01-05',
    ]);
    expect(p.revisionInForce?.versionName).toBe('1.2.0');
    expect(p.title).toBe('HLP-05 - NC and CA');
  });

  it('has no revision in force while every revision is a draft', () => {
    const p = buildProcedure('x', [aRevision('0.1.0', { published: false })], NO_TRAINING);
    expect(p.revisionInForce).toBeNull();
    expect(p.title).toBe('HLP-05 - Nonconformities and Corrective Actions');
  });

  it('is found by its id or its doc id in any case, and a revision by a short version', () => {
    const p = buildProcedure('uuid-1', [aRevision('1.0.0'), aRevision('1.1.0')], NO_TRAINING);
    expect(findProcedure([p], 'uuid-1')).toBe(p);
    expect(findProcedure([p], 'hlp-05')).toBe(p);
    expect(findProcedure([p], 'HLP-06')).toBeNull();
    expect(findRevision(p, '1.1')?.versionName).toBe('1.1.0');
    expect(findRevision(p, '1.2')).toBeNull();
    expect(findRevision(p, 'latest')).toBeNull();
  });
});

describe('a change log citing a CAR', () => {
  it('cites the number as a whole word, in any case', () => {
    expect(citesCarNumber('Owner named (CAR-2026-0007)', 'CAR-2026-0007')).toBe(true);
    expect(citesCarNumber('per car-2026-0007; see minutes', 'CAR-2026-0007')).toBe(true);
    expect(citesCarNumber('CAR-2026-00071', 'CAR-2026-0007')).toBe(false);
    expect(citesCarNumber('XCAR-2026-0007', 'CAR-2026-0007')).toBe(false);
    expect(citesCarNumber('CAR 2026 0007', 'CAR-2026-0007')).toBe(false);
  });

  it('finds only published revisions above the one in force', () => {
    const p = buildProcedure(
      'p',
      [
        aRevision('1.0.0', { changelog: 'CAR-2026-0001 first' }),
        aRevision('1.1.0', { changelog: 'Fix (CAR-2026-0001)' }),
        aRevision('1.2.0', { changelog: 'Other (CAR-2026-0002)' }),
        aRevision('1.3.0', { changelog: 'Draft (CAR-2026-0001)', published: false }),
      ],
      NO_TRAINING,
    );
    expect(revisionsCiting(p, '1.0', 'CAR-2026-0001').map((r) => r.versionName)).toEqual(['1.1.0']);
    expect(revisionsCiting(p, '1.1.0', 'CAR-2026-0001')).toEqual([]);
    expect(revisionsCiting(p, 'not a version', 'CAR-2026-0001')).toEqual([]);
  });
});

describe('training audiences', () => {
  it('merge without repeating anyone, people before groups', () => {
    const a = { id: 'a', name: 'Sam Taylor' };
    const b = { id: 'b', name: 'Priya Shah' };
    const g = { id: 'g', name: 'Service Desk team' };
    const merged = mergeTraining({ people: [a, b], groups: [] }, { people: [a], groups: [g, g] });
    expect(merged).toEqual({ people: [a, b], groups: [g] });
    expect(traineesOf(merged)).toEqual([a, b, g]);
  });
});
