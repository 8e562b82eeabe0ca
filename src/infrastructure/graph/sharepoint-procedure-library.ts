import { ResponseType } from '@microsoft/microsoft-graph-client';
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
  type Procedure,
  type ProcedureRevision,
} from '../../domain/procedure/procedure.js';
import { CatalogueProcedureLibrary } from '../procedures/catalogue-library.js';
import {
  NO_SETTINGS,
  type LibrarySettings,
  settingsFromText,
} from '../procedures/library-settings.js';
import {
  assembleDocument,
  byName,
  detailsOf,
  nameAt,
  uniqueProcedures,
  walkLibrary,
  type DocumentFolder,
  type LibraryEntry,
  type ReadRevision,
} from '../procedures/library-layout.js';
import { describeInferred, parseProcedureDocument } from '../procedures/procedure-document.js';
import { GraphRequestError, toGraphRequestError, type GraphConnection } from './graph-client.js';

/**
 * The procedure library as a SharePoint document library, through Microsoft Graph, laid out as
 * the local folder is (library-layout.ts): folders to any depth, read through the children of
 * each folder (https://learn.microsoft.com/en-us/graph/api/driveitem-list-children, every page
 * of `@odata.nextLink`). In a folder of revision files (V1.md, V2.md ...) each file's current
 * version is one revision; any other markdown file is one procedure whose file versions are its
 * revisions (`/drives/{drive-id}/items/{item-id}/versions`). Each version's text is read from
 * `/versions/{id}/content` (the current version from the item's `/content`, as SharePoint
 * does not always serve the current version through the versions route), which answers with a
 * redirect to a pre-authenticated download URL; that URL is fetched without our token.
 *
 * A version's text never changes, so it is read once per process, and a file's version list is
 * read again only when the file was saved since (its lastModifiedDateTime or size changed): a
 * listing of an unchanged library is one request per 200 files. A file saved several times
 * under the same version_name gives one revision: the last saved. Training comes from the
 * front matter and from a `library.yaml` in the library root, as in the local folder.
 * Deleting old versions from the history shows after a restart (the file is not saved by it).
 *
 * Graph gives no address per version
 * (https://learn.microsoft.com/en-us/graph/api/driveitem-list-versions): a revision keeps
 * `{ driveId, itemId, versionId, lastModifiedDateTime }` and people are sent to the file's
 * webUrl, or to Rectify's own content route.
 */

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

interface DriveFile {
  readonly id: string;
  readonly name: string;
  readonly webUrl: string;
  /** Changes when the file is saved: its version list is read again only then. */
  readonly stamp: string;
}

interface FileVersion {
  readonly id: string;
  readonly lastModifiedDateTime: string;
}

/** A folder (null: the library root) or a file, as the library listing gave it. */
type DriveNode =
  | { readonly kind: 'folder'; readonly id: string | null }
  | { readonly kind: 'file'; readonly file: DriveFile };

const CONCURRENCY = 4;
const SETTINGS_FILE = 'library.yaml';

/** Version labels "1.0", "2.0", "2.1": in the order SharePoint made them. */
const compareLabels = (a: FileVersion, b: FileVersion): number => {
  const [am = 0, an = 0] = a.id.split('.').map(Number);
  const [bm = 0, bn = 0] = b.id.split('.').map(Number);
  return am - bm || an - bn;
};

export interface SharePointProcedureLibraryOptions {
  /** The document library's drive id (`b!...`). */
  readonly driveId: string;
  /** Files per page of the library listing (Graph's `$top`); 200 by default. */
  readonly pageSize?: number | undefined;
}

export class SharePointProcedureLibrary extends CatalogueProcedureLibrary {
  private readonly texts = new Map<string, string>();
  private readonly versionLists = new Map<
    string,
    { readonly stamp: string; readonly versions: FileVersion[] }
  >();

  constructor(
    private readonly graph: GraphConnection,
    private readonly options: SharePointProcedureLibraryOptions,
  ) {
    super();
  }

