import { describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { screenshot } from './support/tab-browser.js';
import { useTabFixture } from './support/tab-fixture.js';

/**
 * One report taken through the whole procedure in the tab, each person in their own browser
 * profile, against a real server with a fresh SQLite file.
 */
jest.setTimeout(60_000);
const tab = useTabFixture();
const open = tab.open.bind(tab);

const saved = async (page: Page, button: string) => {
  const version = page.getByRole('button', { name: button });
  await version.click();
};

describe('the Teams tab in local mode', () => {
  let carId = '';
  let carNumber = '';

  it('lets a reporter sign in with the person picker and file a report', async () => {
    const { page, problems } = await open(null);
    await page
      .getByRole('combobox', { name: 'Signed in as (local mode)' })
      .selectOption({ label: 'Alex Morgan: Service Desk Analyst' });
    await page.getByRole('heading', { name: 'Report an ISMS event' }).waitFor();
    await page
      .getByRole('combobox', { name: 'What kind of event is it?' })
      .selectOption('policy_nonconformance');
    await page.getByRole('checkbox', { name: 'Procedure' }).check();
    await page.getByRole('textbox', { name: 'Title' }).fill('Visitor badge not returned');
    await page
      .getByRole('textbox', { name: 'What happened?' })
      .fill('A visitor left without returning the badge.');
    await page.getByRole('textbox', { name: 'When did it happen?' }).fill('2026-11-20T09:30');
    await page.getByRole('textbox', { name: 'Where?' }).fill('Reception, level 1');
    await page
      .getByRole('textbox', { name: 'Who or what is affected?' })
      .fill('Physical access control');
    await page
      .getByRole('textbox', { name: 'Immediate action already taken' })
      .fill('Badge deactivated.');
    await page.getByRole('combobox', { name: 'How was it recognised?' }).selectOption('inspection');
    await saved(page, 'Send report');
    await page.getByText('Thank you: your report was received').waitFor();
    await screenshot(page, 'report-confirmation');
    const link = await page.getByRole('link', { name: 'this report' }).getAttribute('href');
    carId = (link ?? '').replace('/cars/', '');
    expect(carId).toMatch(/^[0-9a-f-]{36}$/);
    const stored = await (await tab.h.as('mr')).get(`/api/cars/${carId}`);
    expect(stored.body).toMatchObject({
      state: 'reported',
      report: {
        title: 'Visitor badge not returned',
        relatesTo: ['procedure'],
        source: 'inspection',
        location: 'Reception, level 1',
        confidential: false,
      },
    });
    expect(problems).toEqual([]);
  });

  it('lets the MR record it as a Minor NC, investigate and plan an action for an owner', async () => {
    const { page, problems } = await open('mr', { path: '/queue' });
    await page.getByRole('link', { name: 'Visitor badge not returned' }).click();
    await page.getByRole('heading', { name: 'Record as a CAR and classify' }).waitFor();
    await page.getByRole('combobox', { name: 'Classification' }).selectOption('minor_nc');
    await page.getByRole('combobox', { name: 'Severity' }).selectOption('medium');
    await saved(page, 'Record CAR');
    await page.getByRole('button', { name: 'Start the investigation' }).click();
    await page.getByRole('heading', { name: 'Investigation: root cause (10.2 b)' }).waitFor();
    await page
      .getByRole('textbox', { name: 'Why 1: question' })
      .fill('Why was the badge not returned?');
    await page
      .getByRole('textbox', { name: 'Why 1: answer' })
      .fill('Nobody asked for it at the exit.');
    await page.getByRole('button', { name: 'Add a why' }).click();
    await page.getByRole('textbox', { name: 'Why 2: question' }).fill('Why did nobody ask?');
    await page
      .getByRole('textbox', { name: 'Why 2: answer' })
      .fill('The exit checklist does not mention badges.');
    await page
      .getByRole('textbox', { name: 'Root cause' })
      .fill('The visitor exit checklist omits badge return.');
    await page.getByRole('combobox', { name: 'Cause category' }).selectOption('process');
    // People come from the directory: three letters typed, then the person picked.
    await page.getByRole('combobox', { name: 'Consultee to add' }).fill('Sam');
    await page
      .getByRole('listbox')
      .getByRole('option', { name: /Sam Taylor/ })
      .click();
    await page.getByRole('button', { name: 'Add consultee' }).click();
    await page
      .getByRole('textbox', { name: 'Findings of the check' })
      .fill('No other site uses this checklist.');
    await page
      .getByRole('checkbox', { name: 'The check for similar nonconformities is done' })
      .check();
    await saved(page, 'Save investigation');
    await page.getByText('The visitor exit checklist omits badge return.').first().waitFor();

    await page
      .getByRole('textbox', { name: 'Action title' })
      .fill('Add badge return to the visitor exit checklist');
    await page.getByRole('combobox', { name: 'Owner' }).fill('tay');
    await page
      .getByRole('listbox')
      .getByRole('option', { name: /Sam Taylor/ })
      .click();
    await saved(page, 'Add action');
    await page.getByText('Add badge return to the visitor exit checklist').first().waitFor();
    await page.getByRole('button', { name: 'Confirm the action plan' }).click();
    await page.getByRole('button', { name: 'Start implementing' }).click();
    await page
      .getByRole('heading', { name: /^CAR-\d{4}-\d{4}: Visitor badge not returned/ })
      .waitFor();
    await page.getByText('Implementing', { exact: true }).first().waitFor();
    await screenshot(page, 'mr-car-implementing');

    const car = (await (await tab.h.as('mr')).get(`/api/cars/${carId}`)).body as {
      state: string;
      number: string;
      classification: string;
      actions: { owner: { name: string }; dueDate: string }[];
      investigation: { causeCategory: string; consultees: { name: string }[] };
    };
    expect(car.state).toBe('implementing');
    expect(car.classification).toBe('minor_nc');
    expect(car.investigation.causeCategory).toBe('process');
    expect(car.investigation.consultees.map((c) => c.name)).toEqual(['Sam Taylor']);
    expect(car.actions[0]?.owner.name).toBe('Sam Taylor');
    expect(car.actions[0]?.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    carNumber = car.number;
    expect(problems).toEqual([]);
  });

  it('lets the owner mark their action done with a note', async () => {
    const { page, problems } = await open('owner', { path: '/actions' });
    await page
      .getByRole('heading', { name: 'Add badge return to the visitor exit checklist' })
      .waitFor();
    await page
      .getByRole('textbox', {
        name: 'Completion note for “Add badge return to the visitor exit checklist”',
      })
      .fill('Checklist updated, reception briefed.');
    await screenshot(page, 'owner-actions');
    await saved(page, 'Mark done');
    await page.getByText('The action is marked done.').waitFor();
    await page.getByText('You have no open action.').waitFor();
    expect(problems).toEqual([]);
  });

  it('lets the MR verify effectiveness and close the CAR', async () => {
    const { page, problems } = await open('mr', { path: `/cars/${carNumber}` });
    await page.getByRole('button', { name: 'Start effectiveness verification' }).click();
    await page.getByRole('radio', { name: 'Effective', exact: true }).check();
    await page
      .getByRole('textbox', { name: 'Evidence' })
      .fill('Two weeks of exit logs show every badge returned.');
    await saved(page, 'Record verification');
    await page
      .getByRole('textbox', { name: 'Closing summary' })
      .fill('Checklist fixed; badges returned since.');
    await saved(page, 'Close CAR');
    await page.getByText('Nothing: the CAR is closed').waitFor();
    await page.getByRole('heading', { name: 'Reopen the CAR' }).waitFor();
    expect(problems).toEqual([]);
  });

  it('shows the reporter their report closed, with its CAR number and history', async () => {
    const { page, problems } = await open('reporter', { path: '/my-reports' });
    const row = page.getByRole('row', { name: /Visitor badge not returned/ });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain(carNumber);
    await expect(row.textContent()).resolves.toContain('Closed');
    await screenshot(page, 'reporter-my-reports');
    await page.getByRole('link', { name: 'Visitor badge not returned' }).click();
    await page.getByRole('table', { name: 'History of this CAR' }).waitFor();
    await page.getByRole('cell', { name: 'close', exact: true }).first().waitFor();
    // A reporter reads, never acts.
    await expect(page.getByRole('heading', { name: 'Work on this CAR' }).count()).resolves.toBe(0);
    expect(problems).toEqual([]);
  });

  it('lets the committee record a review of the CAR', async () => {
    const { page, problems } = await open('committee', { path: '/committee/register' });
    await page.getByRole('link', { name: 'Visitor badge not returned' }).click();
    await page.getByRole('heading', { name: 'Record a committee review' }).waitFor();
    await page.getByRole('textbox', { name: 'Meeting date' }).fill('2026-12-03');
    await page.getByRole('textbox', { name: 'Minutes reference' }).fill('ISC-2026-12');
    await page.getByRole('textbox', { name: 'Decision' }).fill('Effective; no further action.');
    await saved(page, 'Record review');
    await page.getByText(/2026-12-03 \(ISC-2026-12\): Effective; no further action\./).waitFor();
    const car = (await (await tab.h.as('mr')).get(`/api/cars/${carId}`)).body as {
      committeeReviews: { decision: string; by: { name: string } }[];
    };
    expect(car.committeeReviews).toEqual([
      expect.objectContaining({
        decision: 'Effective; no further action.',
        by: expect.objectContaining({ name: 'Chris Walker' }),
      }),
    ]);
    expect(problems).toEqual([]);
  });
});
