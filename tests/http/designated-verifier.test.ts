import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from '../support/rectify-harness.js';
import { act, aCorrectiveAction, etagOf, investigationComplete, report } from './steps.js';

/**
 * The walk that used to dead-end: the MR owns an action, so the MR may not verify it. The
 * committee, as designated verifier owning no action, verifies, and the MR closes.
 */
describe('effectiveness when the MR owns an action', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  it('reaches closed through the designated verifier', async () => {
    const car = await report(h, 'reporter', { title: 'Server room door propped open' });
    await act(h, 'mr', car, '/record', { classification: 'minor_nc', severity: 'medium' });
    await act(h, 'mr', car, '/start-investigation');
    await act(h, 'mr', car, '/investigation', investigationComplete, 'patch');
    const planned = await act(h, 'mr', car, '/actions', aCorrectiveAction('mr'));
    await act(h, 'mr', car, '/plan');
    await act(h, 'mr', car, '/start-implementation');
    await act(h, 'mr', car, `/actions/${planned.actions[0]?.id ?? ''}/complete`, { note: 'Done' });
    await act(h, 'mr', car, '/start-verification');

    const byOwner = await (
      await h.as('mr')
    )
      .post(`/api/cars/${car.id}/verification`, { effective: true, evidence: 'Looked.' })
      .set('If-Match', await etagOf(h, car.id));
    expect(byOwner.status).toBe(409);
    expect(byOwner.body).toMatchObject({ code: 'CAR.VERIFIER_IS_OWNER' });

    const byReporter = await (
      await h.as('reporter')
    )
      .post(`/api/cars/${car.id}/verification`, { effective: true, evidence: 'Looked.' })
      .set('If-Match', await etagOf(h, car.id));
    expect(byReporter.status).toBe(403);

    const verified = await act(h, 'committee', car, '/verification', {
      effective: true,
      evidence: 'Door alarm log shows no open door for 30 days.',
    });
    expect(verified.verifications).toEqual([
      expect.objectContaining({
        effective: true,
        by: expect.objectContaining({ name: 'Chris Walker' }),
      }),
    ]);
    const closed = await act(h, 'mr', car, '/close', {
      summary: 'Door closer replaced; verified by the committee.',
      ismsChangeNeeded: false,
      feedsManagementReview: true,
    });
    expect(closed.state).toBe('closed');
  });
});

describe('an action due date given through the API', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  it('is refused when it is in the past, and the CAR is unchanged', async () => {
    const car = await report(h, 'reporter', { title: 'Printer left unlocked' });
    await act(h, 'mr', car, '/record', { classification: 'minor_nc', severity: 'low' });
    await act(h, 'mr', car, '/start-investigation');
    const etag = await etagOf(h, car.id);
    const res = await (
      await h.as('mr')
    )
      .post(`/api/cars/${car.id}/actions`, { ...aCorrectiveAction(), dueDate: '2020-01-06' })
      .set('If-Match', etag);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'ACTION.DUE_DATE_PAST' });
    expect(await etagOf(h, car.id)).toBe(etag);
  });
});
