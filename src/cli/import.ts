/**
 * `npm run import -- <file.xlsx|file.csv> [--map mapping.yaml] [--dry-run] [--all-or-nothing]
 * [--sheet <name>] [--by <name>] [--json]`: imports a former register of nonconformities into
 * the configured store (DATA_DIR / STORE as for the server). Without --map the columns are
 * mapped from their headers; the suggested mapping and the headers left unmapped are printed.
 * Exit 0 = every row imported or already there, 1 = some rows could not be imported (listed
 * with their row number and reason), 2 = bad arguments, an unreadable file or mapping.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { answeredHelp } from './cli-args.js';
import {
  RegisterImport,
  type ImportReport,
} from '../application/register-import/register-import.js';
import {
  mappingFor,
  parseMappingFile,
  type RegisterMapping,
} from '../application/register-import/register-mapping.js';
import { loadConfig } from '../config.js';
import { LOCAL_TENANT_ID } from '../infrastructure/auth/sample-people.js';
import { readRegisterFile } from '../infrastructure/import/register-file.js';
import { openStores } from '../stores.js';

const USAGE =
  'usage: npm run import -- <file.xlsx|file.csv> [--map mapping.yaml] [--dry-run] [--all-or-nothing] [--sheet <name>] [--by <name>] [--json]\n';

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const fail = (message: string): number => {
  process.stderr.write(`${message}\n`);
  return 2;
};

function text(report: ImportReport): string {
  const lines = [
    `${report.file}${report.sheet ? ` (${report.sheet})` : ''}: ${report.dryRun ? 'dry run, nothing written' : 'imported'}`,
    'mapping:',
    ...Object.entries(report.mapping.columns).map(([h, f]) => `  "${h}": ${f}`),
  ];
  if (report.unmappedHeaders.length > 0)
    lines.push(
      `not mapped (add them under columns: in a mapping file): ${report.unmappedHeaders.map((h) => `"${h}"`).join(', ')}`,
    );
  for (const r of report.rows)
    if (r.outcome === 'failed') lines.push(`row ${r.row}: ${r.reason ?? ''}`);
  const c = report.counts;
  lines.push(
    `${c.imported} imported, ${c.unchanged} already imported (unchanged), ${c.failed} failed${report.dryRun || c.valid > 0 ? `, ${c.valid} valid and not written` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

export async function main(argv: readonly string[]): Promise<number> {
  if (answeredHelp(argv, USAGE)) return 0;
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: {
        map: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'all-or-nothing': { type: 'boolean', default: false },
        sheet: { type: 'string' },
        by: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    return fail(`${messageOf(e)}\n${USAGE}`);
  }
  const [file, ...rest] = positionals;
  if (file === undefined || rest.length > 0) return fail(USAGE.trimEnd());
  let given: Partial<RegisterMapping> = {};
  if (values.map !== undefined) {
    let mappingText: string;
    try {
      mappingText = readFileSync(values.map, 'utf8');
    } catch (e) {
      return fail(`cannot read the mapping: ${messageOf(e)}`);
    }
    const parsed = parseMappingFile(mappingText);
    if (!parsed.ok) return fail(`${values.map}: ${parsed.reason}`);
    given = parsed.mapping;
  }
  let table;
  try {
    table = await readRegisterFile(file, values.sheet);
  } catch (e) {
    return fail(`cannot read the register: ${messageOf(e)}`);
  }
  const mapping = mappingFor(table.headers, given);
  const by = values.by ?? userInfo().username;
  let stores;
  try {
    stores = await openStores(loadConfig());
  } catch (e) {
    return fail(`cannot open the store: ${messageOf(e)}`);
  }
  try {
    const report = await new RegisterImport({
      repository: stores.repository,
      newId: randomUUID,
      clock: { now: () => new Date() },
    }).run(
      table,
      mapping,
      { id: `cli:${by}`, name: by, tenantId: LOCAL_TENANT_ID },
      { dryRun: values['dry-run'], allOrNothing: values['all-or-nothing'] },
    );
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : text(report));
    return report.counts.failed > 0 ? 1 : 0;
  } finally {
    stores.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
