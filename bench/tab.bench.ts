import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../tests/support/chromium.js';
import { build } from 'vite';
import { loadConfig } from '../src/config.js';
import { SAMPLE_PEOPLE } from '../src/infrastructure/auth/sample-people.js';
import { startRectify } from '../src/server.js';
import type { BenchReport } from './bench-report.js';

/** The page's localStorage, as scripts run in the browser see it. */
interface KeyValueStore {
  setItem(key: string, value: string): void;
}

/**
 * The tab's weight and speed next to an empty Vite + React + Fluent UI v9 page built in the
 * same run: gzipped JavaScript the report view loads, the whole app's JavaScript, and the
 * time from navigation to the first render of the report view in headless Chromium.
 */
const RUNS = 5;
const ROOT = process.cwd();
const MARK = 'rectify:report-view-rendered';

const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;

const allJs = (dir: string) =>
  readdirSync(path.join(dir, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .reduce((sum, f) => sum + gz(path.join(dir, 'assets', f)), 0);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** An empty page: FluentProvider with the default theme and one Text, marked when rendered. */
async function buildBaseline(outDir: string): Promise<void> {
  // Under node_modules/.cache so that its imports resolve to the project's own packages.
  // A fresh checkout has no node_modules/.cache yet.
  mkdirSync(path.join(ROOT, 'node_modules', '.cache'), { recursive: true });
  const src = mkdtempSync(path.join(ROOT, 'node_modules', '.cache', 'tab-bench-'));
  try {
    writeFileSync(
      path.join(src, 'index.html'),
      '<!doctype html><html lang="en"><head><meta charset="utf-8" /><title>Empty</title></head>' +
        '<body><div id="root"></div><script type="module" src="./main.tsx"></script></body></html>',
    );
    writeFileSync(
      path.join(src, 'main.tsx'),
      `import { FluentProvider, Text, webLightTheme } from '@fluentui/react-components';
import { useEffect } from 'react';
import { createRoot } from 'react-dom/client';
function Empty() {
  useEffect(() => { performance.mark('${MARK}'); }, []);
  return <Text>Empty</Text>;
}
createRoot(document.getElementById('root')!).render(
  <FluentProvider theme={webLightTheme}><Empty /></FluentProvider>,
);
`,
    );
    await build({
      root: src,
      configFile: false,
      logLevel: 'error',
      oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
      build: { outDir, emptyOutDir: true, modulePreload: { polyfill: false } },
    });
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
}

async function serveStatic(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const file = path.join(
      dir,
      req.url === '/' ? 'index.html' : ((req.url ?? '').split('?')[0] ?? ''),
    );
    try {
      const body = readFileSync(file);
      const type = file.endsWith('.js')
        ? 'text/javascript'
        : file.endsWith('.css')
          ? 'text/css'
          : 'text/html';
      res.writeHead(200, { 'content-type': type }).end(body);
    } catch (e) {
      res.writeHead((e as NodeJS.ErrnoException).code === 'ENOENT' ? 404 : 500).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Opens the page RUNS times in fresh profiles: the JS it loaded and when it first rendered. */
async function measure(
  browser: Browser,
  url: string,
  dir: string,
): Promise<{ jsGzip: number; renderMs: number }> {
  const times: number[] = [];
  let jsGzip = 0;
  const reporter = SAMPLE_PEOPLE[0]?.id ?? '';
  for (let i = 0; i < RUNS; i += 1) {
    const context = await browser.newContext();
    await context.addInitScript((id) => {
      (globalThis as unknown as { localStorage: KeyValueStore }).localStorage.setItem(
        'rectify.localPerson',
        id,
      );
      (globalThis as unknown as { localStorage: KeyValueStore }).localStorage.setItem(
        'rectify.theme',
        'light',
      );
    }, reporter);
    const page = await context.newPage();
    const scripts = new Set<string>();
    page.on('response', (r) => {
      if (r.request().resourceType() === 'script') scripts.add(new URL(r.url()).pathname);
    });
    await page.goto(url);
    await page.waitForFunction((m) => performance.getEntriesByName(m).length > 0, MARK);
    times.push(
      await page.evaluate((m) => performance.getEntriesByName(m)[0]?.startTime ?? NaN, MARK),
    );
    jsGzip = [...scripts].reduce((sum, p) => sum + gz(path.join(dir, p)), 0);
    await context.close();
  }
  return { jsGzip, renderMs: median(times) };
}

export default async function tabBench(): Promise<BenchReport> {
  const work = mkdtempSync(path.join(tmpdir(), 'rectify-tab-bench-'));
  const tabDir = path.join(work, 'tab');
  const baselineDir = path.join(work, 'baseline');
  mkdirSync(tabDir);
  const browser = await launchChromium();
  await build({
    configFile: path.join(ROOT, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir: tabDir },
  });
  await buildBaseline(baselineDir);
  const rectify = await startRectify(
    loadConfig({ DATA_DIR: path.join(work, 'data'), PORT: '0', HOST: '127.0.0.1' }),
    { logger: pino({ level: 'silent' }), tabDir },
  );
  const baseline = await serveStatic(baselineDir);
  try {
    const product = await measure(browser, `${rectify.url}/`, tabDir);
    const empty = await measure(browser, `${baseline.url}/`, baselineDir);
    const teamsJs = readdirSync(path.join(tabDir, 'assets'))
      .filter((f) => f.startsWith('teams-host-') && f.endsWith('.js'))
      .reduce((s, f) => s + gz(path.join(tabDir, 'assets', f)), 0);
    return {
      name: 'Teams tab',
      baselineName: 'empty Vite + React + Fluent UI v9 page, same run',
      rows: [
        {
          metric: 'report view JS (gzip)',
          value: product.jsGzip / 1024,
          unit: 'KiB',
          baseline: empty.jsGzip / 1024,
          target: 1.3,
        },
        {
          metric: 'whole app JS (gzip)',
          value: allJs(tabDir) / 1024,
          unit: 'KiB',
          baseline: allJs(baselineDir) / 1024,
        },
        { metric: 'teams-js, loaded only inside Teams (gzip)', value: teamsJs / 1024, unit: 'KiB' },
        {
          metric: `first render of the report view (median of ${RUNS})`,
          value: product.renderMs,
          unit: 'ms',
          baseline: empty.renderMs,
        },
      ],
    };
  } finally {
    await browser.close();
    await rectify.close();
    baseline.server.close();
    rmSync(work, { recursive: true, force: true });
  }
}
