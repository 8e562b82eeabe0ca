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
import { describeInferred, parseProcedureDocument } from '../procedures/procedure-document.js';
import { GraphRequestError, toGraphRequestError, type GraphConnection } from './graph-client.js';

/**
 * The procedure library as a SharePoint document library, through Microsoft Graph: each
 * markdown file in the library's root is one procedure, and the file's versions are its
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
 * Graph gives no address per version (PLATFORM.md "Documents"): a revision keeps
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
    const files: DriveFile[] = [];
    let settingsFile: { id: string; stamp: string } | null = null;
    for await (const item of this.rootChildren()) {
      const name = typeof item.name === 'string' ? item.name : '';
      if (isRecord(item.folder)) {
        problems.push({
          path: name,
          procedureId: null,
          severity: 'warning',
          reason: 'a folder: only files in the library root are read',
        });
        continue;
      }
      if (name.toLowerCase() === SETTINGS_FILE && typeof item.id === 'string') {
        settingsFile = {
          id: item.id,
          stamp: `${String(item.lastModifiedDateTime)}|${String(item.size)}`,
        };
        continue;
      }
      if (!name.toLowerCase().endsWith('.md') || typeof item.id !== 'string') {
        problems.push({
          path: name,
          procedureId: null,
          severity: 'warning',
          reason: 'not a markdown procedure (.md): ignored',
        });
        continue;
      }
      files.push({
        id: item.id,
        name,
        webUrl: typeof item.webUrl === 'string' ? item.webUrl : '',
        stamp: `${String(item.lastModifiedDateTime)}|${String(item.size)}`,
      });
    }
    const settings = settingsFile ? await this.settings(settingsFile, problems) : NO_SETTINGS;
    const procedures: (Procedure | null)[] = new Array<Procedure | null>(files.length).fill(null);
    const perFile: LibraryProblem[][] = files.map(() => []);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < files.length; i = next++) {
        const file = files[i];
        const found = perFile[i];
        if (file && found) procedures[i] = await this.readFile(file, settings, found);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
    problems.push(...perFile.flat());
    const taken = new Map<string, string>();
    const result: Procedure[] = [];
    procedures.forEach((p, i) => {
      if (!p) return;
      const other = taken.get(p.id);
      if (other !== undefined) {
        problems.push({
          path: files[i]?.name ?? '',
          procedureId: p.id,
          severity: 'error',
          reason: `procedure id ${p.id} is already used by ${other}: file left out`,
        });
        return;
      }
      taken.set(p.id, files[i]?.name ?? '');
      result.push(p);
    });
    return { procedures: result, problems };
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

  private async readFile(
    file: DriveFile,
    settings: LibrarySettings,
    problems: LibraryProblem[],
  ): Promise<Procedure | null> {
    const versions = await this.versions(file.id, file.stamp);
    const title = file.name.replace(/\.md$/i, '');
    const read: {
      version: FileVersion;
      doc: Exclude<ReturnType<typeof parseProcedureDocument>, { ok: false }>['document'];
    }[] = [];
    for (const [i, version] of versions.entries()) {
      const where = `${file.name} (version ${version.id})`;
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
        path: file.name,
        procedureId: null,
        severity: 'error',
        reason: 'no readable version: procedure left out',
      });
      return null;
    }
    const newestFirst = [...read].reverse();
    const uuid = newestFirst.find((r) => r.doc.uuid !== null)?.doc.uuid ?? null;
    const docId = newestFirst.find((r) => r.doc.docId !== null)?.doc.docId ?? null;
    const id = uuid ?? docId ?? title;
    if (uuid === null)
      problems.push({
        path: file.name,
        procedureId: id,
        severity: 'warning',
        reason: `no uuid in any version: the procedure is known by its ${docId === null ? 'file name' : 'doc id'} ${id}`,
      });
    // Saved again without a new version_name (a typo fixed): the last save is the revision.
    const byVersion = new Map<string, ProcedureRevision>();
    for (const { version, doc } of read) {
      const where = `${file.name} (version ${version.id})`;
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
    );
  }

  private drivePath(rest: string): string {
    return `/drives/${encodeURIComponent(this.options.driveId)}${rest}`;
  }

  private async *rootChildren(): AsyncGenerator<Record<string, unknown>> {
    let path: string | null = this.drivePath(
      `/root/children?$select=id,name,file,folder,webUrl,lastModifiedDateTime,size&$top=${this.options.pageSize ?? 200}`,
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
