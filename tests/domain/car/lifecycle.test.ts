import { describe, expect, it } from '@jest/globals';
import type { Car } from '../../../src/domain/car/car.js';
import { formatCarNumber } from '../../../src/domain/car/car-number.js';
import {
  CAR_OPERATIONS,
  CAR_STATES,
  LIFECYCLE,
  isAllowed,
  targetState,
  type CarOperation,
} from '../../../src/domain/car/lifecycle.js';
import { RectifyError } from '../../../src/domain/errors.js';
import {
  A_DUE_DATE_POLICY,
  aPerson,
  anOperationContext,
  carInState,
  stepsTo,
} from '../../support/car-mother.js';

const ctx = anOperationContext();
const owner = aPerson({ id: 'owner-2', name: 'Ines Duarte' });

const ensureOpenAction = (car: Car): string => {
  const open = car.actions.find((a) => a.status === 'open');
  if (open) return open.id;
  car.addAction(
    ctx,
    { id: 'action-prep', kind: 'corrective', title: 'Fix it', description: '', owner },
    A_DUE_DATE_POLICY,
  );
  return 'action-prep';
};

const completeInvestigation = (car: Car): void => {
  const update = stepsTo('action_planned').find((s) => s.operation === 'updateInvestigation');
  update?.apply(car);
};

/**
 * How to run each operation. `prepare` makes the preconditions true (only when the table
 * allows the operation in the state, using operations the table also allows there).
 */
const RUN: Record<CarOperation, { prepare?: (car: Car) => void; run: (car: Car) => void }> = {
  record: {
    run: (c) => {
      c.record(ctx, { classification: 'major_nc', severity: 'high' });
    },
  },
  reject: {
    run: (c) => {
      c.reject(ctx, { reason: 'Not an ISMS matter' });
    },
  },
  merge: {
    run: (c) => {
      c.merge(ctx, {
        target: { id: 'other', number: 'CAR-2026-0009', state: 'investigating' },
        reason: 'Same event',
      });
    },
  },
  reclassify: {
    run: (c) => {
      c.reclassify(ctx, { classification: 'ofi', severity: 'low' });
    },
  },
  recordContainment: {
    run: (c) => {
      c.recordContainment(ctx, { description: 'Isolated the laptop' });
    },
  },
  startInvestigation: {
    run: (c) => {
      c.startInvestigation(ctx);
    },
  },
  updateInvestigation: {
    run: (c) => {
      c.updateInvestigation(ctx, { rootCause: 'No checklist' });
    },
  },
  addConsulteeInput: {
    prepare: (c) => {
      c.updateInvestigation(ctx, { consultees: [ctx.actor] });
    },
    run: (c) => {
      c.addConsulteeInput(ctx, { id: 'input-1', answer: 'The checklist was never handed over.' });
    },
  },
  addAction: {
    run: (c) => {
      c.addAction(
        ctx,
        { id: 'new', kind: 'training', title: 'Train reception', description: '', owner },
        A_DUE_DATE_POLICY,
      );
    },
  },
  updateAction: {
    prepare: ensureOpenAction,
    run: (c) => {
      c.updateAction(ctx, c.actions.find((a) => a.status === 'open')?.id ?? 'none', {
        title: 'Renamed',
      });
    },
  },
  cancelAction: {
    prepare: ensureOpenAction,
    run: (c) => {
      c.cancelAction(ctx, c.actions.find((a) => a.status === 'open')?.id ?? 'none', {
        reason: 'Superseded',
      });
    },
  },
  completeAction: {
    prepare: ensureOpenAction,
    run: (c) => {
      c.completeAction(ctx, c.actions.find((a) => a.status === 'open')?.id ?? 'none', {
        note: 'Done',
      });
    },
  },
  linkProcedure: {
    run: (c) => {
      c.linkProcedure(ctx, {
        id: 'link-1',
        procedureId: 'ISMSP02',
        title: 'NC and CA',
        revisionInForce: '1.0',
      });
    },
  },
  recordProcedureRevision: {
    prepare: (c) => {
      if (c.needsNumber()) c.assignNumber(formatCarNumber(2026, 1));
      c.linkProcedure(ctx, {
        id: 'link-1',
        procedureId: 'ISMSP02',
        title: '',
        revisionInForce: '1.0',
      });
    },
    run: (c) => {
      c.recordProcedureRevision(
        ctx,
        'link-1',
        { newRevision: '1.1', changelog: 'CAR-2026-0001', trainees: [owner] },
        A_DUE_DATE_POLICY,
      );
    },
  },
  planActions: {
    prepare: (c) => {
      completeInvestigation(c);
      ensureOpenAction(c);
    },
    run: (c) => {
      c.planActions(ctx);
    },
  },
  startImplementation: {
    run: (c) => {
      c.startImplementation(ctx);
    },
  },
  startVerification: {
    prepare: (c) => {
      for (const a of c.actions.filter((x) => x.status === 'open'))
        c.completeAction(ctx, a.id, { note: '' });
    },
    run: (c) => {
      c.startVerification(ctx, A_DUE_DATE_POLICY);
    },
  },
  confirmEffective: {
    run: (c) => {
      c.verifyEffectiveness(ctx, { id: 'v', effective: true, evidence: 'Checked' });
    },
  },
  findIneffective: {
    run: (c) => {
      c.verifyEffectiveness(ctx, { id: 'v', effective: false, evidence: 'Recurred' });
    },
  },
  close: {
    prepare: (c) => {
      c.verifyEffectiveness(ctx, { id: 'v', effective: true, evidence: 'Checked' });
    },
    run: (c) => {
      c.close(ctx, { summary: 'Fixed', ismsChangeNeeded: false, feedsManagementReview: false });
    },
  },
  reopen: {
    run: (c) => {
      c.reopen(ctx, { reason: 'It happened again' });
    },
  },
  addCommitteeReview: {
    run: (c) => {
      c.addCommitteeReview(ctx, {
        id: 'r',
        meetingDate: ctx.today,
        minutesRef: 'SC-1',
        decision: 'Noted',
      });
    },
  },
};

