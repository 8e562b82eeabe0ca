import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from '../support/rectify-harness.js';
import {
  aCorrectiveAction,
  act,
  etagOf,
  investigationComplete,
  report,
  type CarBody,
} from './steps.js';

let h: Harness;
beforeAll(async () => {
  // Monday 2 November 2026, 10:00 UTC, for every operation in this file.
  h = await startHarness({}, { clock: { now: () => new Date('2026-11-02T10:00:00Z') } });
});
afterAll(async () => {
  await h.close();
});

describe('the CAR lifecycle through the REST API', () => {
  it('walks a report through every state to closed, each step in the history', async () => {
    const car = await report(h);
    expect(car.state).toBe('reported');
    expect(car.number).toBeNull();

    const recorded = await act(h, 'mr', car, '/record', {
      classification: 'major_nc',
      severity: 'high',
    });
    expect(recorded.state).toBe('recorded');
    expect(recorded.number).toMatch(/^CAR-\d{4}-\d{4}$/);

    await act(h, 'mr', car, '/containment', {
      description: 'Badge deactivated; reception briefed.',
    });
    expect((await act(h, 'mr', car, '/start-investigation')).state).toBe('investigating');
    await act(h, 'mr', car, '/investigation', investigationComplete, 'patch');
    const withAction = await act(h, 'mr', car, '/actions', aCorrectiveAction());
    await act(h, 'mr', car, '/procedure-links', {
      procedureId: 'ISMSP02',
      title: 'Non-Conformances and Corrective Actions',
      revisionInForce: '1.0',
    });
    expect((await act(h, 'mr', car, '/plan')).state).toBe('action_planned');
    const implementing = await act(h, 'mr', car, '/start-implementation');
    expect(implementing.state).toBe('implementing');
    const linkId = implementing.procedureLinks[0]?.id ?? '';
    await act(h, 'mr', car, `/procedure-links/${linkId}/revision`, {
      newRevision: '1.1',
      changelog: `Badge return added (${recorded.number ?? ''})`,
    });
    const actionId = withAction.actions[0]?.id ?? '';
    const done = await act(h, 'owner', car, `/actions/${actionId}/complete`, {
      note: 'Checklist v1.1 in use',
    });
    expect(done.actions[0]?.status).toBe('done');
    expect((await act(h, 'mr', car, '/start-verification')).state).toBe('verifying');
    await act(h, 'mr', car, '/verification', {
      effective: true,
      evidence: 'No unreturned badges in 30 days.',
    });
    const closed = await act(h, 'mr', car, '/close', {
      summary: 'Checklist fixed and effective.',
      ismsChangeNeeded: false,
      feedsManagementReview: true,
    });
    expect(closed.state).toBe('closed');

    const history = await (await h.as('mr')).get(`/api/cars/${car.id}/history`);
    expect(history.status).toBe(200);
    const ops = new Set(
      (history.body as { items: { operation: string }[] }).items.map((e) => e.operation),
    );
    for (const op of [
      'report',
      'record',
      'recordContainment',
      'startInvestigation',
      'updateInvestigation',
      'addAction',
      'linkProcedure',
      'planActions',
      'startImplementation',
      'recordProcedureRevision',
      'completeAction',
      'startVerification',
      'verifyEffectiveness',
      'close',
    ])
      expect(ops).toContain(op);
    const entries = (
      history.body as {
        items: {
          operation: string;
          changes: { field: string; newValue: unknown }[];
          actor: { id: string };
        }[];
      }
    ).items;
    const changes = entries.flatMap((e) => e.changes);
    const stateChanges = changes.filter((c) => c.field === 'state').map((c) => c.newValue);
    expect(stateChanges).toEqual([
      'reported',
      'recorded',
      'investigating',
      'action_planned',
      'implementing',
      'verifying',
      'closed',
    ]);
    expect(changes.find((c) => c.field === 'number')?.newValue).toBe(recorded.number);
  });

  it('reopens a closed CAR with a reason, and refuses any other change while closed', async () => {
    const car = await report(h);
    await act(h, 'mr', car, '/record', { classification: 'minor_nc', severity: 'low' });
    await act(h, 'mr', car, '/start-investigation');
    await act(h, 'mr', car, '/investigation', investigationComplete, 'patch');
    const a = await act(h, 'mr', car, '/actions', aCorrectiveAction('otherOwner'));
    await act(h, 'mr', car, '/plan');
    await act(h, 'mr', car, '/start-implementation');
    await act(h, 'otherOwner', car, `/actions/${a.actions[0]?.id ?? ''}/complete`, { note: '' });
    await act(h, 'mr', car, '/start-verification');
    await act(h, 'mr', car, '/verification', { effective: true, evidence: 'Checked.' });
    await act(h, 'mr', car, '/close', {
      summary: 'Done.',
      ismsChangeNeeded: false,
      feedsManagementReview: false,
    });

    const mr = await h.as('mr');
    const locked = await mr
      .post(`/api/cars/${car.id}/containment`, { description: 'late edit' })
      .set('If-Match', await etagOf(h, car.id));
    expect(locked.status).toBe(409);
    expect(locked.body).toMatchObject({ code: 'CAR.LOCKED' });

    const reopened = await act(h, 'mr', car, '/reopen', {
      reason: 'The same failure happened again.',
    });
    expect(reopened.state).toBe('investigating');
    expect(reopened.closure).toBeNull();
  });

  it('sends a CAR found not effective back to investigation, keeping the verification', async () => {
    const car = await report(h);
    await act(h, 'mr', car, '/record', { classification: 'ofi', severity: 'low' });
    await act(h, 'mr', car, '/start-investigation');
    await act(h, 'mr', car, '/investigation', investigationComplete, 'patch');
    const a = await act(h, 'mr', car, '/actions', { ...aCorrectiveAction(), kind: 'preventive' });
    await act(h, 'mr', car, '/plan');
    await act(h, 'mr', car, '/start-implementation');
    await act(h, 'owner', car, `/actions/${a.actions[0]?.id ?? ''}/complete`, {});
    await act(h, 'mr', car, '/start-verification');
    const back = await act(h, 'mr', car, '/verification', {
      effective: false,
      evidence: 'Happened again.',
    });
    expect(back.state).toBe('investigating');
    expect(back.verifications).toEqual([
      expect.objectContaining({ effective: false, evidence: 'Happened again.' }),
    ]);
  });

  it('rejects a report with a reason the reporter can read', async () => {
    const car = await report(h);
    await act(h, 'mr', car, '/reject', { reason: 'Not an ISMS matter: facilities request.' });
    const seen = await (await h.as('reporter')).get(`/api/cars/${car.id}`);
    expect(seen.status).toBe(200);
    expect((seen.body as CarBody).state).toBe('rejected');
    expect(seen.body).toMatchObject({
      triage: { reason: 'Not an ISMS matter: facilities request.' },
    });
  });

  it('merges a duplicate report into an existing CAR by its number', async () => {
    const target = await report(h);
    const recorded = await act(h, 'mr', target, '/record', {
      classification: 'minor_nc',
      severity: 'low',
    });
    const dup = await report(h, 'otherReporter');
    const noReason = await (
      await h.as('mr')
    )
      .post(`/api/cars/${dup.id}/merge`, { target: recorded.number })
      .set('If-Match', await etagOf(h, dup.id));
    expect(noReason.body).toMatchObject({ code: 'CAR.MERGE_REASON_MISSING' });
    const merged = await act(h, 'mr', dup, '/merge', {
      target: recorded.number,
      reason: 'Same tailgating event, reported twice',
    });
    expect(merged.state).toBe('merged');
    expect(merged).toMatchObject({
      triage: { mergedInto: { id: target.id, number: recorded.number } },
    });
  });

  it('gives due dates from the service levels in working days', async () => {
    const car = await report(h);
    await act(h, 'mr', car, '/record', { classification: 'ofi', severity: 'low' });
    await act(h, 'mr', car, '/start-investigation');
    const withAction = await act(h, 'mr', car, '/actions', {
      ...aCorrectiveAction(),
      kind: 'preventive',
    });
    // OFI preventive: 30 working days from Monday 2 November is Monday 14 December.
    expect(withAction.actions[0]?.dueDate).toBe('2026-12-14');
    const major = await report(h);
    await act(h, 'mr', major, '/record', { classification: 'major_nc', severity: 'high' });
    await act(h, 'mr', major, '/start-investigation');
    const corrective = await act(h, 'mr', major, '/actions', aCorrectiveAction());
    // Major NC corrective: 14 working days -> Friday 20 November.
    expect(corrective.actions[0]?.dueDate).toBe('2026-11-20');
  });
});
