import { describe, expect, it } from '@jest/globals';
import { CAR_STATES } from '../../src/domain/car/lifecycle.js';
import { carCard, ownerCard } from '../../src/bot/cards/car.card.js';
import { availableCommands } from '../../src/application/available-commands.js';
import type { Principal, Role } from '../../src/domain/identity.js';
import { carListCard } from '../../src/bot/cards/car-list.card.js';
import { consulteeCard } from '../../src/bot/cards/consultee.card.js';
import { reportFormCard } from '../../src/bot/cards/report-form.card.js';
import { messageCard, welcomeCard } from '../../src/bot/cards/welcome.card.js';
import { literal } from '../../src/bot/literal-text.js';
import { aPerson, aReportDetails, anOperationContext, carInState } from '../support/car-mother.js';
import { cardProblems, textsOf, verbsOf } from './bot-client.js';

const owner = aPerson({ id: 'owner-1', name: 'Olu Owner' });
const hostile =
  'Quote " and \' then\nnew line **bold** [link](https://x.example) ${secret} <at>x</at>';

describe('the cards', () => {
  it('finds a problem in a broken card (the check can fail)', () => {
    expect(
      cardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Bogus' }] }),
    ).not.toEqual([]);
  });

  const roles = ['mr', 'reader'] as const;
  const principalOf = (role: (typeof roles)[number]): Principal => ({
    ...(role === 'mr' ? aPerson({ id: 'mr' }) : owner),
    tenantId: 't',
    roles: new Set<Role>(role === 'mr' ? ['mr'] : []),
  });
  for (const state of CAR_STATES)
    for (const role of roles)
      it(`renders a ${state} CAR for the ${role} with no validation problem and user text literal`, () => {
        const car = carInState(state, {
          details: aReportDetails({ title: hostile, description: hostile }),
          actionOwner: owner,
        }).toPrimitives();
        const c = carCard({
          car,
          etag: '"v1"',
          available: availableCommands(
            principalOf(role),
            carInState(state, { actionOwner: owner }),
          ),
          people: [owner, aPerson({ id: 'p2', name: 'Second ${person}' })],
          refreshUserIds: ['29:a'],
        });
        expect(cardProblems(c)).toEqual([]);
        const texts = textsOf(c).join('\n');
        expect(texts).not.toContain('${');
        expect(texts).not.toContain('[link](');
        expect(texts).toContain(literal('**bold**'));
        if (role === 'reader')
          expect(verbsOf(c).filter((v) => v !== 'action.complete')).toEqual([]);
      });

  it('renders the other cards with no validation problem', () => {
    const car = carInState('implementing').toPrimitives();
    const cards = [
      reportFormCard({
        formId: 'form-12345678',
        description: hostile,
        title: 'From a chat message',
      }),
      reportFormCard({ formId: 'form-12345678', problem: 'Please complete the required fields.' }),
      welcomeCard(),
      welcomeCard({ unknownCommand: hostile }),
      messageCard('Rectify', hostile),
      carListCard('Your reports', [{ car, etag: '"1"' }], 'none'),
      carListCard('Your reports', [], 'Nothing yet'),
      ownerCard({
        carId: car.id,
        carNumber: car.number,
        etag: '"1"',
        actions: car.actions,
        available: [],
      }),
    ];
    for (const c of cards) expect(cardProblems(c)).toEqual([]);
  });

  it('renders the consultee card with the 5-Whys so far, literally, and a verb only while investigating', () => {
    const consultee = aPerson({ id: 'c-1', name: 'Cora ${Sult}' });
    const investigating = carInState('investigating', {
      details: aReportDetails({ title: hostile, description: hostile }),
    });
    const ctx = anOperationContext();
    investigating.updateInvestigation(ctx, {
      fiveWhys: [{ question: 'Why 1?', answer: hostile }],
      consultees: [consultee],
    });
    investigating.addConsulteeInput({ ...ctx, actor: consultee }, { id: 'i', answer: hostile });
    const open = consulteeCard({
      car: investigating.toPrimitives(),
      etag: '"3"',
      refreshUserIds: ['29:c'],
      notice: { text: 'You are consulted on this investigation.', tone: 'good' },
    });
    const closed = consulteeCard({
      car: carInState('closed').toPrimitives(),
      etag: '"9"',
      refreshUserIds: [],
    });
    for (const c of [open, closed]) {
      expect(cardProblems(c)).toEqual([]);
      expect(textsOf(c).join('\n')).not.toContain('${');
    }
    expect(textsOf(open).join('\n')).toContain(`1\\. Why 1? ${literal(hostile)}`);
    expect(verbsOf(open)).toEqual(['car.consulteeInput']);
    expect(verbsOf(closed)).toEqual([]);
  });
});
