import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Bench, BenchReport } from './bench-report.js';
import { commandWithoutOptions } from '../src/cli/cli-args.js';

/**
 * `npm run bench [-- name]`: runs every bench/*.bench.ts (or those whose name contains the
 * argument) and prints each figure next to its same-run baseline and the ratio.
 */
const [filter = ''] = commandWithoutOptions(
  'usage: npm run bench [-- <name>]\n  runs bench/*.bench.ts, or those whose name contains <name>\n',
  1,
);
const dir = path.dirname(new URL(import.meta.url).pathname);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && f.includes(filter))
  .sort();

const fmt = (n: number): string =>
  Number.isInteger(n)
    ? String(n)
    : n >= 100
      ? n.toFixed(0)
      : n >= 1
        ? n.toFixed(2)
        : n.toPrecision(3);

function print(report: BenchReport): void {
  const out: string[] = [
    `\n## ${report.name}${report.baselineName ? ` (baseline: ${report.baselineName})` : ''}`,
  ];
  for (const r of report.rows) {
    const ratio = r.baseline ? r.value / r.baseline : undefined;
    const verdict =
      ratio !== undefined && r.target !== undefined
        ? ratio <= r.target
          ? ' ok'
          : ' OVER TARGET'
        : '';
    out.push(
      `- ${r.metric}: ${fmt(r.value)} ${r.unit}` +
        (r.baseline !== undefined ? ` | baseline ${fmt(r.baseline)} ${r.unit}` : '') +
        (ratio !== undefined ? ` | ratio ${ratio.toFixed(2)}` : '') +
        (r.target !== undefined ? ` (target <= ${r.target})${verdict}` : ''),
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { default: Bench };
  print(await mod.default());
}
