import type { LibraryProblem } from '../../application/ports/procedure-library.js';
import {
  buildProcedure,
  compareRevisions,
  detailsAt,
  mergeTraining,
  revisionInForce,
  type Procedure,
  type ProcedureDetails,
  type ProcedureRevision,
  type RevisionSource,
} from '../../domain/procedure/procedure.js';
import type { LibrarySettings } from './library-settings.js';
import { describeInferred, type ProcedureDocument } from './procedure-document.js';

/**
 * The layout of a procedure library, the same for the local folder and the SharePoint document
 * library: folders nested to any depth. A folder holding revision files (V1.md, V2.md ...) is one
 * document; any other folder is a category whose markdown files with front matter are
 * single-file documents (registers, forms, templates) and whose subfolders are read in turn.
 * The category of a document is the folder path above it. `library.yaml` at the root configures
 * training (library-settings.ts); README.md files and names starting with "." are passed over.
 */
export const REVISION_FILE = /^V(\d{1,6})\.md$/i;
export const SETTINGS_FILE = 'library.yaml';

export interface LibraryEntry<R> {
  readonly name: string;
  readonly kind: 'file' | 'folder';
  readonly ref: R;
}

export interface DocumentFolder<R> {
  readonly location: string;
  /** The revision files, by number. */
  readonly files: readonly { readonly name: string; readonly number: number; readonly ref: R }[];
}

export interface SingleFile<R> {
  readonly location: string;
  readonly ref: R;
}

export interface LibraryTree<R> {
  readonly folders: readonly DocumentFolder<R>[];
  readonly singles: readonly SingleFile<R>[];
  readonly settings: R | null;
}

/** Names in the order people expect: numbers by value, case and accents aside, NFC first. */
export const byName = (a: string, b: string): number =>
  a.normalize('NFC').localeCompare(b.normalize('NFC'), 'en', {
    numeric: true,
    sensitivity: 'base',
  }) || (a < b ? -1 : a > b ? 1 : 0);

const join = (location: string, name: string): string =>
  location === '' ? name : `${location}/${name}`;

const FOLDERS_AT_ONCE = 8;

/**
 * Every document of the library, read folder by folder (a few at once) through `children`,
 * which lists one folder and reports what it cannot read (a symlink loop, an unreadable folder)
 * as problems. Stray files are reported here, with their path and reason.
 */
export async function walkLibrary<R>(
  root: R,
  children: (folder: R, location: string, problems: LibraryProblem[]) => Promise<LibraryEntry<R>[]>,
  problems: LibraryProblem[],
): Promise<LibraryTree<R>> {
  const folders: DocumentFolder<R>[] = [];
  const singles: SingleFile<R>[] = [];
  let settings: R | null = null;
  const found = new Map<string, LibraryProblem[]>();
  const queue: { ref: R; location: string }[] = [{ ref: root, location: '' }];
  let busy = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      if (queue.length === 0 && busy === 0) {
        resolve();
        return;
      }
      while (busy < FOLDERS_AT_ONCE && queue.length > 0) {
        const next = queue.shift();
        if (!next) break;
        busy += 1;
        const mine: LibraryProblem[] = [];
        found.set(next.location, mine);
        children(next.ref, next.location, mine)
          .then((entries) => {
            const shown = entries
              .filter((e) => !e.name.startsWith('.'))
              .sort((a, b) => byName(a.name, b.name));
            const files = shown.filter((e) => e.kind === 'file');
            const revisions = files.filter((f) => REVISION_FILE.test(f.name));
            if (shown.length === 0 && next.location !== '')
              mine.push({
                path: next.location,
                procedureId: null,
                severity: 'warning',
                reason: 'an empty folder: nothing to read',
              });
            for (const f of files) {
              const at = join(next.location, f.name);
              const lower = f.name.toLowerCase();
              if (lower === 'readme.md') continue;
              if (next.location === '' && lower === SETTINGS_FILE) {
                settings = f.ref;
                continue;
              }
              if (revisions.length > 0) {
                if (!REVISION_FILE.test(f.name))
                  mine.push({
                    path: at,
                    procedureId: null,
                    severity: 'warning',
                    reason: 'not a revision file (V1.md, V2.md ...): ignored',
                  });
              } else if (lower.endsWith('.md')) singles.push({ location: at, ref: f.ref });
              else
                mine.push({
                  path: at,
                  procedureId: null,
                  severity: 'warning',
                  reason: 'not a markdown document (.md): ignored',
                });
            }
            if (revisions.length > 0)
              folders.push({
                location: next.location === '' ? '.' : next.location,
                files: revisions
                  .map((f) => ({
                    name: f.name,
                    number: Number(REVISION_FILE.exec(f.name)?.[1] ?? 0),
                    ref: f.ref,
                  }))
                  .sort((a, b) => a.number - b.number),
              });
            for (const sub of shown.filter((e) => e.kind === 'folder'))
              queue.push({ ref: sub.ref, location: join(next.location, sub.name) });
          })
          .then(
            () => {
              busy -= 1;
              pump();
            },
            (e: unknown) => {
              reject(e instanceof Error ? e : new Error(String(e)));
            },
          );
      }
    };
    pump();
  });
  // Problems and documents in path order, whatever order the folders were read in.
  for (const location of [...found.keys()].sort(byName))
    problems.push(...(found.get(location) ?? []));
  folders.sort((a, b) => byName(a.location, b.location));
  singles.sort((a, b) => byName(a.location, b.location));
  return { folders, singles, settings };
}

