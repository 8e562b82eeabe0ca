import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { CLASSIFICATION_LABELS } from '../../src/domain/car/car-labels.js';
import { act, anImplementingCar, report, type CarBody } from '../http/steps.js';
import type { Who } from '../support/rectify-harness.js';
import { ensureTabBuilt } from './support/build-tab.js';
import { startMeetingHarness, type MeetingHarness } from './support/meeting-server.js';
import {
  SCREENS,
  launchBrowser,
  openTabAs,
  screenshotTo,
  seriousAxeViolations,
  type TabSession,
} from './support/tab-browser.js';

/**
 * The committee's meeting surfaces (side panel and stage), the KPIs, the Tasks section of a CAR
 * with the task sync, and the notification bell, in Chromium against a real server.
 */
jest.setTimeout(240_000);

let h: MeetingHarness;
let browser: Browser;
const sessions: TabSession[] = [];
const today = new Date().toISOString().slice(0, 10);
let minor: CarBody;
let major: CarBody;

const open = async (
  who: Who,
  path: string,
  viewport?: { width: number; height: number },
): Promise<TabSession> => {
  const s = await openTabAs(browser, h.rectify.url, who, {
    path,
    ...(viewport ? { viewport } : {}),
  });
  s.page.setDefaultTimeout(10_000);
  sessions.push(s);
  return s;
};

const SIDE_PANEL = { width: 320, height: 800 };
const SECTIONS = [
  'New since the last meeting',
  'Overdue actions',
  'Closed since the last meeting',
  'Found ineffective',
  'Awaiting a decision',
  'Actions from the previous review',
];

beforeAll(async () => {
  await ensureTabBuilt();
  h = await startMeetingHarness();
  browser = await launchBrowser();
  minor = await anImplementingCar(h);
  major = await report(h, 'otherReporter', { title: 'Firewall rule left open after change' });
  major = await act(h, 'mr', major, '/record', { classification: 'major_nc', severity: 'high' });
  const planned = await request(h.rectify.url)
    .put(`/api/committee/meetings/${today}`)
    .set('Authorization', `Bearer ${await h.token('committee')}`)
    .send({ title: 'Operational review' });
  expect([200, 201]).toContain(planned.status);
}, 240_000);

afterAll(async () => {
  for (const s of sessions) await s.context.close();
  await browser.close();
  await h.close();
});

/**
 * No horizontal scrollbar, and nothing cut off at the right edge either (an ancestor with
 * hidden overflow would hide a scrollbar, not the overflow): what sticks out, by tag and text.
 */
const noHorizontalScroll = async (page: Page): Promise<boolean> => {
  const outside = await page.evaluate<string[]>(
    `[...document.querySelectorAll('body *')]
      .filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > document.documentElement.clientWidth + 0.5; })
      .map((e) => e.tagName + ': ' + (e.textContent ?? '').slice(0, 40))`,
  );
  expect(outside).toEqual([]);
  return page.evaluate<boolean>(
    'document.documentElement.scrollWidth <= document.documentElement.clientWidth',
  );
};

const reviewsOf = async (id: string) =>
  (
    (await (await h.as('mr')).get(`/api/cars/${id}`)).body as CarBody & {
      committeeReviews: {
        meetingDate: string;
        decision: string;
        followUp: string | null;
        minutesRef: string;
      }[];
    }
  ).committeeReviews;

