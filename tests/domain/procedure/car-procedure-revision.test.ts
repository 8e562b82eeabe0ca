import { describe, expect, it } from '@jest/globals';
import { formatCarNumber } from '../../../src/domain/car/car-number.js';
import type { Car } from '../../../src/domain/car/car.js';
import { RectifyError } from '../../../src/domain/errors.js';
import {
  A_DUE_DATE_POLICY,
  aPerson,
  anOperationContext,
  carInState,
} from '../../support/car-mother.js';

const ctx = anOperationContext();
const sam = aPerson({ id: 'sam', name: 'Sam Taylor' });
const deskTeam = aPerson({ id: 'group-desk', name: 'Service Desk team' });

const implementingWithLink = (numbered = true): Car => {
  const car = carInState('implementing', numbered ? { number: formatCarNumber(2026, 7) } : {});
  car.linkProcedure(ctx, {
    id: 'link-1',
    procedureId: 'HLP-02',
    title: 'Backup and Restore',
    revisionInForce: '1.0.0',
  });
  return car;
};

const codeOf = (f: () => void): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof RectifyError ? e.code : 'not a RectifyError';
  }
  return undefined;
};

describe('recording the revision a procedure change produced', () => {
  it('keeps both revisions on the link and gives each trainee one training action', () => {
    const car = implementingWithLink();
    car.recordProcedureRevision(
      ctx,
      'link-1',
      {
        newRevision: '1.1',
        changelog: ' Owner named (CAR-2026-0007) ',
        trainees: [sam, deskTeam, sam],
      },
      A_DUE_DATE_POLICY,
    );
    expect(car.procedureLinks[0]).toMatchObject({
      revisionInForce: '1.0.0',
      newRevision: '1.1.0',
      newRevisionChangelog: 'Owner named (CAR-2026-0007)',
      revisedAt: ctx.now,
    });
    const training = car.actions.filter((a) => a.kind === 'training');
    expect(training.map((a) => [a.id, a.owner.name, a.title, a.dueDate])).toEqual([
      ['training-link-1-1', 'Sam Taylor', 'Training on Backup and Restore 1.1.0', '2026-03-20'],
      [
        'training-link-1-2',
        'Service Desk team',
        'Training on Backup and Restore 1.1.0',
        '2026-03-20',
      ],
    ]);
    expect(car.state).toBe('implementing');
  });

  it('records a revision once per link', () => {
    const car = implementingWithLink();
    const record = () => {
      car.recordProcedureRevision(
        ctx,
        'link-1',
        { newRevision: '1.2.0', changelog: 'CAR-2026-0007', trainees: [sam] },
        A_DUE_DATE_POLICY,
      );
    };
    record();
    const before = car.toPrimitives();
    expect(codeOf(record)).toBe('PROCEDURE_LINK.ALREADY_REVISED');
    expect(car.toPrimitives()).toEqual(before);
  });

  it('refuses a lower or equal revision, an uncited CAR, an unknown link, and changes nothing', () => {
    const car = implementingWithLink();
    const before = car.toPrimitives();
    const attempt = (linkId: string, newRevision: string, changelog: string) => () => {
      car.recordProcedureRevision(
        ctx,
        linkId,
        { newRevision, changelog, trainees: [sam] },
        A_DUE_DATE_POLICY,
      );
    };
    expect(codeOf(attempt('link-1', '1.0', 'CAR-2026-0007'))).toBe('PROCEDURE.REVISION_NOT_HIGHER');
    expect(codeOf(attempt('link-1', '1.0.0-rc.1', 'CAR-2026-0007'))).toBe(
      'PROCEDURE.REVISION_NOT_HIGHER',
    );
    expect(codeOf(attempt('link-1', '1.1.0', 'CAR-2026-0070'))).toBe(
      'PROCEDURE.CHANGELOG_MUST_CITE_CAR',
    );
    expect(codeOf(attempt('link-1', '1.1.0', '   '))).toBe('REQUEST.VALIDATION');
    expect(codeOf(attempt('link-1', 'next', 'CAR-2026-0007'))).toBe('PROCEDURE.VERSION_INVALID');
    expect(codeOf(attempt('link-9', '1.1.0', 'CAR-2026-0007'))).toBe('PROCEDURE_LINK.NOT_FOUND');
    expect(car.toPrimitives()).toEqual(before);
  });

  it('needs the CAR number to check the citation', () => {
    const car = implementingWithLink(false);
    expect(
      codeOf(() => {
        car.recordProcedureRevision(
          ctx,
          'link-1',
          { newRevision: '1.1.0', changelog: 'CAR-2026-0007', trainees: [] },
          A_DUE_DATE_POLICY,
        );
      }),
    ).toBe('PROCEDURE.CHANGELOG_MUST_CITE_CAR');
  });

  it('keeps the CAR from verification until the training is done', () => {
    const car = implementingWithLink();
    car.completeAction(ctx, car.actions[0]?.id ?? '', { note: 'Procedure rewritten' });
    car.recordProcedureRevision(
      ctx,
      'link-1',
      { newRevision: '1.1.0', changelog: 'CAR-2026-0007', trainees: [sam] },
      A_DUE_DATE_POLICY,
    );
    expect(
      codeOf(() => {
        car.startVerification(ctx, A_DUE_DATE_POLICY);
      }),
    ).toBe('CAR.OPEN_ACTIONS');
    car.completeAction({ ...ctx, actor: sam }, 'training-link-1-1', { note: 'Trained' });
    car.startVerification(ctx, A_DUE_DATE_POLICY);
    expect(car.state).toBe('verifying');
  });
});
