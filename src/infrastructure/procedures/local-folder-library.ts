import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type {
  LibraryProblem,
  ProcedureCatalogue,
} from '../../application/ports/procedure-library.js';
import type { LocalDate } from '../../domain/calendar/local-date.js';
import { RectifyError } from '../../domain/errors.js';
import {
  buildProcedure,
  compareRevisions,
  mergeTraining,
  revisionInForce,
  type Procedure,
  type ProcedureRevision,
} from '../../domain/procedure/procedure.js';
import { NO_SETTINGS, settingsFromText, type LibrarySettings } from './library-settings.js';
import { CatalogueProcedureLibrary } from './catalogue-library.js';
import {
  describeInferred,
  parseProcedureDocument,
  type ProcedureDocument,
} from './procedure-document.js';

const REVISION_FILE = /^V(\d{1,6})\.md$/i;
const SETTINGS_FILE = 'library.yaml';
const QUIET_FILES = new Set([SETTINGS_FILE, 'readme.md']);
const FOLDERS_AT_ONCE = 8;

interface ReadRevision {
  readonly file: string;
  readonly number: number;
  readonly document: ProcedureDocument;
}

// Checked by shape: errors from node:fs need not be instances of this realm's Error.
const isMissing = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'ENOENT';

/**
 * A local folder of procedure documents, in place of the SharePoint library in local mode: one
 * folder per procedure, one markdown file per revision (V1.md, V2.md ...), and an optional
 * `library.yaml` at the root for training (see library-settings.ts). The folder is read on
 * every call, so a revision saved into it is seen at once.
 */
export class LocalFolderProcedureLibrary extends CatalogueProcedureLibrary {
  readonly root: string;

  constructor(root: string) {
    super();
    this.root = path.resolve(root);
  }