describe('the committee meeting in the side panel', () => {
  it('opens a CAR outside the 320 px panel, which keeps its agenda', async () => {
    const { page, context, problems } = await open(
      'committee',
      '/committee?frame=sidePanel',
      SIDE_PANEL,
    );
    const link = page.locator(`a[href="/cars/${minor.id}"]`).first();
    const [opened] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await opened.waitForLoadState();
    expect(new URL(opened.url()).pathname).toBe(`/cars/${minor.id}`);
    await opened.close();
    expect(new URL(page.url()).pathname).toBe('/committee');
    await page.getByRole('heading', { name: /^Agenda of / }).waitFor();
    expect(await noHorizontalScroll(page)).toBe(true);
    expect(problems).toEqual([]);
  });

  it('lays the agenda and the decision form out in one 320 px column without horizontal scrolling', async () => {
    const { page, problems } = await open('committee', '/committee?frame=sidePanel', SIDE_PANEL);
    await page.getByRole('heading', { name: 'Committee meeting' }).waitFor();
    await page.getByRole('heading', { name: /^Agenda of / }).waitFor();
    for (const s of SECTIONS)
      await page.getByRole('heading', { name: new RegExp(`^${s} \\(\\d+\\)$`) }).waitFor();
    await page.getByRole('heading', { name: 'Decisions of this meeting' }).waitFor();
    // The views' navigation has no room in a side panel.
    await expect(
      page.getByRole('navigation', { name: 'Views' }).getByRole('link').count(),
    ).resolves.toBe(0);
    await page.waitForLoadState('networkidle');
    await screenshotTo(SCREENS, page, 'side-panel-agenda');
    expect(await noHorizontalScroll(page)).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('records every decision in one pass, keeping what was typed for a CAR that changed meanwhile', async () => {
    const { page, problems } = await open('committee', '/committee?frame=sidePanel', SIDE_PANEL);
    const minorName = minor.number ?? '';
    const majorName = major.number ?? '';
    await page.getByRole('textbox', { name: `Decision on ${minorName}` }).fill('Keep monitoring.');
    await page
      .getByRole('textbox', { name: `Follow-up on ${minorName}` })
      .fill('Report at next review.');
    await page
      .getByRole('textbox', { name: `Decision on ${majorName}` })
      .fill('Escalate to the CISO.');
    await page
      .getByRole('textbox', { name: `Minutes reference for ${majorName}` })
      .fill('SC-7 item 2');
    await page
      .getByRole('textbox', { name: 'Minutes reference for every row left empty' })
      .fill('SC-7');
    // Someone changes the major CAR while the committee types.
    await act(h, 'mr', major, '/start-investigation');
    await page.getByRole('button', { name: 'Record all decisions' }).click();
    await page.getByText('1 of 2 decisions recorded').waitFor();
    await page
      .getByText(/CAR changed meanwhile/)
      .first()
      .waitFor();
    await expect(
      page.getByRole('textbox', { name: `Decision on ${majorName}` }).inputValue(),
    ).resolves.toBe('Escalate to the CISO.');
    expect(await reviewsOf(minor.id)).toEqual([
      expect.objectContaining({
        meetingDate: today,
        decision: 'Keep monitoring.',
        followUp: 'Report at next review.',
        minutesRef: 'SC-7',
      }),
    ]);
    expect(await reviewsOf(major.id)).toEqual([]);

    // The agenda was read again: sending again records it on the current version, once.
    await page.getByRole('button', { name: 'Record all decisions' }).click();
    await page.getByText('1 of 1 decisions recorded').waitFor();
    await page.getByText('This meeting is done: its decisions are recorded.').waitFor();
    await screenshotTo(SCREENS, page, 'side-panel-decided');
    expect(await reviewsOf(major.id)).toEqual([
      expect.objectContaining({
        meetingDate: today,
        decision: 'Escalate to the CISO.',
        minutesRef: 'SC-7 item 2',
      }),
    ]);
    expect(await reviewsOf(minor.id)).toHaveLength(1);
    const meetings = (await (await h.as('committee')).get('/api/committee/meetings')).body as {
      items: { date: string; status: string; decidedCarIds: string[] }[];
    };
    expect(meetings.items.find((m) => m.date === today)).toEqual(
      expect.objectContaining({
        status: 'done',
        decidedCarIds: expect.arrayContaining([minor.id, major.id]),
      }),
    );
    expect(await noHorizontalScroll(page)).toBe(true);
    expect(problems).toEqual([]);
  });

  it('offers to share the agenda to the stage', async () => {
    const { page } = await open(
      'committee',
      `/committee?frame=sidePanel&date=${today}`,
      SIDE_PANEL,
    );
    const share = page.getByRole('link', { name: /Share to stage/ });
    await expect(share.getAttribute('href')).resolves.toBe(
      `${h.rectify.url}/committee?frame=meetingStage&date=${today}`,
    );
  });
});

describe('the committee meeting on the stage', () => {
  it('shows the agenda read-only in large type with strong contrast', async () => {
    const { page, problems } = await open(
      'committee',
      `/committee?frame=meetingStage&date=${today}`,
      {
        width: 1280,
        height: 720,
      },
    );
    await page
      .getByRole('heading', { name: `Steering Committee, ${today}: Operational review` })
      .waitFor();
    for (const s of SECTIONS)
      await page.getByRole('heading', { name: new RegExp(`^${s} \\(\\d+\\)$`) }).waitFor();
    await expect(page.locator('input, textarea, select, button').count()).resolves.toBe(0);
    const style = await page.evaluate<{ size: number; color: string; background: string }>(
      `(() => { const s = getComputedStyle(document.querySelector('main li') ?? document.body);
        const b = getComputedStyle(document.querySelector('main h2').parentElement);
        return { size: parseFloat(s.fontSize), color: s.color, background: b.backgroundColor }; })()`,
    );
    expect(style.size).toBeGreaterThanOrEqual(28);
    expect(style).toEqual(
      expect.objectContaining({ color: 'rgb(255, 255, 255)', background: 'rgb(0, 0, 0)' }),
    );
    await page.waitForLoadState('networkidle');
    await screenshotTo(SCREENS, page, 'stage-agenda');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe('the KPIs', () => {
  it('lists in its table view the numbers the API gives, charts loaded only when shown', async () => {
    const from = `${today.slice(0, 4)}-01-01`;
    const kpis = (await (await h.as('committee')).get(`/api/kpis?from=${from}&to=${today}`))
      .body as {
      byClassification: Record<string, number>;
      status: Record<string, number>;
      byMonth: { month: string; count: number }[];
    };
    const { page, problems } = await open('committee', '/committee/kpis');
    await page.getByRole('heading', { name: 'Committee: KPIs' }).waitFor();
    await page.getByRole('textbox', { name: 'From' }).fill(from);
    await page.getByRole('textbox', { name: 'To' }).fill(today);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByTestId('kpi-charts').waitFor();
    await page.waitForLoadState('networkidle');
    await screenshotTo(SCREENS, page, 'kpis-charts');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('switch', { name: 'Show tables instead of charts' }).check();
    await expect(page.getByTestId('kpi-charts').count()).resolves.toBe(0);
    const rows = async (name: string): Promise<[string, number][]> => {
      const cells = await page
        .getByRole('table', { name })
        .locator('tbody tr td')
        .allTextContents();
      const out: [string, number][] = [];
      for (let i = 0; i + 1 < cells.length; i += 2)
        out.push([cells[i] ?? '', Number(cells[i + 1])]);
      return out;
    };
    expect(await rows('By classification')).toEqual(
      Object.entries(kpis.byClassification).map(([k, n]) => [
        CLASSIFICATION_LABELS[k as keyof typeof CLASSIFICATION_LABELS],
        n,
      ]),
    );
    expect(await rows('Open, overdue and closed')).toEqual([
      ['Open', kpis.status.open],
      ['Overdue', kpis.status.overdue],
      ['Closed', kpis.status.closed],
    ]);
    expect(await rows('CARs recorded by month')).toEqual(
      kpis.byMonth.map((m) => [m.month, m.count]),
    );
    expect(kpis.byClassification.major_nc).toBeGreaterThanOrEqual(1);
    await screenshotTo(SCREENS, page, 'kpis-tables');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe('the tasks of a CAR', () => {
  it('shows the task the task sync created, and its completion from the board', async () => {
    const car = await anImplementingCar(h, { title: 'Shared laptop without screen lock' });
    await h.tasksOnBoard(car.id);
    const mr = await open('mr', `/cars/${car.id}`);
    const tasks = mr.page.getByRole('table', { name: 'Tasks of the actions' });
    await tasks.getByRole('cell', { name: 'Not started' }).waitFor();
    await tasks.getByRole('link', { name: /open on the local board/ }).waitFor();

    const owner = await open('owner', '/actions');
    const title = (car.number ?? '') + ' · ';
    const item = owner.page
      .getByRole('list', { name: 'Open tasks' })
      .getByRole('listitem')
      .filter({ hasText: title });
    await item.getByRole('button', { name: /^Complete task/ }).click();
    await owner.page.getByText('The task is completed. Its CAR is updated shortly.').waitFor();

    await h.actionsDone(car.id);
    await mr.page.reload();
    await mr.page
      .getByRole('table', { name: 'Tasks of the actions' })
      .getByRole('cell', { name: /^Completed/ })
      .waitFor();
    const stored = (await (await h.as('mr')).get(`/api/cars/${car.id}`)).body as CarBody;
    expect(stored.actions.map((a) => a.status)).toEqual(['done']);
    expect(mr.problems).toEqual([]);
    expect(owner.problems).toEqual([]);
  });
});

describe('the notification bell', () => {
  it('counts the unread reminders, lists them and marks one read', async () => {
    await h.remind('owner', `reminder-${minor.id}`, 'Add badge return', {
      id: minor.id,
      number: minor.number,
    });
    const { page, problems } = await open('owner', '/actions');
    const bell = page.getByRole('button', { name: 'Notifications, 1 unread' });
    await bell.click();
    const panel = page.getByRole('region', { name: 'Notifications' });
    await panel.getByText(/Add badge return/).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await panel.getByRole('button', { name: /^Mark as read/ }).click();
    await page.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor();
    const inbox = (await (await h.as('owner')).get('/api/me/notifications')).body as {
      unread: number;
      items: { readAt: string | null }[];
    };
    expect(inbox.unread).toBe(0);
    expect(inbox.items).toEqual([expect.objectContaining({ readAt: expect.any(String) })]);
    expect(problems).toEqual([]);
  });
});

describe('the configuration page', () => {
  it('offers the committee page as the tab, meeting surfaces included', async () => {
    const { page } = await open('committee', '/config');
    await page.getByRole('heading', { name: 'Set up the Rectify tab' }).waitFor();
    await expect(page.getByTestId('config-url').textContent()).resolves.toBe(
      `${h.rectify.url}/committee?host=teams`,
    );
  });
});
