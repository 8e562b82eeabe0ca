/**
 * `npm run procedures -- check <folder> [--json]`: reads a procedure library folder as Rectify
 * would (category folders, a folder per document with V1.md, V2.md ..., single-file documents)
 * and lists its documents, their revisions and every problem with its path and reason.
 * Exit 0 = every document file was read, 1 = some files were left out (a problem of severity
 * error), 2 = bad arguments or the folder cannot be read.
 */
import { parseArgs } from 'node:util';
import type { ProcedureCatalogue } from '../application/ports/procedure-library.js';
import { RectifyError } from '../domain/errors.js';
import { LocalFolderProcedureLibrary } from '../infrastructure/procedures/local-folder-library.js';

const USAGE = 'usage: npm run procedures -- check <folder> [--json]\n';

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The check as data: what `--json` prints. */
export function checkReport(folder: string, catalogue: ProcedureCatalogue) {
  const { procedures, problems } = catalogue;
  const leftOut = problems.filter((p) => p.severity === 'error').length;
  return {
    folder,
    documents: procedures.map((p) => ({
      id: p.id,
      docId: p.docId,
      title: p.title,
      category: p.details.category,
      location: p.details.location,
      revisionInForce: p.revisionInForce?.versionName ?? null,
      revisions: p.revisions.map((r) => ({
        versionName: r.versionName,
        versionDate: r.versionDate,
        published: r.published,
        path: r.source.kind === 'folder' ? r.source.path : r.source.webUrl,
      })),
    })),
    problems: problems.map((p) => ({ path: p.path, severity: p.severity, reason: p.reason })),
    summary: {
      documents: procedures.length,
      revisions: procedures.reduce((n, p) => n + p.revisions.length, 0),
      drafts: procedures.filter((p) => p.revisionInForce === null).length,
      leftOut,
      warnings: problems.length - leftOut,
    },
  };
}

type Report = ReturnType<typeof checkReport>;

function text(report: Report): string {
  const lines: string[] = [];
  for (const d of report.documents) {
    const versions = d.revisions
      .map((r) => `${r.versionName}${r.published ? '' : ' (draft)'}`)
      .join(', ');
    lines.push(
      `${d.location}\t${d.docId ?? '-'}\t${d.title}\t[${d.category ?? '(root)'}]\tin force: ${d.revisionInForce ?? 'none'}\trevisions: ${versions}`,
    );
  }
  if (report.problems.length > 0) lines.push('', 'problems:');
  for (const p of report.problems) lines.push(`${p.severity}\t${p.path}\t${p.reason}`);
  const s = report.summary;
  lines.push(
    '',
    `${s.documents} documents, ${s.revisions} revisions (${s.drafts} without a revision in force); ${s.leftOut} files left out, ${s.warnings} warnings`,
  );
  return `${lines.join('\n')}\n`;
}

export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { json: { type: 'boolean', default: false }, help: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    process.stderr.write(`${messageOf(e)}\n${USAGE}`);
    return 2;
  }
  const [command, folder, ...rest] = parsed.positionals;
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command !== 'check' || folder === undefined || rest.length > 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  const library = new LocalFolderProcedureLibrary(folder);
  let catalogue: ProcedureCatalogue;
  try {
    catalogue = await library.list();
  } catch (e) {
    process.stderr.write(
      `cannot check the library: ${e instanceof RectifyError ? e.message : messageOf(e)}\n`,
    );
    return 2;
  }
  const report = checkReport(library.root, catalogue);
  process.stdout.write(parsed.values.json ? `${JSON.stringify(report, null, 2)}\n` : text(report));
  return report.summary.leftOut > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
