import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Bench, BenchReport } from './bench-report.js';
import { commandWithoutOptions } from '../src/cli/cli-args.js';

/**
 * `npm run bench [-- name ...]`: runs every bench/*.bench.ts, or those named exactly
 * (`npm run bench -- store` runs store.bench.ts and not state-store.bench.ts), and prints each
 * figure next to its same-run baseline and the ratio, with the machine's load average.
 */
const names = commandWithoutOptions(
  'usage: npm run bench [-- <name> ...]\n  runs bench/*.bench.ts, or those named exactly\n',
  Number.MAX_SAFE_INTEGER,
).filter((a) => a !== '--');
const dir = path.dirname(new URL(import.meta.url).pathname);
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
const unknown = names.filter((n) => !all.includes(`${n}.bench.ts`));
if (unknown.length > 0) {
  process.stderr.write(
    `no bench named ${unknown.join(', ')}; there are: ${all.map((f) => f.replace(/\.bench\.ts$/, '')).join(', ')}\n`,
  );
  process.exit(2);
}
const files =
  names.length === 0 ? all : all.filter((f) => names.includes(f.replace(/\.bench\.ts$/, '')));

const load = (): string =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

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
  const before = load();
  const report = await mod.default();
  print(report);
  process.stdout.write(`- load average (1, 5, 15 min): ${before} before, ${load()} after\n`);
}
