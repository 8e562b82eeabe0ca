import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type {
  LibraryProblem,
  ProcedureCatalogue,
} from '../../application/ports/procedure-library.js';
import type { LocalDate } from '../../domain/calendar/local-date.js';
import { RectifyError } from '../../domain/errors.js';
import type { Procedure, ProcedureRevision } from '../../domain/procedure/procedure.js';
import { NO_SETTINGS, settingsFromText, type LibrarySettings } from './library-settings.js';
import { CatalogueProcedureLibrary } from './catalogue-library.js';
import {
  assembleDocument,
  byName,
  nameAt,
  uniqueProcedures,
  walkLibrary,
  type DocumentFolder,
  type LibraryEntry,
  type ReadRevision,
  type SingleFile,
} from './library-layout.js';
import { parseProcedureDocument } from './procedure-document.js';

/** A folder being read: its real path and the real paths above it (to see a symlink loop). */
interface Dir {
  readonly abs: string;
  readonly real: string;
  readonly above: ReadonlySet<string>;
}

// Checked by shape: errors from node:fs need not be instances of this realm's Error.
const codeOf = (e: unknown): string | undefined => {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
};
const isMissing = (e: unknown): boolean => codeOf(e) === 'ENOENT';
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * A local folder of procedure documents, in place of the SharePoint library in local mode, laid
 * out as library-layout.ts describes: category folders nested to any depth, a folder per
 * document with one markdown file per revision (V1.md, V2.md ...), single-file documents, and an
 * optional `library.yaml` at the root for training (see library-settings.ts). Symbolic links are
 * followed, except one that leads back into a folder above it. The folder is read on every
 * call, so a revision saved into it is seen at once.
 */
export class LocalFolderProcedureLibrary extends CatalogueProcedureLibrary {
  readonly root: string;

  constructor(root: string) {
    super();
    this.root = path.resolve(root);
  }