describe('the lifecycle table, exhaustively', () => {
  it('changes state exactly along the procedure', () => {
    const edges = CAR_OPERATIONS.flatMap((op) =>
      LIFECYCLE[op].from
        .filter((from) => targetState(op, from) !== from)
        .map((from) => `${from} -${op}-> ${targetState(op, from)}`),
    ).sort();
    expect(edges).toEqual(
      [
        'reported -record-> recorded',
        'reported -reject-> rejected',
        'reported -merge-> merged',
        'recorded -startInvestigation-> investigating',
        'investigating -planActions-> action_planned',
        'action_planned -startImplementation-> implementing',
        'implementing -startVerification-> verifying',
        'verifying -findIneffective-> investigating',
        'verifying -close-> closed',
        'closed -reopen-> investigating',
      ].sort(),
    );
  });

  it('locks closed, rejected and merged records against everything but reopening and committee reviews', () => {
    for (const state of ['closed', 'rejected', 'merged'] as const)
      expect(CAR_OPERATIONS.filter((op) => isAllowed(op, state)).sort()).toEqual(
        (state === 'closed' ? ['addCommitteeReview', 'reopen'] : ['addCommitteeReview']).sort(),
      );
  });

  it('names every operation once and only states that exist', () => {
    expect(CAR_OPERATIONS).toHaveLength(Object.keys(RUN).length);
    for (const op of CAR_OPERATIONS)
      for (const s of LIFECYCLE[op].from) expect(CAR_STATES).toContain(s);
  });

  for (const state of CAR_STATES)
    for (const op of CAR_OPERATIONS) {
      const allowed = isAllowed(op, state);
      const expected = targetState(op, state);
      it(`${allowed ? 'allows' : 'refuses'} ${op} in ${state}${allowed && expected !== state ? ` (-> ${expected})` : ''}`, () => {
        const car = carInState(state);
        if (allowed) {
          RUN[op].prepare?.(car);
          RUN[op].run(car);
          expect(car.state).toBe(expected);
        } else {
          const before = car.toPrimitives();
          let thrown: unknown;
          try {
            RUN[op].run(car);
          } catch (e) {
            thrown = e;
          }
          expect(thrown).toBeInstanceOf(RectifyError);
          const code = (thrown as RectifyError).code;
          expect(code).toBe(state === 'closed' ? 'CAR.LOCKED' : 'CAR.INVALID_TRANSITION');
          expect((thrown as RectifyError).details).toMatchObject({ operation: op, from: state });
          expect(car.toPrimitives()).toEqual(before);
        }
      });
    }
});

