import { describe, expect, it } from '@jest/globals';
import { localDate } from '../../../src/domain/calendar/local-date.js';
import { assertDueDateNotPast } from '../../../src/domain/car/car.js';
import { RectifyError } from '../../../src/domain/errors.js';
import {
  A_DUE_DATE_POLICY,
  aPerson,
  anOperationContext,
  carInState,
} from '../../support/car-mother.js';

/** The gates of the procedure that used to have holes (issue 14). */

const ctx = anOperationContext();
const later = anOperationContext({
  now: '2026-03-20T09:00:00.000Z',
  today: localDate('2026-03-20'),
});
const owner = aPerson({ id: 'owner-7', name: 'Ines Duarte' });
const verifier = aPerson({ id: 'verifier-1', name: 'Chris Walker' });

const codeOf = (work: () => void): string | null => {
  try {
    work();
    return null;
  } catch (e) {
    if (e instanceof RectifyError) return e.code;
    throw e;
  }
};

describe('gates without holes', () => {
  it('completes a procedure-change action only once the new revision is recorded', () => {
    const car = carInState('implementing', {
      actionKind: 'procedure_change',
      actionId: 'pc-1',
      number: 'CAR-2026-0003' as never,
    });
    expect(codeOf(() => car.completeAction(ctx, 'pc-1', { note: 'done' }))).toBe(
      'ACTION.PROCEDURE_REVISION_MISSING',
    );
    car.linkProcedure(ctx, {
      id: 'link-1',
      procedureId: 'ISMSP02',
      title: 'Corrective actions',
      revisionInForce: '1.0',
    });
    expect(codeOf(() => car.completeAction(ctx, 'pc-1', { note: 'done' }))).toBe(
      'ACTION.PROCEDURE_REVISION_MISSING',
    );
    car.recordProcedureRevision(
      ctx,
      'link-1',
      { newRevision: '1.1', changelog: 'Changed for CAR-2026-0003', trainees: [] },
      A_DUE_DATE_POLICY,
    );
    car.completeAction(ctx, 'pc-1', { note: 'Revision 1.1 published' });
    expect(car.actions.find((a) => a.id === 'pc-1')?.status).toBe('done');
  });

  it('after "not effective", verifies again only with a new action', () => {
    const car = carInState('verifying', { verifier });
    car.verifyEffectiveness(ctx, { id: 'v-1', effective: false, evidence: 'Still happens.' });
    car.planActions(later);
    car.startImplementation(later);
    // The same finished actions straight back to verification: refused.
    expect(codeOf(() => car.startVerification(later, A_DUE_DATE_POLICY))).toBe('CAR.NO_NEW_ACTION');
    car.addAction(
      later,
      { id: 'a-2', kind: 'corrective', title: 'Fix it properly', description: '', owner },
      A_DUE_DATE_POLICY,
    );
    car.completeAction(later, 'a-2', { note: 'Done' });
    car.startVerification(later, A_DUE_DATE_POLICY);
    expect(car.state).toBe('verifying');
  });

  it('refuses an action due date in the past', () => {
    expect(codeOf(() => assertDueDateNotPast(ctx, localDate('2026-03-01')))).toBe(
      'ACTION.DUE_DATE_PAST',
    );
    expect(codeOf(() => assertDueDateNotPast(ctx, localDate('2026-03-02')))).toBeNull();
    expect(codeOf(() => assertDueDateNotPast(ctx, undefined))).toBeNull();
  });

  it('merges only with a reason, which the record keeps', () => {
    const target = { id: 'other', number: 'CAR-2026-0009', state: 'investigating' } as const;
    const car = carInState('reported');
    expect(codeOf(() => car.merge(ctx, { target }))).toBe('CAR.MERGE_REASON_MISSING');
    expect(codeOf(() => car.merge(ctx, { target, reason: '   ' }))).toBe(
      'CAR.MERGE_REASON_MISSING',
    );
    car.merge(ctx, { target, reason: 'Same lost badge' });
    expect(car.toPrimitives().triage?.reason).toBe('Same lost badge');
  });
});