  /** The library on a site by its name ("ISMS Procedures"), as `provision` would know it. */
  static async onSite(
    graph: GraphConnection,
    siteId: string,
    libraryName: string,
    options: Omit<SharePointProcedureLibraryOptions, 'driveId'> = {},
  ): Promise<SharePointProcedureLibrary> {
    const json = await call(
      `listing the document libraries of ${siteId}`,
      () =>
        graph.client.api(`/sites/${encodeURIComponent(siteId)}/drives`).get() as Promise<unknown>,
    );
    const drives = isRecord(json) && Array.isArray(json.value) ? (json.value as unknown[]) : [];
    const drive = drives.find(
      (d) => isRecord(d) && typeof d.id === 'string' && d.name === libraryName,
    ) as { id: string } | undefined;
    if (!drive)
      throw new RectifyError(
        'PROCEDURE.LIBRARY_UNAVAILABLE',
        { siteId, libraryName },
        `The site has no document library named ${libraryName}`,
      );
    return new SharePointProcedureLibrary(graph, { ...options, driveId: drive.id });
  }

  async list(): Promise<ProcedureCatalogue> {
    try {
      return await this.catalogue();
    } catch (e) {
      // No such library, or no right to it: a configuration matter, said as such.
      if (e instanceof GraphRequestError && [401, 403, 404].includes(e.status))
        throw new RectifyError(
          'PROCEDURE.LIBRARY_UNAVAILABLE',
          { driveId: this.options.driveId, status: e.status, graphCode: e.code },
          e.message,
        );
      throw e;
    }
  }

