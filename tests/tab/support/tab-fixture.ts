import { afterAll, beforeAll } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { startHarness, type Harness } from '../../support/rectify-harness.js';
import { ensureTabBuilt } from './build-tab.js';
import { launchBrowser, openTabAs, type TabSession } from './tab-browser.js';

type OpenArgs = Parameters<typeof openTabAs> extends [unknown, unknown, ...infer R] ? R : never;

export interface TabFixture {
  /** The running server with a fresh SQLite file. */
  readonly h: Harness;
  /** A signed-in tab in its own browser profile, closed after the file's tests. */
  open(...args: OpenArgs): Promise<TabSession>;
}

/** Builds the tab if needed, starts a server and Chromium for one test file, and cleans up. */
export function useTabFixture(): TabFixture {
  let harness: Harness | undefined;
  let browser: Browser | undefined;
  const sessions: TabSession[] = [];

  beforeAll(async () => {
    await ensureTabBuilt();
    harness = await startHarness();
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    for (const s of sessions) await s.context.close();
    await browser?.close();
    await harness?.close();
  });

  const started = (): { harness: Harness; browser: Browser } => {
    if (!harness || !browser) throw new Error('the tab fixture is used outside a test');
    return { harness, browser };
  };

  return {
    get h() {
      return started().harness;
    },
    async open(...args) {
      const { harness: running, browser: chromium } = started();
      const s = await openTabAs(chromium, running.rectify.url, ...args);
      s.page.setDefaultTimeout(10_000);
      sessions.push(s);
      return s;
    },
  };
}
