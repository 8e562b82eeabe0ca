import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { carCard } from '../../src/bot/cards/car.card.js';
import { COMMAND_VERBS } from '../../src/bot/card-verbs.js';
import type { CarResource } from '../../src/contract/resources.js';
import { isAllowed } from '../../src/domain/car/lifecycle.js';
import { operationsOf } from '../../src/application/available-commands.js';
import { people, type Who } from '../support/rectify-harness.js';
import { verbsOf } from '../bot/bot-client.js';
import { act, investigationComplete, report } from '../http/steps.js';
import { useTabFixture } from './support/tab-fixture.js';

/**
 * One table over the lifecycle and the sample people: for every state and every person, the
 * forms the tab shows and the buttons the bot's card shows are exactly the CAR's
 * `availableCommands` (the bot through its verb table), and that list follows the lifecycle.
 */
jest.setTimeout(300_000);
const tab = useTabFixture();

const PEOPLE = Object.keys(people) as Who[];
const cars: { state: string; id: string }[] = [];

beforeAll(async () => {
  const h = tab.h;
  const consultee = { id: people.otherOwner.id, name: people.otherOwner.name };
  const owner = { id: people.owner.id, name: people.owner.name };
  const walk = async (until: string) => {
    const car = await report(h, 'reporter', { title: `A CAR ${until}` });
    const steps: [string, () => Promise<unknown>][] = [
      [
        'recorded',
        () => act(h, 'mr', car, '/record', { classification: 'minor_nc', severity: 'low' }),
      ],
      [
        'investigating',
        async () => {
          await act(h, 'mr', car, '/start-investigation');
          await act(
            h,
            'mr',
            car,
            '/investigation',
            { ...investigationComplete, consultees: [consultee] },
            'patch',
          );
          await act(h, 'mr', car, '/actions', { kind: 'corrective', title: 'Fix it', owner });
        },
      ],
      ['action_planned', () => act(h, 'mr', car, '/plan')],
      ['implementing', () => act(h, 'mr', car, '/start-implementation')],
      [
        'verifying',
        async () => {
          const body = (await (await h.as('mr')).get(`/api/cars/${car.id}`)).body as CarResource;
          await act(h, 'owner', car, `/actions/${body.actions[0]?.id ?? ''}/complete`, {
            note: 'Done',
          });
          await act(h, 'mr', car, '/start-verification');
        },
      ],
      [
        'closed',
        async () => {
          await act(h, 'mr', car, '/verification', { effective: true, evidence: 'Checked.' });
          await act(h, 'mr', car, '/close', {
            summary: 'Fixed.',
            ismsChangeNeeded: false,
            feedsManagementReview: false,
          });
        },
      ],
    ];
    if (until !== 'reported')
      for (const [state, step] of steps) {
        await step();
        if (state === until) break;
      }
    cars.push({ state: until, id: car.id });
  };
  for (const state of [
    'reported',
    'recorded',
    'investigating',
    'action_planned',
    'implementing',
    'verifying',
    'closed',
  ])
    await walk(state);
  const rejected = await report(h, 'reporter', { title: 'A CAR rejected' });
  await act(h, 'mr', rejected, '/reject', { reason: 'Not an ISMS matter.' });
  cars.push({ state: 'rejected', id: rejected.id });
}, 240_000);

const key = (c: { name: string; actionId?: string; linkId?: string }) =>
  `${c.name}:${c.actionId ?? c.linkId ?? ''}`;

describe('what each person may do with a CAR, in the tab and on the bot card', () => {
  it('equals availableCommands for every state and every sample person', async () => {
    const seen = new Map<string, string[]>();
    for (const who of PEOPLE) {
      const { page, problems } = await tab.open(who, { path: '/' });
      for (const { state, id } of cars) {
        const res = await (await tab.h.as(who)).get(`/api/cars/${id}`);
        if (res.status === 404) {
          seen.set(`${who}@${state}`, ['(not visible)']);
          continue;
        }
        const car = res.body as CarResource;
        expect(car.state).toBe(state);
        const available = car.availableCommands;
        for (const c of available)
          expect([c.name, operationsOf(c.name).some((op) => isAllowed(op, car.state))]).toEqual([
            c.name,
            true,
          ]);

        await page.goto(`${tab.h.rectify.url}/cars/${id}`);
        await page
          .getByRole('heading', { name: new RegExp(`A CAR ${state}`) })
          .first()
          .waitFor();
        if (available.length > 0)
          await page.getByRole('heading', { name: 'Work on this CAR' }).waitFor();
        const marked = page.locator('[data-command], [data-blocked]');
        const shown: string[] = [];
        for (let i = 0; i < (await marked.count()); i++) {
          const el = marked.nth(i);
          const name =
            (await el.getAttribute('data-command')) ?? (await el.getAttribute('data-blocked'));
          shown.push(`${name ?? ''}:${(await el.getAttribute('data-target')) ?? ''}`);
        }
        expect([who, state, [...shown].sort()]).toEqual([who, state, available.map(key).sort()]);

        const card = carCard({ car, etag: car.etag, available, people: [], refreshUserIds: [] });
        const buttons = available.flatMap((c) => {
          const verb = c.blockedBy === null ? COMMAND_VERBS[c.name] : null;
          return verb ? [verb] : [];
        });
        expect([who, state, verbsOf(card)]).toEqual([who, state, buttons]);
        seen.set(`${who}@${state}`, available.map(key));
      }
      expect(problems).toEqual([]);
    }
    const names = (k: string) => (seen.get(k) ?? []).map((x) => x.split(':')[0]);
    // What the table must say, stated independently of availableCommands.
    expect(names('reporter@reported')).toEqual([]);
    expect(names('mr@reported')).toEqual(expect.arrayContaining(['record', 'reject', 'merge']));
    expect(names('otherOwner@investigating')).toEqual(['addConsulteeInput']);
    expect(names('owner@implementing')).toEqual(['completeAction']);
    expect(names('committee@closed')).toEqual(['addCommitteeReview']);
    expect(names('otherReporter@recorded')).toEqual(['(not visible)']);
    expect(names('mr@implementing')).toEqual(expect.arrayContaining(['startVerification']));
    expect(seen.get('mr@implementing')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^startVerification:$/)]),
    );
  });
});
