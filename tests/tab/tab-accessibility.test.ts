import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { anImplementingCar } from '../http/steps.js';
import { startHarness, type Harness, type Who } from '../support/rectify-harness.js';
import { ensureTabBuilt } from './support/build-tab.js';
import {
  launchBrowser,
  openTabAs,
  screenshot,
  seriousAxeViolations,
  type ThemeName,
} from './support/tab-browser.js';

/** Keyboard-only reporting, and axe-core on every view in the three Teams themes. */
jest.setTimeout(240_000);
let h: Harness;
let browser: Browser;
let carId = '';

beforeAll(async () => {
  await ensureTabBuilt();
  h = await startHarness();
  browser = await launchBrowser();
  carId = (await anImplementingCar(h)).id;
}, 240_000);

afterAll(async () => {
  await browser.close();
  await h.close();
});

const activeName = (page: Page) =>
  page.evaluate<string>(
    "document.activeElement?.getAttribute('name') ?? document.activeElement?.textContent ?? ''",
  );

async function tabTo(page: Page, name: string): Promise<void> {
  for (let i = 0; i < 30; i += 1) {
    if ((await activeName(page)) === name) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${name}`);
}

describe('accessibility of the tab', () => {
  it('files a report with the keyboard alone', async () => {
    const { context, page, problems } = await openTabAs(browser, h.rectify.url, 'reporter');
    page.setDefaultTimeout(10_000);
    await page.getByRole('heading', { name: 'Report an ISMS event' }).waitFor();
    await tabTo(page, 'type');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, 'relatesTo');
    await page.keyboard.press('Space');
    await tabTo(page, 'title');
    await page.keyboard.type('Printer left documents in the tray');
    await tabTo(page, 'description');
    await page.keyboard.type('Payroll printouts sat in the tray for an hour.');
    await tabTo(page, 'confidential');
    await page.keyboard.press('Space');
    await tabTo(page, 'Send report');
    await page.keyboard.press('Enter');
    await page.getByText('Thank you: your report was received').waitFor();
    const list = (await (await h.as('mr')).get('/api/cars?q=Printer')).body as {
      items: { report: { type: string; relatesTo: string[]; confidential: boolean } }[];
    };
    expect(list.items.map((c) => c.report)).toEqual([
      expect.objectContaining({
        type: 'security_incident',
        relatesTo: ['procedure'],
        confidential: true,
      }),
    ]);
    expect(problems).toEqual([]);
    await context.close();
  });

  const views: { who: Who; path: () => string; name: string; ready: string }[] = [
    { who: 'reporter', path: () => '/', name: 'report', ready: 'Report an ISMS event' },
    { who: 'reporter', path: () => '/my-reports', name: 'my-reports', ready: 'My reports' },
    { who: 'reporter', path: () => `/cars/${carId}`, name: 'reporter-car', ready: 'History' },
    { who: 'owner', path: () => '/actions', name: 'my-actions', ready: 'My actions' },
    { who: 'mr', path: () => '/queue', name: 'mr-queue', ready: 'MR workspace: queue' },
    { who: 'mr', path: () => `/cars/${carId}`, name: 'mr-car', ready: 'Work on this CAR' },
    {
      who: 'committee',
      path: () => '/committee/register',
      name: 'committee',
      ready: 'Committee: all CARs',
    },
    {
      who: 'committee',
      path: () => `/cars/${carId}`,
      name: 'committee-car',
      ready: 'Record a committee review',
    },
  ];
  const themes: ThemeName[] = ['light', 'dark', 'contrast'];

  it.each(themes)(
    'has no serious or critical axe violations on any view in the %s theme',
    async (theme) => {
      const found: Record<string, unknown> = {};
      for (const who of [...new Set(views.map((v) => v.who))]) {
        const { context, page, problems } = await openTabAs(browser, h.rectify.url, who, { theme });
        page.setDefaultTimeout(10_000);
        for (const view of views.filter((v) => v.who === who)) {
          await page.goto(`${h.rectify.url}${view.path()}`);
          await page.getByRole('heading', { name: view.ready }).first().waitFor();
          await page.waitForLoadState('networkidle');
          const violations = await seriousAxeViolations(page);
          if (violations.length > 0) found[`${view.name}/${theme}`] = violations;
          const file = await screenshot(page, `${view.name}-${theme}`);
          if (view.name === 'report' && theme === 'light' && !existsSync('docs/tab-report.png')) {
            mkdirSync('docs', { recursive: true });
            copyFileSync(file, 'docs/tab-report.png');
          }
        }
        expect(problems).toEqual([]);
        await context.close();
      }
      expect(found).toEqual({});
    },
  );
});
