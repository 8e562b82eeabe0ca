import { describe, expect, it, jest } from '@jest/globals';
import { act, report, type CarBody } from '../http/steps.js';
import { useTabFixture } from './support/tab-fixture.js';
import {
  SCREENS,
  screenshotTo,
  seriousAxeViolations,
  type ThemeName,
} from './support/tab-browser.js';

/** The MR's queue as a grid: open CARs by default, sortable columns, bulk triage. */
jest.setTimeout(180_000);

const tab = useTabFixture();

const carOf = async (id: string): Promise<CarBody> =>
  (await (await tab.h.as('mr')).get(`/api/cars/${id}`)).body as CarBody;

describe("the MR's queue", () => {
  it('shows what needs work, hides confidential reporters, and triages several reports at once', async () => {
    const badge = await report(tab.h, 'reporter', { title: 'Badge lent to a visitor' });
    const usb = await report(tab.h, 'otherReporter', { title: 'USB stick found in the lobby' });
    const secret = await report(tab.h, 'otherReporter', {
      title: 'Manager shares a password',
      confidential: true,
    });
    const spam = await report(tab.h, 'reporter', { title: 'Printer out of paper' });
    await act(tab.h, 'mr', spam, '/reject', { reason: 'Not an ISMS event.' });

    const { page, problems } = await tab.open('mr', {
      path: '/queue',
      viewport: { width: 1280, height: 800 },
    });
    const grid = page.getByRole('grid', { name: 'Queue' });
    await grid.waitFor();
    const row = (title: string) => grid.getByRole('row').filter({ hasText: title });
    for (const t of ['Badge lent to a visitor', 'USB stick found', 'Manager shares a password'])
      await row(t).waitFor();
    // Rejected reports are not work: the default filter shows open states only.
    await expect(row('Printer out of paper').count()).resolves.toBe(0);
    await expect(row('Manager shares a password').textContent()).resolves.toContain('Confidential');
    await expect(row('Manager shares a password').textContent()).resolves.not.toContain(
      'Priya Shah',
    );
    await expect(row('Badge lent to a visitor').textContent()).resolves.toContain('Alex Morgan');

    // Sorting by a column is one click on its header.
    const age = grid.getByRole('columnheader', { name: /Age/ });
    await age.click();
    await expect(age.getAttribute('aria-sort')).resolves.toMatch(/ascending|descending/);

    await row('Badge lent to a visitor').getByRole('checkbox').check();
    await row('USB stick found').getByRole('checkbox').check();
    await page.getByRole('combobox', { name: 'Classification' }).last().selectOption('major_nc');
    await page.getByRole('combobox', { name: 'Severity' }).selectOption('high');
    await page.getByRole('button', { name: 'Record 2 as CARs' }).click();
    await page.getByRole('status').filter({ hasText: '2 of 2 recorded.' }).waitFor();
    for (const id of [badge.id, usb.id])
      expect(await carOf(id)).toMatchObject({
        state: 'recorded',
        classification: 'major_nc',
        severity: 'high',
      });
    expect((await carOf(secret.id)).state).toBe('reported');

    await row('Manager shares a password').getByRole('checkbox').check();
    await page
      .getByRole('textbox', { name: /Reason for rejecting/ })
      .fill('Handled by HR, not the ISMS.');
    await page.getByRole('button', { name: 'Reject 1' }).click();
    await page.getByRole('status').filter({ hasText: '1 of 1 rejected.' }).waitFor();
    expect(await carOf(secret.id)).toMatchObject({ state: 'rejected' });
    expect(problems).toEqual([]);
  });

  it('keeps the filters the MR chose', async () => {
    const { page } = await tab.open('mr', { path: '/queue' });
    await page.getByRole('grid', { name: 'Queue' }).waitFor();
    await page.getByRole('combobox', { name: 'State' }).selectOption('');
    await page.getByRole('row').filter({ hasText: 'Printer out of paper' }).waitFor();
    await page.reload();
    await page.getByRole('row').filter({ hasText: 'Printer out of paper' }).waitFor();
    await expect(page.getByRole('combobox', { name: 'State' }).inputValue()).resolves.toBe('');
  });

  it.each(['light', 'dark', 'contrast'] as ThemeName[])(
    'passes axe in the %s theme',
    async (theme) => {
      await report(tab.h, 'reporter', { title: `Screen left unlocked (${theme})` });
      const { page } = await tab.open('mr', {
        path: '/queue',
        theme,
        viewport: { width: 1280, height: 800 },
      });
      await page.getByRole('grid', { name: 'Queue' }).waitFor();
      await screenshotTo(SCREENS, page, `queue-grid-${theme}`);
      expect(await seriousAxeViolations(page)).toEqual([]);
    },
  );
});
