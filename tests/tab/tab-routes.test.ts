import { describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { anImplementingCar } from '../http/steps.js';
import type { Who } from '../support/rectify-harness.js';
import { useTabFixture } from './support/tab-fixture.js';

/**
 * Every tab of the app package opens the view it names, and `/` lands each person on the work
 * of their role: in Chromium against a real server.
 */
jest.setTimeout(180_000);

const tab = useTabFixture();

interface StaticTab {
  readonly entityId: string;
  readonly contentUrl?: string;
}

const manifest = JSON.parse(readFileSync(path.resolve('appPackage/manifest.json'), 'utf8')) as {
  staticTabs: StaticTab[];
};

/** The heading each tab of the manifest must show to a reporter, by entity id. */
const EXPECTED_VIEW: Readonly<Record<string, string>> = {
  rectify: 'Report an ISMS event',
  'my-reports': 'My reports',
};

describe('the tabs of the app package', () => {
  const withUrl = manifest.staticTabs.filter((t) => t.contentUrl !== undefined);

  it('name only views this test knows', () => {
    expect(withUrl.length).toBeGreaterThan(1);
    expect(withUrl.map((t) => t.entityId).sort()).toEqual(Object.keys(EXPECTED_VIEW).sort());
  });

  it.each(withUrl.map((t) => [t.entityId, t.contentUrl ?? ''] as const))(
    'open the %s view from its content URL',
    async (entityId, contentUrl) => {
      const url = new URL(contentUrl.replace('https://${{TAB_DOMAIN}}', tab.h.rectify.url));
      const { page, problems } = await tab.open('reporter', {
        path: `${url.pathname}${url.search}`,
      });
      await page
        .getByRole('heading', { name: EXPECTED_VIEW[entityId] ?? '?' })
        .first()
        .waitFor();
      expect(problems).toEqual([]);
    },
  );
});

describe('the landing page', () => {
  const landsOn = async (who: Who, pathname: string, heading: string | RegExp): Promise<void> => {
    const { page, problems } = await tab.open(who, { path: '/' });
    await page.getByRole('heading', { name: heading }).first().waitFor();
    expect(new URL(page.url()).pathname).toBe(pathname);
    expect(problems).toEqual([]);
  };

  it('is the queue for the Management Representative', async () => {
    await landsOn('mr', '/queue', 'MR workspace: queue');
  });

  it('is the meeting for the Steering Committee', async () => {
    await landsOn('committee', '/committee', 'Committee: meeting');
  });

  it('is My actions for an action owner with an open action', async () => {
    await anImplementingCar(tab.h);
    await landsOn('owner', '/actions', 'My actions');
  });

  it('is the report form for everyone else, and Report stays one click away', async () => {
    await landsOn('reporter', '/report', 'Report an ISMS event');
    const { page } = await tab.open('mr', { path: '/queue' });
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('link', { name: 'Report', exact: true })
      .click();
    await page.getByRole('heading', { name: 'Report an ISMS event' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/report');
  });
});
