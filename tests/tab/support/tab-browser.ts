import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../support/chromium.js';
import { people, type Who } from '../../support/rectify-harness.js';

/** The page's localStorage, as scripts run in the browser see it. */
interface KeyValueStore {
  setItem(key: string, value: string): void;
}

export const ARTIFACTS = path.resolve('tests', '.artifacts', 'tab');

/** Debian's Chromium, installed by .ci/run; tests never download a browser. */
export function launchBrowser(): Promise<Browser> {
  return launchChromium();
}

export type ThemeName = 'light' | 'dark' | 'contrast';

export interface TabSession {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Script errors and CSP violations seen in the page. */
  readonly problems: string[];
}

/**
 * A browser profile signed in as a sample person (local mode remembers the choice in
 * localStorage, which is what the person picker sets).
 */
export async function openTabAs(
  browser: Browser,
  baseUrl: string,
  who: Who | null,
  options: {
    theme?: ThemeName;
    path?: string;
    viewport?: { width: number; height: number };
  } = {},
): Promise<TabSession> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  const personId = who ? people[who].id : null;
  const theme = options.theme ?? 'light';
  await context.addInitScript(
    ([id, t]) => {
      if (id)
        (globalThis as unknown as { localStorage: KeyValueStore }).localStorage.setItem(
          'rectify.localPerson',
          id,
        );
      (globalThis as unknown as { localStorage: KeyValueStore }).localStorage.setItem(
        'rectify.theme',
        t,
      );
    },
    [personId, theme] as const,
  );
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of (401|404|409|400|422)/.test(m.text()))
      problems.push(`console: ${m.text()}`);
  });
  await page.goto(`${baseUrl}${options.path ?? '/'}`);
  return { context, page, problems };
}

const AXE = readFileSync(path.resolve('node_modules/axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; html: string; failureSummary?: string }[];
}

/** Runs axe-core in the page; returns the serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline script) still holds.
  await page.evaluate(AXE);
  const violations = await page.evaluate<AxeViolation[]>(
    'window.axe.run(document).then((result) => result.violations)',
  );
  return violations
    .map((v) =>
      // Fluent's focus manager (tabster) adds focusable aria-hidden sentinels that pass focus on
      // at once; axe reports them although they are intended (microsoft/tabster#288). Only those
      // nodes are left out, and only for that rule.
      v.id === 'aria-hidden-focus'
        ? { ...v, nodes: v.nodes.filter((n) => !n.html.includes('data-tabster-dummy')) }
        : v,
    )
    .filter((v) => v.nodes.length > 0)
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes
        .slice(0, 3)
        .map((n) => ({ target: n.target, html: n.html.slice(0, 160), summary: n.failureSummary })),
    }));
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Screenshots meant to be looked at (meeting surfaces); the folder ignores its own contents. */
export const SCREENS = path.resolve('tests', 'tab', '__screens__');

export async function screenshotTo(dir: string, page: Page, name: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