describe('edits', () => {
  it('store only the fields they are about, whatever else the input carries', () => {
    const investigating = carInState('investigating');
    const extra = { op: 'updateInvestigation', reason: 'why', injected: true };
    investigating.updateInvestigation(ctx, { ...extra, rootCause: 'Unclear duty' });
    expect(Object.keys(investigating.toPrimitives().investigation).sort()).toEqual([
      'causeCategory',
      'consulteeInputs',
      'consultees',
      'fiveWhys',
      'rootCause',
      'similarCheck',
    ]);
    expect(investigating.toPrimitives().investigation.rootCause).toBe('Unclear duty');
    const car = carInState('action_planned');
    const actionId = car.actions[0]?.id ?? '';
    const before = Object.keys(car.actions[0] ?? {}).sort();
    car.updateAction(ctx, actionId, { ...extra, ...{ actionId }, title: 'Renamed' });
    expect(Object.keys(car.actions[0] ?? {}).sort()).toEqual(before);
    expect(car.actions[0]?.title).toBe('Renamed');
  });
});

describe('consultee inputs', () => {
  const consultee = aPerson({ id: 'consultee-1', name: 'Cora Sult' });

  it('are taken from a consultee only, and kept when the MR edits the investigation', () => {
    const car = carInState('investigating');
    car.updateInvestigation(ctx, { consultees: [consultee] });
    const asConsultee = { ...ctx, actor: consultee };
    car.addConsulteeInput(asConsultee, { id: 'i1', answer: '  Nobody owns the checklist.  ' });
    car.updateInvestigation(ctx, { rootCause: 'No checklist owner' });
    expect(car.toPrimitives().investigation.consulteeInputs).toEqual([
      { id: 'i1', by: consultee, at: ctx.now, answer: 'Nobody owns the checklist.' },
    ]);
    expect(car.isConsultee(consultee.id)).toBe(true);
  });

  it('refuses someone who is not a consultee, the MR included, and changes nothing', () => {
    const car = carInState('investigating');
    car.updateInvestigation(ctx, { consultees: [consultee] });
    const before = car.toPrimitives();
    for (const actor of [owner, ctx.actor]) {
      let thrown: unknown;
      try {
        car.addConsulteeInput({ ...ctx, actor }, { id: 'i2', answer: 'Not mine to say' });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(RectifyError);
      expect((thrown as RectifyError).code).toBe('CAR.NOT_A_CONSULTEE');
      expect((thrown as RectifyError).kind).toBe('forbidden');
    }
    expect(car.toPrimitives()).toEqual(before);
  });

  it('refuses an empty answer', () => {
    const car = carInState('investigating');
    car.updateInvestigation(ctx, { consultees: [consultee] });
    expect(() => {
      car.addConsulteeInput({ ...ctx, actor: consultee }, { id: 'i3', answer: '   ' });
    }).toThrow(RectifyError);
    expect(car.toPrimitives().investigation.consulteeInputs).toEqual([]);
  });
});

describe('the gates of clause 10.2', () => {
  const codeOf = (f: () => void): string | undefined => {
    try {
      f();
    } catch (e) {
      return e instanceof RectifyError ? e.code : 'not a RectifyError';
    }
    return undefined;
  };

  it('refuses to plan actions before the root cause, 5-Whys, cause category and similar check', () => {
    const car = carInState('investigating');
    ensureOpenAction(car);
    let missing: unknown;
    try {
      car.planActions(ctx);
    } catch (e) {
      missing = (e as RectifyError).details.missing;
    }
    expect(missing).toEqual(['rootCause', 'causeCategory', 'fiveWhys', 'similarCheck']);
    expect(car.state).toBe('investigating');
  });

  it('refuses to plan with no action', () => {
    const car = carInState('investigating');
    completeInvestigation(car);
    expect(
      codeOf(() => {
        car.planActions(ctx);
      }),
    ).toBe('CAR.NO_ACTIONS');
  });

  it('refuses to move to verification while an action is open', () => {
    const car = carInState('implementing');
    expect(
      codeOf(() => {
        car.startVerification(ctx, A_DUE_DATE_POLICY);
      }),
    ).toBe('CAR.OPEN_ACTIONS');
    expect(car.state).toBe('implementing');
  });

  it('sets the effectiveness review 30 working days after the last action is done', () => {
    const car = carInState('verifying');
    // the mother completes the action on Monday 2 March 2026; 30 working days -> 13 April
    expect(car.toPrimitives().effectivenessDueDate).toBe('2026-04-13');
  });

  it('refuses a verifier who owns an action', () => {
    const car = carInState('verifying');
    const ownerCtx = { ...ctx, actor: car.actions[0]?.owner ?? owner };
    expect(
      codeOf(() => {
        car.verifyEffectiveness(ownerCtx, { id: 'v', effective: true, evidence: 'ok' });
      }),
    ).toBe('CAR.VERIFIER_IS_OWNER');
  });

  it('refuses to close before the actions are verified effective', () => {
    const car = carInState('verifying');
    expect(
      codeOf(() => {
        car.close(ctx, { summary: 's', ismsChangeNeeded: false, feedsManagementReview: false });
      }),
    ).toBe('CAR.NOT_VERIFIED_EFFECTIVE');
  });

  it('asks for a new verification after reopening, not the old one', () => {
    const car = carInState('closed');
    car.reopen(ctx, { reason: 'Recurred' });
    completeInvestigation(car);
    car.addAction(
      ctx,
      { id: 'a2', kind: 'corrective', title: 'Second fix', description: '', owner },
      A_DUE_DATE_POLICY,
    );
    car.planActions(ctx);
    car.startImplementation(ctx);
    car.completeAction(ctx, 'a2', { note: '' });
    car.startVerification(ctx, A_DUE_DATE_POLICY);
    expect(
      codeOf(() => {
        car.close(ctx, { summary: 's', ismsChangeNeeded: false, feedsManagementReview: false });
      }),
    ).toBe('CAR.NOT_VERIFIED_EFFECTIVE');
    car.verifyEffectiveness(ctx, { id: 'v2', effective: true, evidence: 'ok' });
    car.close(ctx, {
      summary: 's',
      ismsChangeNeeded: true,
      ismsChangeDescription: 'New control',
      feedsManagementReview: true,
    });
    expect(car.state).toBe('closed');
    expect(car.toPrimitives().reopenings).toHaveLength(1);
  });

  it('asks what the ISMS change was when one was needed', () => {
    const car = carInState('verifying');
    car.verifyEffectiveness(ctx, { id: 'v', effective: true, evidence: 'ok' });
    expect(
      codeOf(() => {
        car.close(ctx, { summary: 's', ismsChangeNeeded: true, feedsManagementReview: false });
      }),
    ).toBe('REQUEST.VALIDATION');
  });

  it('merges only into another recorded, open CAR', () => {
    const reported = carInState('reported');
    const merge =
      (
        state: 'reported' | 'closed' | 'investigating',
        id = 'other',
        number: string | null = 'CAR-2026-0002',
      ) =>
      () => {
        reported.merge(ctx, { target: { id, number, state }, reason: 'Same event' });
      };
    expect(codeOf(merge('reported', 'other', null))).toBe('CAR.MERGE_TARGET_INVALID');
    expect(codeOf(merge('closed'))).toBe('CAR.MERGE_TARGET_INVALID');
    expect(codeOf(merge('investigating', reported.id))).toBe('CAR.MERGE_TARGET_INVALID');
    expect(reported.state).toBe('reported');
  });

  it('refuses to complete an action twice or one that does not exist', () => {
    const car = carInState('implementing');
    const id = car.actions[0]?.id ?? '';
    car.completeAction(ctx, id, { note: '' });
    expect(
      codeOf(() => {
        car.completeAction(ctx, id, { note: '' });
      }),
    ).toBe('ACTION.NOT_OPEN');
    expect(
      codeOf(() => {
        car.completeAction(ctx, 'nope', { note: '' });
      }),
    ).toBe('ACTION.NOT_FOUND');
  });
});