/** One revision file read from a document folder (or the one file of a single-file document). */
export interface ReadRevision {
  /** Its path in the library, for problems. */
  readonly file: string;
  readonly number: number;
  readonly document: ProcedureDocument;
  readonly source: RevisionSource;
}

export const detailsOf = (location: string, document: ProcedureDocument | undefined) => {
  const at = detailsAt(location);
  const details: ProcedureDetails = {
    ...at,
    keywords: document?.keywords ?? [],
    author: document?.author ?? null,
    manager: document?.manager ?? null,
    additionalPaths: document?.additionalPaths ?? [],
  };
  return details;
};

/** The title hint for a document at this location: its folder or file name. */
export const nameAt = (location: string): string =>
  (location.split('/').at(-1) ?? location).replace(/\.md$/i, '');

/**
 * A document from its revision files, in file order: its id (the newest uuid, else doc id, else
 * its location), a version given twice left out, versions out of file order flagged, training
 * from the revision in force and library.yaml.
 */
export function assembleDocument(
  location: string,
  read: readonly ReadRevision[],
  settings: LibrarySettings,
  problems: LibraryProblem[],
): Procedure | null {
  const sorted = [...read].sort((a, b) => a.number - b.number);
  if (sorted.length === 0) {
    problems.push({
      path: location,
      procedureId: null,
      severity: 'error',
      reason: 'no readable revision (V1.md, V2.md ...): procedure left out',
    });
    return null;
  }
  const newestFirst = [...sorted].reverse();
  const uuid = newestFirst.find((r) => r.document.uuid !== null)?.document.uuid ?? null;
  const docId = newestFirst.find((r) => r.document.docId !== null)?.document.docId ?? null;
  const id =
    uuid ?? docId ?? (location === '.' ? nameAt(location) : location.replace(/\.md$/i, ''));
  if (uuid === null)
    problems.push({
      path: location,
      procedureId: id,
      severity: 'warning',
      reason: `no uuid in any revision: the procedure is known by its ${docId === null ? 'path' : 'doc id'} ${id}`,
    });

  const revisions: ProcedureRevision[] = [];
  const fileOf = new Map<ProcedureRevision, string>();
  const byVersion = new Map<string, string>();
  for (const r of sorted) {
    const d = r.document;
    const report = (severity: 'error' | 'warning', reason: string): void => {
      problems.push({ path: r.file, procedureId: id, severity, reason });
    };
    if (d.uuid !== null && uuid !== null && d.uuid !== uuid)
      report('warning', `uuid ${d.uuid} differs from the procedure's ${uuid}`);
    const earlier = byVersion.get(d.versionName);
    if (earlier !== undefined) {
      report('error', `version ${d.versionName} is already given by ${earlier}: file left out`);
      continue;
    }
    byVersion.set(d.versionName, r.file);
    for (const w of d.warnings) report('warning', w);
    if (d.inferred.length > 0) report('warning', describeInferred(d.inferred));
    const revision: ProcedureRevision = {
      procedureId: id,
      docId: d.docId ?? docId,
      title: d.title,
      versionName: d.versionName,
      versionDate: d.versionDate,
      changelog: d.changelog,
      published: d.published,
      source: r.source,
      inferred: d.inferred,
    };
    revisions.push(revision);
    fileOf.set(revision, r.file);
  }
  // Files are numbered in order of issue: a version that goes down between two files is
  // likely a mistake, most often a version guessed from the file name.
  revisions.forEach((later, i) => {
    const earlier = revisions[i - 1];
    if (!earlier || compareRevisions(earlier, later) <= 0) return;
    const guessed = earlier.inferred.some((f) => f.field === 'versionName') ? earlier : later;
    problems.push({
      path: fileOf.get(guessed) ?? location,
      procedureId: id,
      severity: 'warning',
      reason: `versions out of file order: ${earlier.versionName} comes before ${later.versionName}; check the version`,
    });
  });
  const inForce = revisionInForce(revisions);
  const inForceDoc = sorted.find((r) => r.source === inForce?.source);
  const training = mergeTraining(
    { people: inForceDoc?.document.training ?? [], groups: [] },
    settings.trainingFor(id, docId),
  );
  return buildProcedure(id, revisions, training, detailsOf(location, newestFirst[0]?.document));
}

/** The procedures in path order, a second one with an id already taken reported and left out. */
export function uniqueProcedures(
  found: readonly (Procedure | null)[],
  problems: LibraryProblem[],
): Procedure[] {
  const taken = new Map<string, string>();
  const result: Procedure[] = [];
  for (const p of found) {
    if (!p) continue;
    const other = taken.get(p.id);
    if (other !== undefined) {
      problems.push({
        path: p.details.location,
        procedureId: p.id,
        severity: 'error',
        reason: `procedure id ${p.id} is already used by ${other}: left out`,
      });
      continue;
    }
    taken.set(p.id, p.details.location);
    result.push(p);
  }
  return result;
}
