import { describe, expect, it, jest } from '@jest/globals';
import { act, report } from '../http/steps.js';
import { screenshot } from './support/tab-browser.js';
import { useTabFixture } from './support/tab-fixture.js';

/** What the tab must never do: show someone else's report, lose a change, or report twice. */
jest.setTimeout(60_000);
const tab = useTabFixture();
const open = tab.open.bind(tab);

interface ListedCar {
  id: string;
  reporter: { name: string };
  report: { title: string };
}

describe('the Teams tab', () => {
  it('does not show a reporter another reporter’s report opened by URL', async () => {
    const theirs = await report(tab.h, 'otherReporter', { title: 'Priya’s private report' });
    const { page } = await open('reporter', { path: `/cars/${theirs.id}` });
    await page.getByText('No such report or CAR').waitFor();
    await expect(page.getByText('Priya’s private report').count()).resolves.toBe(0);
    await screenshot(page, 'reporter-other-car-not-found');
  });

  it('shows the MR a conflicting change from another session and keeps what they typed', async () => {
    const car = await report(tab.h, 'reporter', { title: 'Tailgating at the side door' });
    await act(tab.h, 'mr', car, '/record', { classification: 'minor_nc', severity: 'low' });
    await act(tab.h, 'mr', car, '/start-investigation');

    const first = await open('mr', { path: `/cars/${car.id}` });
    const second = await open('mr', { path: `/cars/${car.id}` });
    for (const s of [first, second])
      await s.page.getByRole('heading', { name: 'Investigation: root cause (10.2 b)' }).waitFor();

    await first.page
      .getByRole('textbox', { name: 'What was done to contain it and correct it' })
      .fill('Side door alarm re-enabled.');
    await first.page.getByRole('button', { name: 'Save containment' }).click();
    await first.page.getByText('Side door alarm re-enabled.').first().waitFor();

    const rootCause = second.page.getByRole('textbox', { name: 'Root cause' });
    await rootCause.fill('The door closer is too slow.');
    await second.page.getByRole('button', { name: 'Save investigation' }).click();
    const notice = second.page.getByRole('alert').filter({ hasText: 'changed this CAR' });
    await notice.waitFor();
    await expect(notice.textContent()).resolves.toContain('Jordan Lee');
    await expect(notice.textContent()).resolves.toContain('Side door alarm re-enabled.');
    await expect(rootCause.inputValue()).resolves.toBe('The door closer is too slow.');
    // The page now shows the other change.
    await second.page.getByText('Side door alarm re-enabled.').first().waitFor();
    await screenshot(second.page, 'mr-conflict');

    await second.page.getByRole('button', { name: 'Send my change again' }).click();
    await notice.waitFor({ state: 'detached' });
    const stored = (await (await tab.h.as('mr')).get(`/api/cars/${car.id}`)).body as {
      containment: { description: string };
      investigation: { rootCause: string };
    };
    expect(stored.containment.description).toBe('Side door alarm re-enabled.');
    expect(stored.investigation.rootCause).toBe('The door closer is too slow.');
  });

  it('keeps the draft when a submit fails and never files it twice when retried', async () => {
    const { page } = await open('otherReporter');
    await page.getByRole('heading', { name: 'Report an ISMS event' }).waitFor();
    await page
      .getByRole('combobox', { name: 'What kind of event is it?' })
      .selectOption('near_miss');
    await page.getByRole('checkbox', { name: 'Equipment' }).check();
    await page.getByRole('textbox', { name: 'Title' }).fill('Laptop left unlocked');
    await page.getByRole('textbox', { name: 'What happened?' }).fill('In meeting room 3.');

    // The server files the report but the answer never reaches the browser.
    let reached = 0;
    await page.route('**/api/cars', async (route) => {
      reached += 1;
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.getByText('Not sent').waitFor();
    expect(reached).toBe(1);

    // The draft survives a reload, with the same idempotency key.
    await page.unroute('**/api/cars');
    await page.reload();
    await expect(page.getByRole('textbox', { name: 'Title' }).inputValue()).resolves.toBe(
      'Laptop left unlocked',
    );
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.getByText('Thank you: your report was received').waitFor();

    const list = (await (await tab.h.as('mr')).get('/api/cars?q=Laptop')).body as {
      items: ListedCar[];
    };
    expect(list.items.filter((c) => c.report.title === 'Laptop left unlocked')).toHaveLength(1);
    // Sent: the draft is gone.
    await page.reload();
    await expect(page.getByRole('textbox', { name: 'Title' }).inputValue()).resolves.toBe('');
  });

  it('shows the API’s validation messages next to the fields', async () => {
    const { page } = await open('reporter');
    await page.getByRole('heading', { name: 'Report an ISMS event' }).waitFor();
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.getByText('Choose what kind of event this is').waitFor();
    await page.getByText('Give the report a short title').waitFor();
    await expect(
      page.evaluate<string>("document.activeElement?.getAttribute('name')"),
    ).resolves.toBe('type');

    await page
      .getByRole('combobox', { name: 'What kind of event is it?' })
      .selectOption('isms_breach');
    await page.getByRole('checkbox', { name: 'Personnel' }).check();
    await page.getByRole('textbox', { name: 'Title' }).fill('Shared account found');
    await page.getByRole('textbox', { name: 'What happened?' }).fill('x'.repeat(10_001));
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.getByText('Not sent').waitFor();
    await page
      .getByText(/Too big|at most|10000/i)
      .first()
      .waitFor();
  });
});