  private async catalogue(): Promise<ProcedureCatalogue> {
    const problems: LibraryProblem[] = [];
    const tree = await walkLibrary<DriveNode>(
      { kind: 'folder', id: null },
      async (folder) => {
        const entries: LibraryEntry<DriveNode>[] = [];
        if (folder.kind !== 'folder') return entries;
        for await (const item of this.children(folder.id)) {
          const name = typeof item.name === 'string' ? item.name : '';
          if (typeof item.id !== 'string' || name === '') continue;
          if (isRecord(item.folder))
            entries.push({ name, kind: 'folder', ref: { kind: 'folder', id: item.id } });
          else
            entries.push({
              name,
              kind: 'file',
              ref: {
                kind: 'file',
                file: {
                  id: item.id,
                  name,
                  webUrl: typeof item.webUrl === 'string' ? item.webUrl : '',
                  stamp: `${String(item.lastModifiedDateTime)}|${String(item.size)}`,
                },
              },
            });
        }
        return entries;
      },
      problems,
    );
    const settingsFile = tree.settings?.kind === 'file' ? tree.settings.file : null;
    const settings = settingsFile ? await this.settings(settingsFile, problems) : NO_SETTINGS;
    const units = [
      ...tree.folders.map((unit) => ({ kind: 'folder' as const, unit })),
      ...tree.singles.map((unit) => ({ kind: 'single' as const, unit })),
    ].sort((a, b) => byName(a.unit.location, b.unit.location));
    const procedures: (Procedure | null)[] = new Array<Procedure | null>(units.length).fill(null);
    const perUnit: LibraryProblem[][] = units.map(() => []);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < units.length; i = next++) {
        const u = units[i];
        const found = perUnit[i] ?? [];
        if (!u) continue;
        if (u.kind === 'folder') procedures[i] = await this.readFolder(u.unit, settings, found);
        else if (u.unit.ref.kind === 'file')
          procedures[i] = await this.readFile(u.unit.ref.file, u.unit.location, settings, found);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, units.length) }, worker));
    problems.push(...perUnit.flat());
    return { procedures: uniqueProcedures(procedures, problems), problems };
  }

  /** A folder of revision files (V1.md, V2.md ...): each file's current version is a revision. */
  private async readFolder(
    folder: DocumentFolder<DriveNode>,
    settings: LibrarySettings,
    problems: LibraryProblem[],
  ): Promise<Procedure | null> {
    const read: ReadRevision[] = [];
    for (const f of folder.files) {
      if (f.ref.kind !== 'file') continue;
      const file = f.ref.file;
      const where = folder.location === '.' ? f.name : `${folder.location}/${f.name}`;
      const current = (await this.versions(file.id, file.stamp)).at(-1);
      if (!current) {
        problems.push({
          path: where,
          procedureId: null,
          severity: 'error',
          reason: 'no version in SharePoint: file left out',
        });
        continue;
      }
      const reading = parseProcedureDocument(await this.text(file.id, current, true), {
        version: { value: String(f.number), from: `the file name ${f.name}` },
        date: {
          value: current.lastModifiedDateTime.slice(0, 10) as LocalDate,
          from: 'the time SharePoint saved the version (not the effective date)',
        },
        title: nameAt(folder.location),
      });
      if (!reading.ok) {
        problems.push({
          path: where,
          procedureId: null,
          severity: 'error',
          reason: `${reading.reason}: file left out`,
        });
        continue;
      }
      read.push({
        file: where,
        number: f.number,
        document: reading.document,
        source: {
          kind: 'sharepoint',
          driveId: this.options.driveId,
          itemId: file.id,
          versionId: current.id,
          lastModifiedDateTime: current.lastModifiedDateTime,
          webUrl: file.webUrl,
        },
      });
    }
    return assembleDocument(folder.location, read, settings, problems);
  }

  protected async read(revision: ProcedureRevision): Promise<string> {
    const s = revision.source;
    if (s.kind !== 'sharepoint')
      throw new Error(`revision ${revision.versionName} is not from SharePoint`);
    const versions = await this.versions(s.itemId);
    const current = versions.at(-1)?.id === s.versionId;
    return this.text(
      s.itemId,
      { id: s.versionId, lastModifiedDateTime: s.lastModifiedDateTime },
      current,
    );
  }

  /** `library.yaml` in the library root, as in the local folder (library-settings.ts). */
  private async settings(
    file: { id: string; stamp: string },
    problems: LibraryProblem[],
  ): Promise<LibrarySettings> {
    const text = await this.text(
      file.id,
      { id: 'current', lastModifiedDateTime: file.stamp },
      true,
    );
    return settingsFromText(text, SETTINGS_FILE, problems);
  }

  /** A markdown file outside a document folder: its versions are the revisions. */
  private async readFile(
    file: DriveFile,
    location: string,
    settings: LibrarySettings,
    problems: LibraryProblem[],
  ): Promise<Procedure | null> {
    const versions = await this.versions(file.id, file.stamp);
    const title = nameAt(location);
    const read: {
      version: FileVersion;
      doc: Exclude<ReturnType<typeof parseProcedureDocument>, { ok: false }>['document'];
    }[] = [];
    for (const [i, version] of versions.entries()) {
      const where = `${location} (version ${version.id})`;
      const text = await this.text(file.id, version, i === versions.length - 1);
      const reading = parseProcedureDocument(text, {
        version: { value: version.id, from: `the SharePoint version label ${version.id}` },
        date: {
          value: version.lastModifiedDateTime.slice(0, 10) as LocalDate,
          from: 'the time SharePoint saved the version (not the effective date)',
        },
        title,
      });
      if (!reading.ok) {
        problems.push({
          path: where,
          procedureId: null,
          severity: 'error',
          reason: `${reading.reason}: version left out`,
        });
        continue;
      }
      read.push({ version, doc: reading.document });
    }
    if (read.length === 0) {
      problems.push({
        path: location,
        procedureId: null,
        severity: 'error',
        reason: 'no readable version: procedure left out',
      });
      return null;
    }
    const newestFirst = [...read].reverse();
    if (newestFirst[0]?.doc.hasFrontMatter === false) {
      problems.push({
        path: location,
        procedureId: null,
        severity: 'warning',
        reason:
          'not in a procedure folder and no front matter: not a document, ignored (a document is a folder of V1.md, V2.md ... or a markdown file with front matter)',
      });
      return null;
    }
    const uuid = newestFirst.find((r) => r.doc.uuid !== null)?.doc.uuid ?? null;
    const docId = newestFirst.find((r) => r.doc.docId !== null)?.doc.docId ?? null;
    const id = uuid ?? docId ?? location.replace(/\.md$/i, '');
    if (uuid === null)
      problems.push({
        path: location,
        procedureId: id,
        severity: 'warning',
        reason: `no uuid in any revision: the procedure is known by its ${docId === null ? 'path' : 'doc id'} ${id}`,
      });
    // Saved again without a new version_name (a typo fixed): the last save is the revision.
    const byVersion = new Map<string, ProcedureRevision>();
    for (const { version, doc } of read) {
      const where = `${location} (version ${version.id})`;
      for (const w of doc.warnings)
        problems.push({ path: where, procedureId: id, severity: 'warning', reason: w });
      if (doc.inferred.length > 0)
        problems.push({
          path: where,
          procedureId: id,
          severity: 'warning',
          reason: describeInferred(doc.inferred),
        });
      const earlier = byVersion.get(doc.versionName);
      if (earlier?.source.kind === 'sharepoint')
        problems.push({
          path: where,
          procedureId: id,
          severity: 'warning',
          reason: `also holds ${doc.versionName}, like version ${earlier.source.versionId}: the later save is taken`,
        });
      byVersion.set(doc.versionName, {
        procedureId: id,
        docId: doc.docId ?? docId,
        title: doc.title,
        versionName: doc.versionName,
        versionDate: doc.versionDate,
        changelog: doc.changelog,
        published: doc.published,
        source: {
          kind: 'sharepoint',
          driveId: this.options.driveId,
          itemId: file.id,
          versionId: version.id,
          lastModifiedDateTime: version.lastModifiedDateTime,
          webUrl: file.webUrl,
        },
        inferred: doc.inferred,
      });
    }
    const revisions = [...byVersion.values()].sort(compareRevisions);
    const inForce = newestFirst.find((r) => r.doc.published);
    return buildProcedure(
      id,
      revisions,
      mergeTraining(
        { people: inForce?.doc.training ?? [], groups: [] },
        settings.trainingFor(id, docId),
      ),
      detailsOf(location, newestFirst[0]?.doc),
    );
  }

  private drivePath(rest: string): string {
    return `/drives/${encodeURIComponent(this.options.driveId)}${rest}`;
  }

  /** The items in a folder (null: the library root), page by page. */
  private async *children(folderId: string | null): AsyncGenerator<Record<string, unknown>> {
    const folder = folderId === null ? '/root' : `/items/${encodeURIComponent(folderId)}`;
    let path: string | null = this.drivePath(
      `${folder}/children?$select=id,name,file,folder,webUrl,lastModifiedDateTime,size&$top=${this.options.pageSize ?? 200}`,
    );
    while (path !== null) {
      const current: string = path;
      const json = await call(
        'listing the procedure library',
        () => this.graph.client.api(current).get() as Promise<unknown>,
      );
      if (!isRecord(json) || !Array.isArray(json.value))
        throw new Error('Graph answered a children query without value');
      for (const item of json.value as unknown[]) if (isRecord(item)) yield item;
      const link = json['@odata.nextLink'];
      path = typeof link === 'string' ? this.relative(link) : null;
    }
  }

  /** Oldest first. */
  private async versions(itemId: string, stamp?: string): Promise<FileVersion[]> {
    const known = this.versionLists.get(itemId);
    if (stamp !== undefined && known?.stamp === stamp) return known.versions;
    const json = await call(
      `listing the versions of ${itemId}`,
      () =>
        this.graph.client
          .api(this.drivePath(`/items/${encodeURIComponent(itemId)}/versions`))
          .get() as Promise<unknown>,
    );
    const value = isRecord(json) && Array.isArray(json.value) ? (json.value as unknown[]) : [];
    const list = value
      .filter(isRecord)
      .filter(
        (v): v is Record<string, unknown> & FileVersion =>
          typeof v.id === 'string' && typeof v.lastModifiedDateTime === 'string',
      )
      .map((v) => ({ id: v.id, lastModifiedDateTime: v.lastModifiedDateTime }))
      .sort(compareLabels);
    if (stamp !== undefined) this.versionLists.set(itemId, { stamp, versions: list });
    return list;
  }

  private async text(itemId: string, version: FileVersion, current: boolean): Promise<string> {
    const key = `${itemId}|${version.id}|${version.lastModifiedDateTime}`;
    const cached = this.texts.get(key);
    if (cached !== undefined) return cached;
    const item = `/items/${encodeURIComponent(itemId)}`;
    const path = this.drivePath(
      current ? `${item}/content` : `${item}/versions/${encodeURIComponent(version.id)}/content`,
    );
    const what = `reading version ${version.id} of ${itemId}`;
    // Manual redirect: the download URL is pre-authenticated and must not receive our token.
    const response = await call(
      what,
      () =>
        this.graph.client
          .api(path)
          .option('redirect', 'manual')
          .responseType(ResponseType.RAW)
          .get() as Promise<Response>,
    );
    let body: Response = response;
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) body = await fetch(location);
    if (!body.ok) {
      const code = await body.json().then(
        (j: unknown) =>
          isRecord(j) && isRecord(j.error) && typeof j.error.code === 'string'
            ? j.error.code
            : null,
        () => null,
      );
      throw new GraphRequestError(body.status, code, `${what}: answered ${body.status}`);
    }
    const text = await body.text();
    this.texts.set(key, text);
    return text;
  }

  private relative(link: string): string {
    const prefix = `${this.graph.baseUrl}/`;
    if (!link.startsWith(prefix))
      throw new Error(`Graph sent a nextLink outside ${this.graph.baseUrl}: not following it`);
    return `/${link.slice(prefix.length)}`;
  }
}

async function call<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw toGraphRequestError(e, what) ?? e;
  }
}
