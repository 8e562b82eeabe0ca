/**
 * The behaviour every CarRepository adapter must have. An adapter's test file calls
 * `describeCarRepositoryContract('Name', makeRepository)`; each test gets a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { AuditRecord } from '../../src/domain/audit/audit-entry.js';
import { localDate, type LocalDate } from '../../src/domain/calendar/local-date.js';
import { formatCarNumber } from '../../src/domain/car/car-number.js';
import type {
  CarQuery,
  CarRepository,
  CarSortField,
  StoredCar,
} from '../../src/domain/car/car-repository.js';
import { RectifyError, type ErrorCode } from '../../src/domain/errors.js';
import {
  DEFAULT_NOW,
  DEFAULT_TODAY,
  THE_MR,
  aPerson,
  aReportedCar,
  anIdempotencyClaim,
  anOperationContext,
  auditFor,
  carInState,
  changeWithAudit,
  storeCarInState,
  type CarInStateOptions,
} from '../support/car-mother.js';

export type MakeRepository = () => Promise<{
  repository: CarRepository;
  close: () => Promise<void>;
}>;

async function failureOf(promise: Promise<unknown>, code: ErrorCode): Promise<RectifyError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof RectifyError && e.code === code) return e;
    throw e;
  }
  throw new Error(`expected the call to fail with ${code}`);
}

const recordedIn = (year: number): string => `${year}-03-02T09:00:00.000Z`;

export function describeCarRepositoryContract(
  adapterName: string,
  makeRepository: MakeRepository,
): void {
  describe(`CarRepository contract: ${adapterName}`, () => {
    let repository: CarRepository;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ repository, close } = await makeRepository());
    });

    afterEach(async () => {
      await close();
    });

    const report = async (options: CarInStateOptions = {}): Promise<StoredCar> =>
      storeCarInState(repository, 'reported', options);

    /**
     * Records a stored report at `at`, on the organisation's date `today` (by default the UTC
     * date of `at`); the year of that date is the year of its number.
     */
    const record = async (
      stored: StoredCar,
      at: string,
      etag = stored.etag,
      today?: LocalDate,
    ): Promise<StoredCar> => {
      const car = stored.car;
      const audit = changeWithAudit(
        car,
        'record',
        (c) => {
          c.record(anOperationContext({ now: at, today }), {
            classification: 'minor_nc',
            severity: 'low',
          });
        },
        THE_MR,
        { at, reason: 'Needs a CAR' },
      );
      return repository.update(car, etag, audit);
    };

    /** A change that every state allows, to move the etag on. */
    const review = async (stored: StoredCar): Promise<StoredCar> => {
      const car = stored.car;
      const audit = changeWithAudit(car, 'addCommitteeReview', (c) => {
        c.addCommitteeReview(anOperationContext(), {
          id: `review-${String(Math.random()).slice(2)}`,
          meetingDate: DEFAULT_TODAY,
          minutesRef: 'SC-2026-03',
          decision: 'Noted',
        });
      });
      return repository.update(car, stored.etag, audit);
    };

    describe('create and find', () => {
      it('finds a stored report by id with every field as it was given', async () => {
        const car = aReportedCar({
          details: {
            type: 'security_incident',
            relatesTo: ['equipment', 'personnel'],
            title: 'Laptop lost — “Überprüfung” 100% pending',
            occurredAt: null,
            confidential: true,
          },
        });

        const { stored, replayed } = await repository.create(car, auditFor(car, 'report'));
        const found = await repository.findById(car.id);

        expect(replayed).toBe(false);
        expect(stored.car.toPrimitives()).toEqual(car.toPrimitives());
        expect(found?.car.toPrimitives()).toEqual(car.toPrimitives());
        expect(found?.etag).toBe(stored.etag);
        expect(stored.etag).not.toBe('');
      });

      it('round-trips a closed CAR with its investigation, actions, verification and reviews', async () => {
        const car = carInState('closed', { number: formatCarNumber(2026, 42) });
        car.addCommitteeReview(anOperationContext(), {
          id: 'review-1',
          meetingDate: localDate('2026-03-10'),
          minutesRef: 'SC-2026-03',
          decision: 'Closure accepted',
          followUp: null,
        });

        await repository.create(car, auditFor(car, 'import'));

        const found = await repository.findById(car.id);
        expect(found?.car.toPrimitives()).toEqual(car.toPrimitives());
      });

      it('round-trips the consultees and their answers', async () => {
        const stored = await storeCarInState(repository, 'investigating');
        const consultee = aPerson({ id: 'consultee-7', name: 'Cora Sult' });
        const car = stored.car;
        const named = await repository.update(
          car,
          stored.etag,
          changeWithAudit(car, 'updateInvestigation', (c) => {
            c.updateInvestigation(anOperationContext(), { consultees: [consultee] });
          }),
        );
        await repository.update(
          car,
          named.etag,
          changeWithAudit(
            car,
            'addConsulteeInput',
            (c) => {
              c.addConsulteeInput(anOperationContext({ actor: consultee }), {
                id: 'input-1',
                answer: 'The reader was offline.',
              });
            },
            consultee,
          ),
        );
        const found = await repository.findById(car.id);
        expect(found?.car.toPrimitives()).toEqual(car.toPrimitives());
        expect(found?.car.toPrimitives().investigation.consulteeInputs).toHaveLength(1);
      });

      it('stores every step of a CAR walked from report to closure', async () => {
        const stored = await storeCarInState(repository, 'closed');

        const found = await repository.findById(stored.car.id);

        expect(found?.car.state).toBe('closed');
        expect(found?.car.number).toBe('CAR-2026-0001');
        expect(found?.car.toPrimitives()).toEqual(stored.car.toPrimitives());
        expect(found?.etag).toBe(stored.etag);
      });

      it('gives the time of the last write as updatedAt', async () => {
        const stored = await report();
        const at = '2026-04-01T10:15:00.000Z';
        const car = stored.car;
        const audit = changeWithAudit(car, 'reject', (c) => {
          c.reject(anOperationContext({ now: at }), { reason: 'Not a nonconformity' });
        });

        const updated = await repository.update(car, stored.etag, { ...audit, at });

        expect(Date.parse(updated.updatedAt)).toBe(Date.parse(at));
        expect((await repository.findById(car.id))?.updatedAt).toBe(updated.updatedAt);
      });

      it('returns null for an unknown id or number', async () => {
        await report();

        expect(await repository.findById('car-unknown')).toBeNull();
        expect(await repository.findByNumber('CAR-2026-0001')).toBeNull();
      });

      it('finds a recorded CAR by its number', async () => {
        const first = await record(await report(), recordedIn(2026));
        const second = await record(await report(), recordedIn(2026));

        const found = await repository.findByNumber('CAR-2026-0002');

        expect(first.car.number).toBe('CAR-2026-0001');
        expect(found?.car.id).toBe(second.car.id);
        expect(found?.etag).toBe(second.etag);
      });
    });

    describe('idempotent create', () => {
      it('replays the stored CAR for the same key and body, writing nothing', async () => {
        const claim = anIdempotencyClaim();
        const first = aReportedCar();
        const retry = aReportedCar();
        const created = await repository.create(first, auditFor(first, 'report'), claim);
        const trail = await repository.history(first.id);

        const replay = await repository.create(retry, auditFor(retry, 'report'), { ...claim });

        expect(created.replayed).toBe(false);
        expect(replay.replayed).toBe(true);
        expect(replay.stored.car.id).toBe(first.id);
        expect(replay.stored.etag).toBe(created.stored.etag);
        expect(await repository.findById(retry.id)).toBeNull();
        expect(await repository.history(first.id)).toEqual(trail);
        expect(await repository.history(retry.id)).toEqual([]);
      });

      it('refuses the same key with another body and writes nothing', async () => {
        const claim = anIdempotencyClaim({ fingerprint: 'body-1' });
        const first = aReportedCar();
        const other = aReportedCar();
        await repository.create(first, auditFor(first, 'report'), claim);

        const error = await failureOf(
          repository.create(other, auditFor(other, 'report'), { ...claim, fingerprint: 'body-2' }),
          'IDEMPOTENCY.KEY_REUSED',
        );

        expect(error.kind).toBe('unprocessable');
        expect(await repository.findById(other.id)).toBeNull();
        expect(await repository.history(other.id)).toEqual([]);
      });

      it('keeps keys apart per scope', async () => {
        const first = aReportedCar();
        const second = aReportedCar();
        await repository.create(
          first,
          auditFor(first, 'report'),
          anIdempotencyClaim({ scope: 'a', key: 'k' }),
        );

        const other = await repository.create(
          second,
          auditFor(second, 'report'),
          anIdempotencyClaim({ scope: 'b', key: 'k' }),
        );

        expect(other.replayed).toBe(false);
        expect(other.stored.car.id).toBe(second.id);
      });
    });

    describe('optimistic concurrency', () => {
      it('saves a change made to the current version and gives a new etag', async () => {
        const stored = await report();

        const updated = await review(stored);

        expect(updated.etag).not.toBe(stored.etag);
        const found = await repository.findById(stored.car.id);
        expect(found?.etag).toBe(updated.etag);
        expect(found?.car.toPrimitives()).toEqual(updated.car.toPrimitives());
      });

      it('refuses a change made to a stale version, with the current etag, and changes nothing', async () => {
        const stale = await report();
        const current = await review(stale);
        const trail = await repository.history(stale.car.id);

        const error = await failureOf(record(stale, DEFAULT_NOW), 'CAR.CONFLICT');

        expect(error.details.currentEtag).toBe(current.etag);
        const found = await repository.findById(stale.car.id);
        expect(found?.etag).toBe(current.etag);
        expect(found?.car.toPrimitives()).toEqual(current.car.toPrimitives());
        expect(await repository.history(stale.car.id)).toEqual(trail);
      });

      it('refuses to update a CAR that was never stored', async () => {
        const car = aReportedCar();

        await failureOf(
          repository.update(car, '"1"', auditFor(car, 'reject', THE_MR, { before: car })),
          'CAR.NOT_FOUND',
        );
        expect(await repository.findById(car.id)).toBeNull();
      });
    });

    describe('numbering', () => {
      it('numbers CARs CAR-YYYY-0001, -0002, ... in the order they are recorded', async () => {
        const a = await report();
        const b = await report();
        const c = await report();

        const numbers = [
          (await record(b, recordedIn(2026))).car.number,
          (await record(c, recordedIn(2026))).car.number,
          (await record(a, recordedIn(2026))).car.number,
        ];

        expect(numbers).toEqual(['CAR-2026-0001', 'CAR-2026-0002', 'CAR-2026-0003']);
        expect((await repository.findById(a.car.id))?.car.number).toBe('CAR-2026-0003');
      });

      it('gives the caller the numbered CAR', async () => {
        const stored = await report();
        const car = stored.car;

        const updated = await repository.update(
          car,
          stored.etag,
          changeWithAudit(car, 'record', (c) => {
            c.record(anOperationContext(), { classification: 'ofi', severity: 'low' });
          }),
        );

        expect(updated.car.number).toBe('CAR-2026-0001');
        expect(updated.car.needsNumber()).toBe(false);
      });

      it("starts again at 0001 in a new year, by the organisation's date of the recording", async () => {
        const a = await report();
        const b = await report();
        const c = await report();
        const d = await report();

        const numbers = [
          (await record(a, '2025-12-31T23:59:59.000Z')).car.number,
          (await record(b, '2026-01-01T00:00:00.000Z')).car.number,
          (await record(c, '2025-06-30T12:00:00.000Z')).car.number,
          // 23:30 on 31 December at UTC-2 is already 2026 in UTC, but still 2025 for an
          // organisation in that zone.
          (await record(d, '2025-12-31T23:30:00.000-02:00', d.etag, localDate('2025-12-31'))).car
            .number,
        ];

        expect(numbers).toEqual([
          'CAR-2025-0001',
          'CAR-2026-0001',
          'CAR-2025-0002',
          'CAR-2025-0003',
        ]);
      });

      it('consumes no number for a recording refused as a conflict', async () => {
        const stale = await report();
        await review(stale);
        const other = await report();

        await failureOf(record(stale, recordedIn(2026)), 'CAR.CONFLICT');
        const recorded = await record(other, recordedIn(2026));

        expect(recorded.car.number).toBe('CAR-2026-0001');
        expect((await repository.findById(stale.car.id))?.car.number).toBeNull();
      });

      it('does not number a rejected or merged report', async () => {
        const target = await storeCarInState(repository, 'investigating');
        const rejected = await storeCarInState(repository, 'rejected');
        const merged = await storeCarInState(repository, 'merged', {
          mergeTarget: { id: target.car.id, number: target.car.number, state: target.car.state },
        });
        const next = await storeCarInState(repository, 'recorded');

        expect(target.car.number).toBe('CAR-2026-0001');
        expect(rejected.car.number).toBeNull();
        expect(merged.car.number).toBeNull();
        expect(next.car.number).toBe('CAR-2026-0002');
      });
    });

    describe('history', () => {
      it('returns the audit entries of a CAR in order, with who, when, why and the values', async () => {
        const reporter = aPerson({ name: 'Priya Shah' });
        const stored = await report({ reporter, reportedAt: '2026-03-01T08:00:00.000Z' });
        const at = '2026-03-02T11:00:00.000Z';
        await record(stored, at);

        const entries = await repository.history(stored.car.id);

        const sequences = entries.map((e) => e.sequence);
        expect([...sequences].sort((x, y) => x - y)).toEqual(sequences);
        expect(new Set(sequences).size).toBe(sequences.length);
        expect(entries.every((e) => e.carId === stored.car.id && e.hash.length > 0)).toBe(true);

        const reported = entries.filter((e) => e.operation === 'report');
        expect(reported.length).toBeGreaterThan(0);
        expect(
          reported.every((e) => e.actor.id === reporter.id && e.actor.name === 'Priya Shah'),
        ).toBe(true);
        expect(reported.every((e) => e.at === '2026-03-01T08:00:00.000Z')).toBe(true);

        const recording = entries.filter((e) => e.operation === 'record');
        expect(recording.length).toBeGreaterThan(0);
        expect(Math.min(...recording.map((e) => e.sequence))).toBeGreaterThan(
          Math.max(...reported.map((e) => e.sequence)),
        );
        expect(recording.every((e) => e.actor.id === THE_MR.id && e.at === at)).toBe(true);
        expect(recording.every((e) => e.reason === 'Needs a CAR')).toBe(true);
        // One entry per operation, with every field it changed inside.
        expect(reported).toHaveLength(1);
        expect(recording).toHaveLength(1);
        expect(sequences).toEqual(sequences.map((_, i) => i + 1));
        const changes = recording.flatMap((e) => e.changes);
        expect(changes).toContainEqual({
          field: 'state',
          oldValue: 'reported',
          newValue: 'recorded',
        });
        expect(changes).toContainEqual({
          field: 'classification',
          oldValue: null,
          newValue: 'minor_nc',
        });
        expect(changes).toContainEqual({
          field: 'number',
          oldValue: null,
          newValue: 'CAR-2026-0001',
        });
      });

      it('keeps structured values as they were given', async () => {
        const car = aReportedCar();
        const audit: AuditRecord = {
          ...auditFor(car, 'report'),
          changes: [
            { field: 'report.relatesTo', oldValue: null, newValue: ['procedure', 'equipment'] },
          ],
        };

        await repository.create(car, audit);

        expect(await repository.history(car.id)).toEqual([
          expect.objectContaining({
            changes: [
              { field: 'report.relatesTo', oldValue: null, newValue: ['procedure', 'equipment'] },
            ],
          }),
        ]);
      });

      it('records an operation that changed no field as one entry', async () => {
        const stored = await report();
        const before = (await repository.history(stored.car.id)).length;

        await repository.update(stored.car, stored.etag, {
          ...auditFor(stored.car, 'acknowledge', THE_MR, { before: stored.car }),
          reason: 'Seen by the MR',
        });

        const entries = await repository.history(stored.car.id);
        expect(entries).toHaveLength(before + 1);
        expect(entries.at(-1)).toEqual(
          expect.objectContaining({
            operation: 'acknowledge',
            changes: [],
            reason: 'Seen by the MR',
            actor: THE_MR,
          }),
        );
      });

      it('lists only the entries of the CAR asked for', async () => {
        const a = await report();
        const b = await report();
        await record(b, DEFAULT_NOW);

        const entries = await repository.history(a.car.id);

        expect(entries.length).toBeGreaterThan(0);
        expect(entries.every((e) => e.carId === a.car.id)).toBe(true);
        expect(await repository.history('car-unknown')).toEqual([]);
      });
    });

    describe('list', () => {
      const query = (overrides: Partial<CarQuery> = {}): CarQuery => ({
        today: DEFAULT_TODAY,
        visibility: { kind: 'all' },
        sort: 'reportedAt',
        order: 'asc',
        limit: 100,
        ...overrides,
      });
      const idsOf = async (overrides: Partial<CarQuery> = {}): Promise<string[]> =>
        (await repository.list(query(overrides))).items.map((s) => s.car.id).sort();
      const sortedIds = (...stored: StoredCar[]): string[] => stored.map((s) => s.car.id).sort();

      it('filters by state', async () => {
        await storeCarInState(repository, 'reported');
        const recorded = await storeCarInState(repository, 'recorded');
        const investigating = await storeCarInState(repository, 'investigating');
        await storeCarInState(repository, 'rejected');

        expect(await idsOf({ states: ['recorded', 'investigating'] })).toEqual(
          sortedIds(recorded, investigating),
        );
      });

      it('filters by report type', async () => {
        const incident = await report({ details: { type: 'security_incident' } });
        await report({ details: { type: 'near_miss' } });

        expect(await idsOf({ types: ['security_incident'] })).toEqual(sortedIds(incident));
      });

      it('filters by classification', async () => {
        const major = await storeCarInState(repository, 'recorded', { classification: 'major_nc' });
        await storeCarInState(repository, 'recorded', { classification: 'ofi' });
        await report();

        expect(await idsOf({ classifications: ['major_nc'] })).toEqual(sortedIds(major));
      });

      it('filters by the kind of an action', async () => {
        const training = await storeCarInState(repository, 'action_planned', {
          actionKind: 'training',
        });
        await storeCarInState(repository, 'action_planned', { actionKind: 'corrective' });

        expect(await idsOf({ actionKinds: ['training', 'procedure_change'] })).toEqual(
          sortedIds(training),
        );
      });

      it('filters by the owner of an action that is not cancelled', async () => {
        const owner = aPerson();
        const owned = await storeCarInState(repository, 'action_planned', { actionOwner: owner });
        await storeCarInState(repository, 'action_planned');
        const cancelled = await storeCarInState(repository, 'action_planned', {
          actionOwner: owner,
          actionId: 'a-cancelled',
        });
        const car = cancelled.car;
        await repository.update(
          car,
          cancelled.etag,
          changeWithAudit(car, 'cancelAction', (c) => {
            c.cancelAction(anOperationContext(), 'a-cancelled', { reason: 'Not needed' });
          }),
        );

        expect(await idsOf({ actionOwnerId: owner.id })).toEqual(sortedIds(owned));
      });

      it('filters by the cause category of the investigation', async () => {
        const investigating = async (causeCategory: 'process' | 'people') => {
          const stored = await storeCarInState(repository, 'investigating');
          return repository.update(
            stored.car,
            stored.etag,
            changeWithAudit(stored.car, 'updateInvestigation', (c) => {
              c.updateInvestigation(anOperationContext(), { causeCategory });
            }),
          );
        };
        const process = await investigating('process');
        const people = await investigating('people');
        await storeCarInState(repository, 'investigating');
        expect(await idsOf({ causeCategories: ['process'] })).toEqual(sortedIds(process));
        expect(await idsOf({ causeCategories: ['process', 'people'] })).toEqual(
          sortedIds(process, people),
        );
      });

      it('filters by reporter', async () => {
        const reporter = aPerson();
        const mine = await report({ reporter });
        const mineRecorded = await storeCarInState(repository, 'recorded', { reporter });
        await report();

        expect(await idsOf({ reporterId: reporter.id })).toEqual(sortedIds(mine, mineRecorded));
      });

      it('filters the open CARs with something due before today', async () => {
        const today = localDate('2026-03-02');
        const late = await storeCarInState(repository, 'implementing', {
          actionDueDate: localDate('2026-02-20'),
        });
        await storeCarInState(repository, 'implementing', { actionDueDate: today });
        await storeCarInState(repository, 'implementing', {
          actionDueDate: localDate('2026-03-20'),
        });
        await storeCarInState(repository, 'closed');
        await report();

        expect(await idsOf({ overdue: true, today })).toEqual(sortedIds(late));
        expect(await idsOf({ overdue: true, today: localDate('2026-03-03') })).toHaveLength(2);
      });

      it('counts the effectiveness review as something due', async () => {
        const verifying = await storeCarInState(repository, 'verifying');
        const due = verifying.car.nextDueDate();
        if (due === null) throw new Error('a CAR being verified has a review date');
        const dayAfter = localDate(
          new Date(Date.parse(`${due}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10),
        );

        expect(await idsOf({ overdue: true, today: due })).toEqual([]);
        expect(await idsOf({ overdue: true, today: dayAfter })).toEqual(sortedIds(verifying));
      });

      it('finds CARs containing every word of the text, in any searched field, ignoring case', async () => {
        const match = await report({
          details: { title: 'Firewall rule left open', location: 'Data centre Zürich' },
        });
        await report({ details: { title: 'Firewall rule reviewed', location: 'Branch office' } });
        const byAffected = await report({
          details: { affected: 'FIREWALL of the DMZ and zürich link' },
        });

        expect(await idsOf({ text: '  firewall   ZÜRICH ' })).toEqual(sortedIds(match, byAffected));
        expect(await idsOf({ text: 'open' })).toEqual(sortedIds(match));
      });

      it('finds a CAR by its number in the text', async () => {
        const recorded = await storeCarInState(repository, 'recorded');
        await storeCarInState(repository, 'recorded');

        expect(await idsOf({ text: 'car-2026-0001' })).toEqual(sortedIds(recorded));
      });

      it('takes % and _ in the text literally', async () => {
        const percent = await report({ details: { title: 'Disk 100% full' } });
        await report({ details: { title: 'Disk 1000 GB full' } });
        const underscore = await report({ details: { title: 'Account svc_backup shared' } });
        await report({ details: { title: 'Account svcXbackup shared' } });

        expect(await idsOf({ text: '100%' })).toEqual(sortedIds(percent));
        expect(await idsOf({ text: 'svc_backup' })).toEqual(sortedIds(underscore));
        expect(await idsOf({ text: '\\' })).toEqual([]);
      });

      it('combines filters, and an empty list filters nothing', async () => {
        const reporter = aPerson();
        const wanted = await storeCarInState(repository, 'recorded', { reporter });
        const reported = await report({ reporter });
        await storeCarInState(repository, 'recorded');

        expect(await idsOf({ reporterId: reporter.id, states: ['recorded'] })).toEqual(
          sortedIds(wanted),
        );
        expect(await idsOf({ reporterId: reporter.id, states: [], types: [] })).toEqual(
          sortedIds(wanted, reported),
        );
      });

      describe('visibility', () => {
        it('shows a person what they reported and the open CARs where they own an action', async () => {
          const reporter = aPerson();
          const owner = aPerson();
          const confidential = await storeCarInState(repository, 'action_planned', {
            reporter,
            actionOwner: owner,
            details: { confidential: true },
          });
          const open = await storeCarInState(repository, 'action_planned', { actionOwner: owner });
          const unrelated = await storeCarInState(repository, 'action_planned');

          expect(await idsOf({ visibility: { kind: 'involved', personId: owner.id } })).toEqual(
            sortedIds(open),
          );
          expect(await idsOf({ visibility: { kind: 'involved', personId: reporter.id } })).toEqual(
            sortedIds(confidential),
          );
          expect(await idsOf({ visibility: { kind: 'all' } })).toEqual(
            sortedIds(confidential, open, unrelated),
          );
        });

        it('hides a CAR whose only action of the person was cancelled', async () => {
          const owner = aPerson();
          const stored = await storeCarInState(repository, 'action_planned', {
            actionOwner: owner,
            actionId: 'a1',
          });
          expect(await idsOf({ visibility: { kind: 'involved', personId: owner.id } })).toEqual(
            sortedIds(stored),
          );
          const car = stored.car;

          await repository.update(
            car,
            stored.etag,
            changeWithAudit(car, 'cancelAction', (c) => {
              c.cancelAction(anOperationContext(), 'a1', { reason: 'Duplicate' });
            }),
          );

          expect(await idsOf({ visibility: { kind: 'involved', personId: owner.id } })).toEqual([]);
        });

        /** Each kind of involvement on its own: the list answers exactly as `Car.involves`. */
        const involvement: readonly {
          kind: string;
          make: (person: ReturnType<typeof aPerson>, confidential: boolean) => Promise<StoredCar>;
          seesConfidential: boolean;
        }[] = [
          {
            kind: 'the reporter',
            make: (person, confidential) =>
              storeCarInState(repository, 'reported', {
                reporter: person,
                details: { confidential },
              }),
            seesConfidential: true,
          },
          {
            kind: 'an action owner',
            make: (person, confidential) =>
              storeCarInState(repository, 'action_planned', {
                actionOwner: person,
                details: { confidential },
              }),
            seesConfidential: false,
          },
          {
            kind: 'a consultee',
            make: async (person, confidential) => {
              const stored = await storeCarInState(repository, 'investigating', {
                details: { confidential },
              });
              const car = stored.car;
              return repository.update(
                car,
                stored.etag,
                changeWithAudit(car, 'updateInvestigation', (c) => {
                  c.updateInvestigation(anOperationContext(), { consultees: [person] });
                }),
              );
            },
            seesConfidential: true,
          },
        ];
        for (const { kind, make, seesConfidential } of involvement)
          for (const confidential of [false, true])
            it(`lists a ${confidential ? 'confidential' : 'non-confidential'} CAR to ${kind} ${
              confidential && !seesConfidential ? 'not at all' : 'and to nobody else'
            }`, async () => {
              const person = aPerson();
              const stored = await make(person, confidential);
              await storeCarInState(repository, 'investigating');
              const visible = confidential && !seesConfidential ? [] : [stored.car.id];
              expect(
                await idsOf({ visibility: { kind: 'involved', personId: person.id } }),
              ).toEqual(visible);
              expect(stored.car.involves(person.id)).toBe(visible.length === 1);
              expect(
                await idsOf({ visibility: { kind: 'involved', personId: aPerson().id } }),
              ).toEqual([]);
            });
      });

      describe('tenants', () => {
        it('lists only the CARs of the tenants asked for, and keeps each CAR its tenant', async () => {
          const ofA = await storeCarInState(repository, 'recorded', { tenantId: 'tenant-a' });
          const ofB = await storeCarInState(repository, 'action_planned', { tenantId: 'tenant-b' });
          const older = await storeCarInState(repository, 'reported');

          expect(await idsOf({ tenantIds: ['tenant-a'] })).toEqual(sortedIds(ofA));
          expect(await idsOf({ tenantIds: ['tenant-b', ''] })).toEqual(sortedIds(ofB, older));
          expect(await idsOf({ tenantIds: [] })).toEqual([]);
          expect(await idsOf({})).toEqual(sortedIds(ofA, ofB, older));
          expect((await repository.findById(ofB.car.id))?.car.tenantId).toBe('tenant-b');
          expect((await repository.findById(older.car.id))?.car.tenantId).toBe('');
        });
      });

      describe('sorting', () => {
        const orderOf = async (sort: CarSortField, order: 'asc' | 'desc'): Promise<string[]> =>
          (await repository.list(query({ sort, order }))).items.map((s) => s.car.id);

        it('sorts by the time of reporting, both ways', async () => {
          const second = await report({ reportedAt: '2026-02-02T09:00:00.000Z' });
          const first = await report({ reportedAt: '2026-01-15T09:00:00.000Z' });
          const third = await report({ reportedAt: '2026-03-01T09:00:00.000Z' });
          const ids = [first, second, third].map((s) => s.car.id);

          expect(await orderOf('reportedAt', 'asc')).toEqual(ids);
          expect(await orderOf('reportedAt', 'desc')).toEqual([...ids].reverse());
        });

        it('sorts by the time of the last change, both ways', async () => {
          const a = await report();
          const b = await report();
          const c = await report();
          for (const [stored, at] of [
            [b, '2026-03-03T08:00:00.000Z'],
            [c, '2026-03-04T08:00:00.000Z'],
            [a, '2026-03-05T08:00:00.000Z'],
          ] as const) {
            const car = stored.car;
            await repository.update(
              car,
              stored.etag,
              changeWithAudit(
                car,
                'reject',
                (x) => {
                  x.reject(anOperationContext({ now: at }), { reason: 'Not a nonconformity' });
                },
                THE_MR,
                { at },
              ),
            );
          }
          const ids = [b, c, a].map((s) => s.car.id);

          expect(await orderOf('updatedAt', 'asc')).toEqual(ids);
          expect(await orderOf('updatedAt', 'desc')).toEqual([...ids].reverse());
        });

        it('sorts by number, both ways, with unnumbered reports last', async () => {
          const unnumbered = await report();
          const first = await storeCarInState(repository, 'recorded', {
            context: { now: recordedIn(2025) },
          });
          const third = await storeCarInState(repository, 'recorded');
          const second = await storeCarInState(repository, 'recorded', {
            context: { now: recordedIn(2025) },
          });

          expect(await orderOf('number', 'asc')).toEqual(
            [first, second, third, unnumbered].map((s) => s.car.id),
          );
          expect(await orderOf('number', 'desc')).toEqual(
            [third, second, first, unnumbered].map((s) => s.car.id),
          );
        });

        it('sorts by the next due date, both ways, with nothing due last', async () => {
          const nothingDue = await report();
          const late = await storeCarInState(repository, 'implementing', {
            actionDueDate: localDate('2026-04-30'),
          });
          const early = await storeCarInState(repository, 'implementing', {
            actionDueDate: localDate('2026-03-10'),
          });

          expect(await orderOf('dueDate', 'asc')).toEqual(
            [early, late, nothingDue].map((s) => s.car.id),
          );
          expect(await orderOf('dueDate', 'desc')).toEqual(
            [late, early, nothingDue].map((s) => s.car.id),
          );
        });
      });

      describe('paging', () => {
        it('pages through 25 CARs 10 at a time, each exactly once, in every sort order', async () => {
          const states = ['reported', 'recorded', 'action_planned'] as const;
          for (let i = 0; i < 25; i += 1) {
            await storeCarInState(repository, states[i % 3] ?? 'reported', {
              // Few distinct values, so that ties must be broken the same way on every page.
              reportedAt: `2026-0${(i % 4) + 1}-01T09:00:00.000Z`,
              context: { now: recordedIn(2025 + (i % 2)) },
              actionDueDate: localDate(`2026-0${(i % 3) + 4}-15`),
            });
          }

          for (const sort of ['reportedAt', 'updatedAt', 'number', 'dueDate'] as const) {
            for (const order of ['asc', 'desc'] as const) {
              const all = (await repository.list(query({ sort, order }))).items.map(
                (s) => s.car.id,
              );
              const pages: string[][] = [];
              let cursor: string | undefined;
              do {
                const page = await repository.list(query({ sort, order, limit: 10, cursor }));
                pages.push(page.items.map((s) => s.car.id));
                cursor = page.nextCursor ?? undefined;
              } while (cursor !== undefined && pages.length < 10);

              expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
              expect(pages.flat()).toEqual(all);
              expect(new Set(pages.flat()).size).toBe(25);
            }
          }
        });

        it('gives no cursor on the last page, also when it is full', async () => {
          for (let i = 0; i < 4; i += 1) await report();

          const first = await repository.list(query({ limit: 2 }));
          const last = await repository.list(
            query({ limit: 2, cursor: first.nextCursor ?? undefined }),
          );

          expect(first.nextCursor).not.toBeNull();
          expect(last.items).toHaveLength(2);
          expect(last.nextCursor).toBeNull();
        });

        it('refuses a cursor it did not issue', async () => {
          await report();

          const error = await failureOf(
            repository.list(query({ cursor: 'not-a-cursor' })),
            'REQUEST.VALIDATION',
          );

          expect(error.details.field).toBe('cursor');
        });
      });
    });
  });
}
