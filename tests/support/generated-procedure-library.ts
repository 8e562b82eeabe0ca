import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compareVersionTexts } from '../../src/domain/procedure/semantic-version.js';

/**
 * A procedure library laid out as organisations keep theirs, in the format of the published
 * ISMS document library Rectify follows: three levels (category folder, subcategory folder, a
 * folder per document with V1.md, V2.md ...), 300 documents, single-file documents (registers,
 * forms), drafts, missing fields, broken YAML, duplicate versions, stray and non-markdown files,
 * a symlink loop, names with spaces and non-Latin characters. It is generated the same on every
 * run (ids and dates are derived from the document's number), and it says what a reader must
 * find: every document with its versions, every file that must be reported as an error, and
 * warnings that must be given.
 */
export interface ExpectedDocument {
  readonly id: string;
  readonly docId: string | null;
  readonly location: string;
  readonly category: string;
  /** Lowest first. */
  readonly versions: string[];
  readonly inForce: string | null;
}

export interface GeneratedLibrary {
  readonly dir: string;
  readonly documents: ExpectedDocument[];
  /** Path -> what the reason must say; exactly these paths are errors. */
  readonly errors: Map<string, RegExp>;
  /** Path -> what the reason must say; among the warnings. */
  readonly warnings: Map<string, RegExp>;
  /** Documents with no readable revision: made, and rightly not listed. */
  readonly unreadable: string[];
  /** Every regular file, with its text, to upload it elsewhere (SharePoint). */
  readonly files: { readonly path: string; readonly text: string }[];
  /** Empty folders, to make them elsewhere. */
  readonly emptyFolders: string[];
  /** Problems only a file system can have (symbolic links). */
  readonly localOnly: string[];
  /** The time every file was saved. */
  readonly savedAt: Date;
}

const TOPS = [
  { name: 'ISMS', prefix: 'ISMSP', subs: ['Procedures', 'Forms and Registers'] },
  { name: 'ISP', prefix: 'ISP', subs: ['Policies', 'Standards'] },
  { name: 'Guideline', prefix: 'GL', subs: ['Operations', 'Development'] },
  { name: 'Data-Protection', prefix: 'DP', subs: ['Процедуры', 'Notices'] },
  { name: 'Archive', prefix: 'ARC', subs: ['2019', '2020'] },
  { name: 'Sécurité physique', prefix: 'SEC', subs: ['情報 セキュリティ', 'Accès'] },
] as const;

const SUBJECTS = [
  'Access Control',
  'Backup and Restore',
  'Non-Conformances and Corrective Actions',
  'Contrôle d’accès physique',
  'Управление инцидентами',
  '情報資産の管理',
  'Supplier Security',
  'Clear Desk and Clear Screen',
];

const SAVED_AT = new Date('2024-05-06T10:00:00Z');
const BROKEN_YAML = 'keywords: [isms, "unterminated\n  - oops: : :';

const uuidOf = (i: number): string =>
  `5e1f0000-0000-4000-8000-${(0x100000 + i).toString(16).padStart(12, '0')}`;