  async list(): Promise<ProcedureCatalogue> {
    let real: string;
    try {
      real = await realpath(this.root);
      if (!(await stat(real)).isDirectory()) throw new Error('not a folder');
    } catch (e) {
      throw new RectifyError(
        'PROCEDURE.LIBRARY_UNAVAILABLE',
        { root: this.root },
        `The procedure folder ${this.root} cannot be read: ${messageOf(e)}`,
      );
    }
    const problems: LibraryProblem[] = [];
    const tree = await walkLibrary<Dir>(
      { abs: this.root, real, above: new Set() },
      (dir, location, found) => this.children(dir, location, found),
      problems,
    );
    const settings = tree.settings ? await this.settings(tree.settings.abs, problems) : NO_SETTINGS;
    const units: (
      | { readonly kind: 'folder'; readonly unit: DocumentFolder<Dir> }
      | { readonly kind: 'single'; readonly unit: SingleFile<Dir> }
    )[] = [
      ...tree.folders.map((unit) => ({ kind: 'folder' as const, unit })),
      ...tree.singles.map((unit) => ({ kind: 'single' as const, unit })),
    ].sort((a, b) => byName(a.unit.location, b.unit.location));
    const found: (Procedure | null)[] = [];
    const perUnit: LibraryProblem[][] = units.map(() => []);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < units.length; i = next++) {
        const u = units[i];
        const mine = perUnit[i] ?? [];
        if (u)
          found[i] =
            u.kind === 'folder'
              ? await this.readFolder(u.unit, settings, mine)
              : await this.readSingle(u.unit, settings, mine);
      }
    };
    await Promise.all(Array.from({ length: Math.min(FILES_AT_ONCE, units.length) }, worker));
    problems.push(...perUnit.flat());
    return { procedures: uniqueProcedures(found, problems), problems };
  }

  protected async read(revision: ProcedureRevision): Promise<string> {
    if (revision.source.kind !== 'folder')
      throw new Error(`revision ${revision.versionName} is not from a folder`);
    return readFile(path.join(this.root, revision.source.path), 'utf8');
  }

  private async children(
    dir: Dir,
    location: string,
    problems: LibraryProblem[],
  ): Promise<LibraryEntry<Dir>[]> {
    let entries;
    try {
      entries = await readdir(dir.abs, { withFileTypes: true });
    } catch (e) {
      problems.push({
        path: location,
        procedureId: null,
        severity: 'error',
        reason: `the folder cannot be read (${codeOf(e) ?? messageOf(e)}): left out`,
      });
      return [];
    }
    const above = new Set([...dir.above, dir.real]);
    const result: LibraryEntry<Dir>[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const abs = path.join(dir.abs, entry.name);
      const at = location === '' ? entry.name : `${location}/${entry.name}`;
      if (entry.isFile()) result.push({ name: entry.name, kind: 'file', ref: { ...dir, abs } });
      else if (entry.isDirectory())
        result.push({ name: entry.name, kind: 'folder', ref: { abs, real: abs, above } });
      else if (entry.isSymbolicLink()) {
        let real: string;
        let isDir: boolean;
        try {
          real = await realpath(abs);
          isDir = (await stat(real)).isDirectory();
        } catch (e) {
          problems.push({
            path: at,
            procedureId: null,
            severity: 'warning',
            reason: `a symbolic link to nothing readable (${codeOf(e) ?? messageOf(e)}): ignored`,
          });
          continue;
        }
        if (!isDir) result.push({ name: entry.name, kind: 'file', ref: { ...dir, abs } });
        else if (above.has(real))
          problems.push({
            path: at,
            procedureId: null,
            severity: 'warning',
            reason: 'a symbolic link back to a folder above it (a loop): not followed',
          });
        else result.push({ name: entry.name, kind: 'folder', ref: { abs, real, above } });
      }
    }
    // A real folder's own path is resolved once, so a loop through it is seen.
    return Promise.all(
      result.map(async (e) =>
        e.kind === 'folder' && e.ref.real === e.ref.abs
          ? { ...e, ref: { ...e.ref, real: await realpath(e.ref.abs).catch(() => e.ref.abs) } }
          : e,
      ),
    );
  }

  private async settings(file: string, problems: LibraryProblem[]): Promise<LibrarySettings> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if (isMissing(e)) return NO_SETTINGS;
      throw e;
    }
    return settingsFromText(text, 'library.yaml', problems);
  }

  private async readText(
    file: string,
    rel: string,
    problems: LibraryProblem[],
  ): Promise<{ source: string; mtime: Date } | null> {
    try {
      const [source, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
      return { source, mtime: info.mtime };
    } catch (e) {
      problems.push({
        path: rel,
        procedureId: null,
        severity: 'error',
        reason: `the file cannot be read (${codeOf(e) ?? messageOf(e)}): file left out`,
      });
      return null;
    }
  }

  private async readFolder(
    folder: DocumentFolder<Dir>,
    settings: LibrarySettings,
    problems: LibraryProblem[],
  ): Promise<Procedure | null> {
    const texts = await Promise.all(
      folder.files.map((f) =>
        this.readText(f.ref.abs, this.rel(folder.location, f.name), problems),
      ),
    );
    const read: ReadRevision[] = [];
    folder.files.forEach((f, i) => {
      const loaded = texts[i];
      if (!loaded) return;
      const rel = this.rel(folder.location, f.name);
      const reading = parseProcedureDocument(loaded.source, {
        version: { value: String(f.number), from: `the file name ${f.name}` },
        date: {
          value: loaded.mtime.toISOString().slice(0, 10) as LocalDate,
          from: 'the file modification time (not audit evidence)',
        },
        title: nameAt(folder.location),
      });
      if (!reading.ok) {
        problems.push({
          path: rel,
          procedureId: null,
          severity: 'error',
          reason: `${reading.reason}: file left out`,
        });
        return;
      }
      read.push({
        file: rel,
        number: f.number,
        document: reading.document,
        source: { kind: 'folder', path: rel },
      });
    });
    return assembleDocument(folder.location, read, settings, problems);
  }

  /** A markdown file outside a document folder: a document of one revision when it has front matter. */
  private async readSingle(
    single: SingleFile<Dir>,
    settings: LibrarySettings,
    problems: LibraryProblem[],
  ): Promise<Procedure | null> {
    const loaded = await this.readText(single.ref.abs, single.location, problems);
    if (!loaded) return null;
    const reading = parseProcedureDocument(loaded.source, {
      version: { value: '1', from: 'a single-file document' },
      date: {
        value: loaded.mtime.toISOString().slice(0, 10) as LocalDate,
        from: 'the file modification time (not audit evidence)',
      },
      title: nameAt(single.location),
    });
    if (!reading.ok) {
      problems.push({
        path: single.location,
        procedureId: null,
        severity: 'error',
        reason: `${reading.reason}: file left out`,
      });
      return null;
    }
    if (!reading.document.hasFrontMatter) {
      problems.push({
        path: single.location,
        procedureId: null,
        severity: 'warning',
        reason:
          'not in a procedure folder and no front matter: not a document, ignored (a document is a folder of V1.md, V2.md ... or a markdown file with front matter)',
      });
      return null;
    }
    return assembleDocument(
      single.location,
      [
        {
          file: single.location,
          number: 1,
          document: reading.document,
          source: { kind: 'folder', path: single.location },
        },
      ],
      settings,
      problems,
    );
  }

  private rel(location: string, name: string): string {
    return location === '.' ? name : `${location}/${name}`;
  }
}

const FILES_AT_ONCE = 8;
