import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { RectifyError } from '../../../src/domain/errors.js';
import { compareVersionTexts } from '../../../src/domain/procedure/semantic-version.js';
import { SAMPLE_PEOPLE } from '../../../src/infrastructure/auth/sample-people.js';
import { LocalFolderProcedureLibrary } from '../../../src/infrastructure/procedures/local-folder-library.js';

const folders: string[] = [];
const aFolder = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rectify-procedures-'));
  folders.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

const codeOf = async (work: () => Promise<unknown>): Promise<string | undefined> => {
  try {
    await work();
  } catch (e) {
    return e instanceof RectifyError ? e.code : `not a RectifyError: ${String(e)}`;
  }
  return undefined;
};

describe("Rectify's sample library", () => {
  const library = new LocalFolderProcedureLibrary('procedures');

  it('lists its five procedures with no problem, each in force at its highest revision', async () => {
    const { procedures, problems } = await library.list();
    expect(problems).toEqual([]);
    expect(
      procedures.map((p) => [
        p.docId,
        p.revisions.map((r) => r.versionName),
        p.revisionInForce?.versionName,
      ]),
    ).toEqual([
      ['HLP-01', ['1.0.0', '1.1.0'], '1.1.0'],
      ['HLP-02', ['1.0.0'], '1.0.0'],
      ['HLP-03', ['1.0.0', '1.1.0'], '1.1.0'],
      ['HLP-04', ['1.0.0'], '1.0.0'],
      ['HLP-05', ['1.0.0'], '1.0.0'],
    ]);
    for (const p of procedures) {
      expect(p.id).toMatch(/^[0-9a-f-]{36}$/);
      for (const r of p.revisions) {
        expect(r.inferred).toEqual([]);
        expect(r.versionDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
    }
  });

  it('trains sample people, from the front matter and from library.yaml', async () => {
    const known = new Set(SAMPLE_PEOPLE.map((p) => p.id));
    const { procedures } = await library.list();
    for (const p of procedures) {
      expect(p.training.people.length).toBeGreaterThan(0);
      for (const person of p.training.people) expect(known.has(person.id)).toBe(true);
    }
    expect((await library.get('HLP-02'))?.training.people.map((p) => p.name)).toEqual([
      'Sam Taylor',
      'Priya Shah',
    ]);
    expect((await library.get('hlp-03'))?.training.groups.map((g) => g.name)).toEqual([
      'Service Desk team',
    ]);
  });

  it('gives the text of a revision, and says clearly what does not exist', async () => {
    const text = await library.content('HLP-01', '1.1');
    expect(text).toContain('## Access reviews');
    expect(text).toContain('version_name: 1.1.0');
    expect(await library.revisionsOf('c0860add-2672-41bf-bde0-62765867cfac')).toHaveLength(2);
    expect(await codeOf(() => library.content('HLP-01', '9.0.0'))).toBe(
      'PROCEDURE.REVISION_NOT_FOUND',
    );
    expect(await codeOf(() => library.content('HLP-99', '1.0.0'))).toBe('PROCEDURE.NOT_FOUND');
    expect(await codeOf(() => library.content('HLP-01', '../../package.json'))).toBe(
      'PROCEDURE.REVISION_NOT_FOUND',
    );
    expect(await library.get('HLP-99')).toBeNull();
  });

  it('reads a document with every front-matter field of the procedure library format', async () => {
    // The organisation's library carries more front matter than Rectify needs (paths,
    // keywords, sidebar, author, manager); a document like that must read cleanly.
    const dir = aFolder();
    mkdirSync(path.join(dir, 'QP07'));
    writeFileSync(
      path.join(dir, 'QP07', 'V1.md'),
      [
        '---',
        'uuid: 0b3c9f64-52a1-4c0e-9d7e-3f1a2b4c5d6e',
        'draft: false',
        'title: "QP07 - Clear Desk and Clear Screen"',
        'path: /ISMS/QP07-Clear-Desk-and-Clear-Screen',
        'additional_path:',
        '    - "/ISMS/QP07"',
        '    - "/ISMS/Clear-Desk-and-Clear-Screen"',
        'description: "How desks and screens are left when people step away."',
        'keywords: ',
        '  - isms',
        '  - "27001"',
        '  - QP07',
        'sidebar: isms',
        'date: 2024-05-02',
        'version_date: 2024-05-02',
        'version_name: 1.0.0',
        'version_changelog: Initial Draft',
        'author: sam',
        'manager: jordan',
        '---',
        '',
        '# QP07 - Clear Desk and Clear Screen',
        '',
        '## Document Details',
        '* Doc ID: QP07',
        '* Revision: 1.0',
        '',
      ].join('\n'),
    );
    const { procedures, problems } = await new LocalFolderProcedureLibrary(dir).list();
    expect(problems).toEqual([]);
    expect(procedures[0]).toMatchObject({
      id: '0b3c9f64-52a1-4c0e-9d7e-3f1a2b4c5d6e',
      docId: 'QP07',
      title: 'QP07 - Clear Desk and Clear Screen',
      revisionInForce: {
        versionName: '1.0.0',
        versionDate: '2024-05-02',
        changelog: 'Initial Draft',
      },
    });
  });

  it('fails clearly when the folder is not there', async () => {
    const missing = new LocalFolderProcedureLibrary(path.join(aFolder(), 'nowhere'));
    expect(await codeOf(() => missing.list())).toBe('PROCEDURE.LIBRARY_UNAVAILABLE');
  });
});

/**
 * A library as organisations really have them: 64 procedures of 2 to 4 revisions, written by
 * different hands, some fields missing, some YAML broken, a version given twice.
 */
interface Generated {
  readonly dir: string;
  /** Procedure id -> the versions that must be listed. */
  readonly expected: Map<string, string[]>;
  /** Paths that must be reported as errors, and a word the reason must contain. */
  readonly errors: Map<string, RegExp>;
  /** Paths that must be reported as warnings. */
  readonly warnings: Map<string, RegExp>;
}

function aRealWorldLibrary(): Generated {
  const dir = aFolder();
  const expected = new Map<string, string[]>();
  const errors = new Map<string, RegExp>();
  const warnings = new Map<string, RegExp>();
  const old = new Date('2024-05-06T10:00:00Z');
  for (let i = 1; i <= 64; i += 1) {
    const docId = `ACME-ISP-${String(i).padStart(3, '0')}`;
    const folder = `${docId} Procedure ${i}`;
    mkdirSync(path.join(dir, folder));
    const uuid = i % 10 === 8 ? null : randomUUID();
    const id = uuid ?? docId;
    const count = 2 + (i % 3);
    const versions: string[] = [];
    for (let n = 1; n <= count; n += 1) {
      const file = `V${n}.md`;
      const rel = `${folder}/${file}`;
      const version = `1.${n - 1}`;
      const fields: Record<string, string | null> = {
        uuid,
        title: `"${docId} - Procedure number ${i}"`,
        version_name: version,
        version_date: `2024-0${n}-1${i % 10}`,
        version_changelog: n === 1 ? 'Initial issue' : `Revised after review ${n}`,
      };
      let brokenYaml = false;
      if (i % 10 === 3 && n === 2) {
        fields.version_name = null;
        warnings.set(rel, /versionName from the file name V2\.md/);
        if (count > 2)
          warnings.set(rel, /versions out of file order: 2\.0\.0 comes before 1\.2\.0/);
      }
      if (i % 10 === 4 && n === 1) {
        fields.version_date = null;
        warnings.set(rel, /versionDate from the file modification time \(not audit evidence\)/);
      }
      if (i % 10 === 5 && n === 2) {
        fields.title = null;
        warnings.set(rel, /title from first heading/);
      }
      if (i % 13 === 0 && n === 1) {
        fields.version_changelog = null;
        warnings.set(rel, /changelog/);
      }
      if (i % 10 === 6 && n === 2) {
        brokenYaml = true;
        errors.set(rel, /broken YAML front matter at line \d+/);
      }
      const duplicate = i % 10 === 7 && n === 3;
      if (duplicate) {
        fields.version_name = '1.1.0';
        errors.set(rel, /version 1\.1\.0 is already given by .*V2\.md/);
      }
      const front = Object.entries(fields)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => `${k}: ${v ?? ''}`)
        .join('\n');
      const yaml = brokenYaml ? `${front}\nkeywords: [isms, "unterminated\n  - oops: : :` : front;
      writeFileSync(
        path.join(dir, folder, file),
        `---\n${yaml}\n---\n\n# ${docId} Procedure number ${i}\n\n* Doc ID: ${docId}\n\nText of revision ${n}.\n`,
      );
      if (i % 10 === 4 && n === 1) utimesSync(path.join(dir, folder, file), old, old);
      if (!brokenYaml && !duplicate)
        versions.push(fields.version_name === null ? `${n}.0.0` : `1.${n - 1}.0`);
    }
    if (uuid === null) warnings.set(folder, /known by its doc id/);
    expected.set(id, versions.sort(compareVersionTexts));
  }
  // A folder with nothing readable, a stray file, notes next to revisions.
  mkdirSync(path.join(dir, 'Old drafts'));
  writeFileSync(path.join(dir, 'Old drafts', 'V1.md'), '---\ntitle: "never closed\n');
  errors.set('Old drafts/V1.md', /front matter opened with --- but never closed|broken YAML/);
  errors.set('Old drafts', /no readable revision/);
  writeFileSync(path.join(dir, 'index.md'), '# Index\n');
  warnings.set('index.md', /not in a procedure folder/);
  writeFileSync(path.join(dir, 'ACME-ISP-001 Procedure 1', 'notes.txt'), 'to do');
  warnings.set('ACME-ISP-001 Procedure 1/notes.txt', /not a revision file/);
  return { dir, expected, errors, warnings };
}

describe('importing a real-world library in the seed format', () => {
  it('lists every procedure with its revisions and reports the malformed files instead of failing', async () => {
    const g = aRealWorldLibrary();
    const started = process.hrtime.bigint();
    const { procedures, problems } = await new LocalFolderProcedureLibrary(g.dir).list();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(`listed ${procedures.length} procedures in ${ms.toFixed(0)} ms\n`);

    expect(procedures).toHaveLength(64);
    for (const [id, versions] of g.expected) {
      const p = procedures.find((x) => x.id === id);
      expect(p?.revisions.map((r) => r.versionName)).toEqual(versions);
      expect(p?.revisionInForce?.versionName).toBe(versions.at(-1));
    }
    const total = procedures.reduce((n, p) => n + p.revisions.length, 0);
    expect(total).toBe([...g.expected.values()].reduce((n, v) => n + v.length, 0));

    for (const [where, reason] of g.errors) {
      const found = problems.filter((p) => p.path === where && p.severity === 'error');
      expect({ where, reasons: found.map((p) => p.reason) }).toEqual({
        where,
        reasons: [expect.stringMatching(reason)],
      });
    }
    for (const [where, reason] of g.warnings)
      expect({
        where,
        found: problems.some((p) => p.path === where && reason.test(p.reason)),
      }).toEqual({
        where,
        found: true,
      });
    // Every error is one the generator made: nothing good is reported as bad.
    expect(
      problems
        .filter((p) => p.severity === 'error')
        .map((p) => p.path)
        .sort(),
    ).toEqual([...g.errors.keys()].sort());
  });

  it('marks a date taken from the file time as inferred, never as the document date', async () => {
    const g = aRealWorldLibrary();
    const p = await new LocalFolderProcedureLibrary(g.dir).get('ACME-ISP-004');
    const first = p?.revisions[0];
    expect(first?.versionDate).toBe('2024-05-06');
    expect(first?.inferred).toEqual([
      { field: 'versionDate', from: 'the file modification time (not audit evidence)' },
    ]);
  });

  it('reports a broken library.yaml and still lists the procedures', async () => {
    const g = aRealWorldLibrary();
    writeFileSync(
      path.join(g.dir, 'library.yaml'),
      'procedures:\n  ACME-ISP-001:\n    training: [oops\n',
    );
    const { procedures, problems } = await new LocalFolderProcedureLibrary(g.dir).list();
    expect(procedures).toHaveLength(64);
    expect(problems).toContainEqual(
      expect.objectContaining({
        path: 'library.yaml',
        severity: 'error',
        reason: expect.stringMatching(/broken YAML/),
      }),
    );
  });
});
