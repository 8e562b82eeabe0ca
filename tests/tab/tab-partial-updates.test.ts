import { describe, expect, it, jest } from '@jest/globals';
import type { CarResource } from '../../src/contract/resources.js';
import { people } from '../support/rectify-harness.js';
import { act, etagOf, report } from '../http/steps.js';
import { useTabFixture } from './support/tab-fixture.js';

/**
 * The tab as the people other than the MR use it (a consultee answers, an action owner
 * completes from the CAR page), and two people changing one investigation: after a conflict,
 * "Send my change again" re-applies only the fields this person changed.
 */
jest.setTimeout(120_000);
const tab = useTabFixture();

async function anInvestigation(title: string) {
  const h = tab.h;
  const car = await report(h, 'reporter', { title });
  await act(h, 'mr', car, '/record', { classification: 'minor_nc', severity: 'low' });
  await act(h, 'mr', car, '/start-investigation');
  await act(
    h,
    'mr',
    car,
    '/investigation',
    {
      fiveWhys: [
        { question: 'Why was the door open?', answer: 'A delivery.' },
        { question: 'Why was it left open?', answer: 'Nobody was told to close it.' },
      ],
      consultees: [{ id: people.otherOwner.id, name: people.otherOwner.name }],
    },
    'patch',
  );
  return car;
}

const stored = async (id: string) =>
  (await (await tab.h.as('mr')).get(`/api/cars/${id}`)).body as CarResource;

describe('the tab for every role, and field-by-field changes', () => {
  it('lets a consultee answer the investigation from the tab', async () => {
    const car = await anInvestigation('Server room door open');
    const { page, problems } = await tab.open('otherOwner', { path: `/cars/${car.id}` });
    await page.getByRole('heading', { name: 'Your answer to the investigation' }).waitFor();
    await page
      .getByRole('textbox', { name: 'What do you know about why it happened?' })
      .fill('The delivery schedule changed last month.');
    await page.getByRole('button', { name: 'Send answer' }).click();
    await page.getByText('The delivery schedule changed last month.').first().waitFor();
    expect((await stored(car.id)).investigation.consulteeInputs).toMatchObject([
      { by: { id: people.otherOwner.id }, answer: 'The delivery schedule changed last month.' },
    ]);
    expect(problems).toEqual([]);
  });

  it('lets an action owner complete their action from the CAR page', async () => {
    const h = tab.h;
    const car = await anInvestigation('Badge printer left unlocked');
    await act(
      h,
      'mr',
      car,
      '/investigation',
      {
        rootCause: 'No lock routine.',
        causeCategory: 'process',
        similarCheck: { done: true },
      },
      'patch',
    );
    await act(h, 'mr', car, '/actions', {
      kind: 'corrective',
      title: 'Add a lock routine',
      owner: { id: people.owner.id, name: people.owner.name },
    });
    await act(h, 'mr', car, '/plan');
    const { page, problems } = await tab.open('owner', { path: `/cars/${car.id}` });
    await page.getByRole('heading', { name: /^Action: Add a lock routine/ }).waitFor();
    await page.getByRole('textbox', { name: 'Completion note' }).fill('Routine posted.');
    await page.getByRole('button', { name: 'Mark done' }).click();
    await page
      .getByRole('heading', { name: /^Action: Add a lock routine/ })
      .waitFor({ state: 'detached' });
    const after = await stored(car.id);
    expect(after.actions.map((a) => [a.status, a.completionNote])).toEqual([
      ['done', 'Routine posted.'],
    ]);
    expect(problems).toEqual([]);
  });

  it('after a conflict, shows both changes per field and sends only this person’s fields again', async () => {
    const car = await anInvestigation('Visitor left unescorted');
    const { page, problems } = await tab.open('mr', { path: `/cars/${car.id}` });
    await page.getByRole('heading', { name: 'Investigation: root cause (10.2 b)' }).waitFor();
    await page
      .getByRole('textbox', { name: 'Why 2: answer' })
      .fill('The escort rule is not written down.');
    // Someone else saves other fields of the same version meanwhile.
    const other = await (
      await tab.h.as('mr')
    )
      .patch(`/api/cars/${car.id}/investigation`, {
        whys: [{ index: 0, question: 'Why was the visitor alone?' }],
        rootCause: 'Escort rule missing from the visitor procedure.',
      })
      .set('If-Match', await etagOf(tab.h, car.id));
    expect(other.status).toBe(200);
    await page.getByRole('button', { name: 'Save investigation' }).click();
    const differences = page.getByRole('table', { name: 'Your change beside theirs' });
    await differences.waitFor();
    await expect(differences.textContent()).resolves.toContain('Why 2: answer');
    await expect(differences.textContent()).resolves.toContain(
      'The escort rule is not written down.',
    );
    await expect(differences.textContent()).resolves.toContain('Nobody was told to close it.');
    await page.getByRole('button', { name: 'Send my change again' }).click();
    await differences.waitFor({ state: 'detached' });
    expect((await stored(car.id)).investigation).toMatchObject({
      fiveWhys: [
        { question: 'Why was the visitor alone?', answer: 'A delivery.' },
        { question: 'Why was it left open?', answer: 'The escort rule is not written down.' },
      ],
      rootCause: 'Escort rule missing from the visitor procedure.',
      consultees: [{ id: people.otherOwner.id }],
    });
    expect(problems).toEqual([]);
  });
});