export function generateProcedureLibrary(dir: string): GeneratedLibrary {
  const documents: ExpectedDocument[] = [];
  const errors = new Map<string, RegExp>();
  const warnings = new Map<string, RegExp>();
  const files: { path: string; text: string }[] = [];
  const emptyFolders: string[] = [];
  const unreadable: string[] = [];
  const localOnly: string[] = [];
  const write = (rel: string, text: string): void => {
    const full = path.join(dir, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
    utimesSync(full, SAVED_AT, SAVED_AT);
    files.push({ path: rel, text });
  };

  let i = 0;
  for (const top of TOPS)
    for (const sub of top.subs) {
      const category = `${top.name}/${sub}`;
      for (let n = 0; n < 25; n += 1, i += 1) {
        const number = String(i + 1).padStart(3, '0');
        const docId = `${top.prefix}${number}`;
        const subject = `${SUBJECTS[i % SUBJECTS.length] ?? 'Procedure'} ${i + 1}`;
        const single = i % 7 === 3;
        const count = single ? 1 : 1 + (i % 3);
        const uuid = i % 8 === 1 ? null : uuidOf(i);
        const anonymous = i % 50 === 17; // no doc id anywhere
        const location = single
          ? `${category}/${docId} ${subject}.md`
          : `${category}/${docId} ${subject}`;
        const accepted: { version: string; published: boolean }[] = [];
        const taken = new Set<string>();
        for (let r = 1; r <= count; r += 1) {
          const rel = single ? location : `${location}/V${r}.md`;
          let version: string | null = `1.${r - 1}`;
          if (i % 9 === 4 && r === 2) version = null;
          if (i % 19 === 7 && r === 3) version = '1.1';
          const draft = i % 11 === 5 || (i % 13 === 2 && count >= 2 && r === count);
          const broken = i % 17 === 6 && r === Math.min(2, count);
          const title = anonymous ? `Register of ${subject}` : `${docId} - ${subject}`;
          const fields = [
            uuid === null ? null : `uuid: ${uuid}`,
            `draft: ${String(draft)}`,
            i % 10 === 5 && r === count ? null : `title: ${JSON.stringify(title)}`,
            `path: ${JSON.stringify(`/${top.name}/${docId}`)}`,
            'additional_path:',
            `    - ${JSON.stringify(`/${top.name}/${docId}-${r}`)}`,
            'keywords:',
            '  - isms',
            `  - ${JSON.stringify(docId)}`,
            i % 10 === 4 && r === 1 ? null : `version_date: 2021-0${r}-1${i % 10}`,
            version === null ? null : `version_name: ${version}`,
            `version_changelog: ${r === 1 ? 'Initial Draft' : `Reviewed ${r}`}`,
            'author: danny',
            'manager: lunghao',
            broken ? BROKEN_YAML : null,
          ].filter((f): f is string => f !== null);
          const body = [
            `# ${title}`,
            '',
            '## Document Details',
            ...(anonymous ? [] : [`* Doc ID: ${docId}`]),
            `* Doc Title: ${subject}`,
            `* Revision: ${r}.0`,
            '',
            `Text of revision ${r}.`,
            '',
          ].join('\n');
          write(rel, `---\n${fields.join('\n')}\n---\n\n${body}`);
          if (broken) {
            errors.set(rel, /broken YAML front matter at line \d+/);
            continue;
          }
          const normalised = version === null ? `${r}.0.0` : `${version}.0`;
          if (version === null) warnings.set(rel, /versionName from the file name V2\.md/);
          if (taken.has(normalised)) {
            errors.set(
              rel,
              new RegExp(`version ${normalised.replace(/\./g, '\\.')} is already given by`),
            );
            continue;
          }
          taken.add(normalised);
          accepted.push({ version: normalised, published: !draft });
        }
        if (accepted.length === 0) {
          if (!single) errors.set(location, /no readable revision/);
          unreadable.push(location);
          continue;
        }
        const id = uuid ?? (anonymous ? location.replace(/\.md$/, '') : docId);
        if (uuid === null)
          warnings.set(location, anonymous ? /known by its path/ : /known by its doc id/);
        const versions = accepted.map((a) => a.version).sort(compareVersionTexts);
        const inForce =
          accepted
            .filter((a) => a.published)
            .map((a) => a.version)
            .sort(compareVersionTexts)
            .at(-1) ?? null;
        documents.push({
          id,
          docId: anonymous ? null : docId,
          location,
          category,
          versions,
          inForce,
        });
        if (!single && i % 23 === 4) {
          write(`${location}/notes.txt`, 'to do: ask the manager');
          warnings.set(`${location}/notes.txt`, /not a revision file/);
        }
      }
      // Files people leave next to documents: a scan, a list, a hidden file, a README.
      write(`${category}/Policy scan ${sub}.pdf`, '%PDF-1.4 not really');
      warnings.set(`${category}/Policy scan ${sub}.pdf`, /not a markdown document/);
      write(`${category}/README.md`, '# What is in this folder\n');
      write(`${category}/.DS_Store`, 'Bud1');
    }
  write('index.md', '# Index of the library\n');
  warnings.set('index.md', /no front matter/);
  write('ISMS/Forms and Registers/Old checklist.docx', 'PK binary');
  warnings.set('ISMS/Forms and Registers/Old checklist.docx', /not a markdown document/);
  mkdirSync(path.join(dir, 'Archive', 'Empty'), { recursive: true });
  emptyFolders.push('Archive/Empty');
  warnings.set('Archive/Empty', /empty folder/);
  // A link back up the tree, and a link to nothing.
  symlinkSync('..', path.join(dir, 'ISMS', 'Procedures', 'loop'));
  warnings.set('ISMS/Procedures/loop', /a loop/);
  localOnly.push('ISMS/Procedures/loop');
  symlinkSync('../nowhere', path.join(dir, 'ISP', 'Policies', 'gone'));
  warnings.set('ISP/Policies/gone', /symbolic link to nothing readable/);
  localOnly.push('ISP/Policies/gone');
  return {
    dir,
    documents,
    errors,
    warnings,
    unreadable,
    files,
    emptyFolders,
    localOnly,
    savedAt: SAVED_AT,
  };
}