  async list(): Promise<ProcedureCatalogue> {
    let entries;
    try {
      entries = await readdir(this.root, { withFileTypes: true });
    } catch (e) {
      throw new RectifyError(
        'PROCEDURE.LIBRARY_UNAVAILABLE',
        { root: this.root },
        `The procedure folder ${this.root} cannot be read: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const problems: LibraryProblem[] = [];
    const settings = await this.settings(problems);
    const procedures: Procedure[] = [];
    const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.'));
    for (const file of entries.filter((e) => e.isFile()))
      if (!QUIET_FILES.has(file.name.toLowerCase()) && !file.name.startsWith('.'))
        problems.push({
          path: file.name,
          procedureId: null,
          severity: 'warning',
          reason:
            'not in a procedure folder: ignored (a procedure is a folder of V1.md, V2.md ...)',
        });
    // Folders are read a few at a time; their problems are kept in folder order.
    const names = folders.map((f) => f.name).sort(byName);
    const results: { procedure: Procedure | null; problems: LibraryProblem[] }[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < names.length; i = next++) {
        const found: LibraryProblem[] = [];
        results[i] = {
          procedure: await this.readFolder(names[i] ?? '', settings, found),
          problems: found,
        };
      }
    };
    await Promise.all(Array.from({ length: Math.min(FOLDERS_AT_ONCE, names.length) }, worker));
    const taken = new Map<string, string>();
    for (const [i, folder] of names.entries()) {
      const result = results[i];
      problems.push(...(result?.problems ?? []));
      const procedure = result?.procedure;
      if (!procedure) continue;
      const other = taken.get(procedure.id);
      if (other !== undefined) {
        problems.push({
          path: folder,
          procedureId: procedure.id,
          severity: 'error',
          reason: `procedure id ${procedure.id} is already used by the folder ${other}: folder left out`,
        });
        continue;
      }
      taken.set(procedure.id, folder);
      procedures.push(procedure);
    }
    return { procedures, problems };
  }

  protected async read(revision: ProcedureRevision): Promise<string> {
    if (revision.source.kind !== 'folder')
      throw new Error(`revision ${revision.versionName} is not from a folder`);
    return readFile(path.join(this.root, revision.source.path), 'utf8');
  }

  private async settings(problems: LibraryProblem[]): Promise<LibrarySettings> {
    let text: string;
    try {
      text = await readFile(path.join(this.root, SETTINGS_FILE), 'utf8');
    } catch (e) {
      if (isMissing(e)) return NO_SETTINGS;
      throw e;
    }
    return settingsFromText(text, SETTINGS_FILE, problems);
  }

  private async readFolder(
    folder: string,
    settings: LibrarySettings,
    problems: LibraryProblem[],
  ): Promise<Procedure | null> {
    const dir = path.join(this.root, folder);
    const files = (await readdir(dir, { withFileTypes: true })).filter((f) => f.isFile());
    const read: ReadRevision[] = [];
    const names = files.map((f) => f.name).sort(byName);
    const loaded = new Map(
      await Promise.all(
        names
          .filter((name) => REVISION_FILE.test(name))
          .map(async (name) => {
            const full = path.join(dir, name);
            const [source, info] = await Promise.all([readFile(full, 'utf8'), stat(full)]);
            return [name, { source, mtime: info.mtime }] as const;
          }),
      ),
    );
    for (const file of names) {
      const rel = `${folder}/${file}`;
      const m = REVISION_FILE.exec(file);
      if (!m) {
        if (!file.startsWith('.') && file.toLowerCase() !== 'readme.md')
          problems.push({
            path: rel,
            procedureId: null,
            severity: 'warning',
            reason: 'not a revision file (V1.md, V2.md ...): ignored',
          });
        continue;
      }
      const { source, mtime } = loaded.get(file) ?? { source: '', mtime: new Date(0) };
      const reading = parseProcedureDocument(source, {
        version: { value: m[1] ?? '', from: `the file name ${file}` },
        date: {
          value: mtime.toISOString().slice(0, 10) as LocalDate,
          from: 'the file modification time (not audit evidence)',
        },
        title: folder,
      });
      if (!reading.ok) {
        problems.push({
          path: rel,
          procedureId: null,
          severity: 'error',
          reason: `${reading.reason}: file left out`,
        });
        continue;
      }
      read.push({ file: rel, number: Number(m[1]), document: reading.document });
    }
    read.sort((a, b) => a.number - b.number);
    if (read.length === 0) {
      problems.push({
        path: folder,
        procedureId: null,
        severity: 'error',
        reason: 'no readable revision (V1.md, V2.md ...): procedure left out',
      });
      return null;
    }

    const newestFirst = [...read].reverse();
    const uuid = newestFirst.find((r) => r.document.uuid !== null)?.document.uuid ?? null;
    const docId = newestFirst.find((r) => r.document.docId !== null)?.document.docId ?? null;
    const id = uuid ?? docId ?? folder;
    if (uuid === null)
      problems.push({
        path: folder,
        procedureId: id,
        severity: 'warning',
        reason: `no uuid in any revision: the procedure is known by its ${docId === null ? 'folder name' : 'doc id'} ${id}`,
      });

    const revisions: ProcedureRevision[] = [];
    const byVersion = new Map<string, string>();
    for (const r of read) {
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
      revisions.push({
        procedureId: id,
        docId: d.docId ?? docId,
        title: d.title,
        versionName: d.versionName,
        versionDate: d.versionDate,
        changelog: d.changelog,
        published: d.published,
        source: { kind: 'folder', path: r.file },
        inferred: d.inferred,
      });
    }
    // Files are numbered in order of issue: a version that goes down between two files is
    // likely a mistake, most often a version guessed from the file name.
    revisions.forEach((later, i) => {
      const earlier = revisions[i - 1];
      if (!earlier || compareRevisions(earlier, later) <= 0) return;
      const guessed = earlier.inferred.some((f) => f.field === 'versionName') ? earlier : later;
      problems.push({
        path: guessed.source.kind === 'folder' ? guessed.source.path : folder,
        procedureId: id,
        severity: 'warning',
        reason: `versions out of file order: ${earlier.versionName} comes before ${later.versionName}; check the version`,
      });
    });
    const inForce = revisionInForce(revisions);
    const inForceDoc = read.find(
      (r) => r.file === (inForce?.source.kind === 'folder' ? inForce.source.path : ''),
    );
    const training = mergeTraining(
      { people: inForceDoc?.document.training ?? [], groups: [] },
      settings.trainingFor(id, docId),
    );
    return buildProcedure(id, revisions, training);
  }
}

const byName = (a: string, b: string): number =>
  a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
