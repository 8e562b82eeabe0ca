import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { startPlayground, type RunningPlayground } from '../../scripts/playground.js';
import { launchChromium } from '../support/chromium.js';
import { startHarness, type Harness } from '../support/rectify-harness.js';

let h: Harness;
let playground: RunningPlayground;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  h = await startHarness();
  playground = await startPlayground({ botEndpoint: `${h.rectify.url}/api/messages`, port: 56153 });
  browser = await launchChromium();
  page = await browser.newPage();
}, 60_000);

afterAll(async () => {
  await browser.close();
  await playground.close();
  await h.close();
});

/**
 * A choice of an expanded choice set. The Playground renders single choices as radios with a
 * label element and multiple choices as checkboxes named by aria-label.
 */
const choice = (p: Page, title: string) =>
  p
    .getByLabel(title, { exact: true })
    .or(p.locator(`input[aria-label="${title}"]`))
    .first();

describe('the bot in Microsoft 365 Agents Playground', () => {
  it('reports with the form card, then the MR records the CAR on the triage card', async () => {
    await page.goto(playground.url);
    await page.getByText('What the bot can do').waitFor();

    await page.locator('[contenteditable="true"]').first().click();
    await page.keyboard.type('report');
    await page.keyboard.press('Enter');
    await page.getByText('Report an ISMS event', { exact: true }).waitFor();

    await choice(page, 'Near miss or weakness').check();
    await choice(page, 'Equipment').check();
    await page.getByLabel('Title').fill('Unlocked server rack');
    await page.getByLabel('What happened').fill('Rack 4 was found unlocked after maintenance.');
    await page.getByRole('button', { name: 'Send report' }).click();

    // The Playground user is the sample MR: the answer is the MR's triage card.
    await page.getByRole('button', { name: 'Record as CAR' }).click();
    await choice(page, 'Minor NC').check();
    await choice(page, 'Medium').check();
    await page.getByRole('button', { name: 'Record', exact: true }).click();

    await page.getByText('Recorded as a CAR').waitFor();
    await expect(page.getByText(/^CAR-\d{4}-0001: Unlocked server rack$/).count()).resolves.toBe(1);

    const list = await (await h.as('mr')).get('/api/cars?state=recorded');
    const items = (list.body as { items: { number: string; report: { title: string } }[] }).items;
    expect(items.map((c) => c.report.title)).toEqual(['Unlocked server rack']);
  }, 60_000);
});
