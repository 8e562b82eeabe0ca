import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ProcedureCatalogue } from '../../../src/application/ports/procedure-library.js';
import { LocalFolderProcedureLibrary } from '../../../src/infrastructure/procedures/local-folder-library.js';
import {
  generateProcedureLibrary,
  type GeneratedLibrary,
} from '../../support/generated-procedure-library.js';
import { comparable, listThroughApi, proceduresApp } from '../../support/procedure-listing.js';

let work: string;
let g: GeneratedLibrary;
let catalogue: ProcedureCatalogue;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'rectify-library-'));
  g = generateProcedureLibrary(path.join(work, 'library'));
  catalogue = await new LocalFolderProcedureLibrary(g.dir).list();
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** `npm run procedures -- ...` as a user runs it, with its exit code and output. */
const cli = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.resolve('src/cli/procedures.ts'), ...args],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });

describe('a generated library of 300 documents laid out as organisations keep them', () => {
  it('generates what it claims: 300 documents on three levels, with the faults of a real library', () => {
    expect(g.documents.length + g.unreadable.length).toBe(300);
    expect(g.unreadable.length).toBeGreaterThan(0);
    expect(new Set(g.documents.map((d) => d.category.split('/').length))).toEqual(new Set([2]));
    expect(g.documents.some((d) => d.location.endsWith('.md'))).toBe(true);
    expect(g.documents.some((d) => d.inForce === null)).toBe(true);
    expect(g.documents.some((d) => /[^\u0020-\u007e]/.test(d.location))).toBe(true);
  });

  it('finds every document with its versions, category and doc id', () => {
    const { procedures } = catalogue;
    expect(procedures.map((p) => p.id).sort()).toEqual(g.documents.map((d) => d.id).sort());
    for (const d of g.documents) {
      const p = procedures.find((x) => x.id === d.id);
      expect({
        id: d.id,
        docId: p?.docId,
        category: p?.details.category,
        location: p?.details.location,
        versions: p?.revisions.map((r) => r.versionName),
        inForce: p?.revisionInForce?.versionName ?? null,
      }).toEqual({
        id: d.id,
        docId: d.docId,
        category: d.category,
        location: d.location,
        versions: d.versions,
        inForce: d.inForce,
      });
    }
    // The doc id comes from the body's "Doc ID:" line when the front matter has none.
    expect(procedures.filter((p) => p.docId === null)).toHaveLength(
      g.documents.filter((d) => d.docId === null).length,
    );
    const seedLike = procedures.find((p) => p.details.keywords.length > 0);
    expect(seedLike?.details).toMatchObject({ author: 'danny', manager: 'lunghao' });
    expect(seedLike?.details.additionalPaths[0]).toMatch(/^\//);
  });

  it('reports every bad file with its path and reason, and nothing good as bad', () => {
    const { problems } = catalogue;
    for (const [where, reason] of g.errors)
      expect({
        where,
        reasons: problems
          .filter((p) => p.path === where && p.severity === 'error')
          .map((p) => p.reason),
      }).toEqual({ where, reasons: [expect.stringMatching(reason)] });
    expect(
      problems
        .filter((p) => p.severity === 'error')
        .map((p) => p.path)
        .sort(),
    ).toEqual([...g.errors.keys()].sort());
    for (const [where, reason] of g.warnings)
      expect({
        where,
        found: problems.some((p) => p.path === where && reason.test(p.reason)),
      }).toEqual({ where, found: true });
    // README files and hidden files are passed over without a word.
    expect(problems.filter((p) => /README\.md$|\.DS_Store$/.test(p.path))).toEqual([]);
  });

  it('lists the same through GET /api/procedures, filterable by category', async () => {
    const app = proceduresApp(new LocalFolderProcedureLibrary(g.dir));
    const all = await listThroughApi(app);
    expect(all.status).toBe(200);
    expect(all.body.items.map((p) => p.id)).toEqual(catalogue.procedures.map((p) => p.id));
    expect(all.body.problems).toEqual(catalogue.problems);
    const isms = await listThroughApi(app, '?category=ISMS');
    expect(isms.body.items.map((p) => p.id).sort()).toEqual(
      g.documents
        .filter((d) => d.category.startsWith('ISMS/'))
        .map((d) => d.id)
        .sort(),
    );
    const russian = await listThroughApi(
      app,
      `?category=${encodeURIComponent('Data-Protection/Процедуры')}`,
    );
    expect(russian.body.items.length).toBe(
      g.documents.filter((d) => d.category === 'Data-Protection/Процедуры').length,
    );
    expect(russian.body.items.length).toBeGreaterThan(0);
    const none = await listThroughApi(app, '?category=Nowhere');
    expect(none.body.items).toEqual([]);
    // A member sees the documents, not the problems.
    const member = await listThroughApi(app, '', 'token-member');
    expect(member.body.items).toHaveLength(all.body.items.length);
    expect(member.body.problems).toBeUndefined();
    expect(comparable(all.body).items).toHaveLength(g.documents.length);
  });

  it('is checked by `npm run procedures -- check`: exit 1 when files were left out, with the same listing', async () => {
    const started = process.hrtime.bigint();
    const run = await cli('check', g.dir, '--json');
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(
      `checked ${g.documents.length} documents with the CLI in ${ms.toFixed(0)} ms\n`,
    );
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as {
      documents: { id: string; location: string; revisions: { versionName: string }[] }[];
      problems: { path: string; severity: string; reason: string }[];
      summary: { documents: number; leftOut: number };
    };
    expect(report.documents.map((d) => d.id)).toEqual(catalogue.procedures.map((p) => p.id));
    expect(report.problems).toEqual(
      catalogue.problems.map((p) => ({ path: p.path, severity: p.severity, reason: p.reason })),
    );
    expect(report.summary.leftOut).toBe(g.errors.size);
    const human = await cli('check', g.dir);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`${g.documents.length} documents`);
    expect(human.stdout).toContain(`error\t${[...g.errors.keys()][0] ?? ''}\t`);
  }, 60_000);

  it('exits 0 on a library it reads entirely, and 2 on bad arguments or a missing folder', async () => {
    expect((await cli('check', 'procedures')).code).toBe(0);
    expect((await cli('check')).code).toBe(2);
    expect((await cli('verify', 'procedures')).code).toBe(2);
    expect((await cli('check', 'procedures', '--colour')).code).toBe(2);
    const missing = await cli('check', path.join(work, 'nowhere'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot be read/);
  }, 60_000);
});
