import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { GraphEmulator } from './graph-emulator.js';

/**
 * Document libraries (drives) in the Graph emulator, as driveitem-list-versions.md describes
 * them: a site's drives, the children of the root and of any folder
 * (https://learn.microsoft.com/en-us/graph/api/driveitem-list-children, paged with `$top` and
 * `@odata.nextLink`), items, their versions (newest first, the current one included, ids
 * "1.0", "2.0" ...), and version content as a 302 redirect to a short-lived download URL. The
 * download URL is pre-authenticated: a request that brings a bearer token to it is refused, so
 * a client that leaks its Graph token there fails its tests.
 *
 * Registered by the emulator as one router before its own routes; it uses the emulator's public
 * faults, latency, authorization and request log, so faults and counts apply here too.
 */

export interface EmulatedFileVersion {
  readonly id: string;
  readonly content: string;
  readonly lastModifiedDateTime: string;
  readonly lastModifiedBy: { readonly id: string; readonly displayName: string };
}

export interface EmulatedFile {
  readonly id: string;
  readonly name: string;
  /** The folder path the file is in ("ISMS/ISMSP02"), "" for the library root. */
  readonly folder: string;
  readonly createdDateTime: string;
  /** Oldest first; the last one is the current version. */
  readonly versions: EmulatedFileVersion[];
}

export interface EmulatedDrive {
  readonly id: string;
  readonly name: string;
  readonly files: EmulatedFile[];
  /** Folders, by path ("ISMS", "ISMS/ISMSP02"); a file's folders are added when it is saved. */
  readonly folders: string[];
}

const DEFAULT_PAGE_SIZE = 200;
const EDITOR = { id: 'a6b1c2d3-0000-4000-8000-00000000e0e0', displayName: 'Jordan Lee' };

/** The drives of one emulator. */
export class EmulatedDrives {
  readonly drives: EmulatedDrive[] = [];
  /** Download token -> the content it serves. */
  readonly downloads = new Map<string, string>();

  constructor(readonly siteWebUrl: string) {}

  addLibrary(name: string): EmulatedDrive {
    const drive: EmulatedDrive = { id: `b!${randomUUID()}`, name, files: [], folders: [] };
    this.drives.push(drive);
    return drive;
  }

  private readonly folderIds = new Map<string, string>();

  /** A folder's item id, made on first use. */
  folderId(drive: EmulatedDrive, folder: string): string {
    const key = `${drive.id}|${folder.toLowerCase()}`;
    let id = this.folderIds.get(key);
    if (id === undefined) {
      id = randomUUID().toUpperCase();
      this.folderIds.set(key, id);
    }
    return id;
  }

  /**
   * Saves a file by its path in the library ("ISMS/ISMSP02/V1.md"): a new file at version 1.0,
   * or the next major version of an existing one. Its folders are made as needed.
   */
  save(
    drive: EmulatedDrive,
    filePath: string,
    content: string,
    at: Date = new Date(),
  ): EmulatedFile {
    const parts = filePath.split('/').filter((p) => p !== '');
    const name = parts.pop() ?? filePath;
    const folder = parts.join('/');
    parts.forEach((_, i) => {
      const above = parts.slice(0, i + 1).join('/');
      if (!drive.folders.some((f) => f.toLowerCase() === above.toLowerCase()))
        drive.folders.push(above);
    });
    let file = drive.files.find(
      (f) =>
        f.folder.toLowerCase() === folder.toLowerCase() &&
        f.name.toLowerCase() === name.toLowerCase(),
    );
    if (!file) {
      file = {
        id: randomUUID().toUpperCase(),
        name,
        folder,
        createdDateTime: at.toISOString(),
        versions: [],
      };
      drive.files.push(file);
    }
    file.versions.push({
      id: `${file.versions.length + 1}.0`,
      content,
      lastModifiedDateTime: at.toISOString(),
      lastModifiedBy: EDITOR,
    });
    return file;
  }

  /** Removes an old version, as a site owner trimming version history can. */
  deleteVersion(file: EmulatedFile, versionId: string): void {
    const i = file.versions.findIndex((v) => v.id === versionId);
    if (i >= 0 && i < file.versions.length - 1) file.versions.splice(i, 1);
  }

  webUrlOf(drive: EmulatedDrive, file?: EmulatedFile): string {
    const library = `${this.siteWebUrl}/${encodeURIComponent(drive.name)}`;
    if (!file) return library;
    const folders = file.folder === '' ? [] : file.folder.split('/');
    return [library, ...[...folders, file.name].map(encodeURIComponent)].join('/');
  }
}

const registry = new WeakMap<GraphEmulator, EmulatedDrives>();

/** The emulator's drives (made on first use). */
export function drivesOf(emulator: GraphEmulator): EmulatedDrives {
  let drives = registry.get(emulator);
  if (!drives) {
    drives = new EmulatedDrives(emulator.siteUrl);
    registry.set(emulator, drives);
  }
  return drives;
}

class DriveError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const itemNotFound = (): DriveError =>
  new DriveError(404, 'itemNotFound', 'The resource could not be found.');

const MIME_TYPES: Record<string, string> = {
  md: 'text/markdown',
  yaml: 'application/x-yaml',
  txt: 'text/plain',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
};

const parentOf = (drives: EmulatedDrives, drive: EmulatedDrive, folder: string) => ({
  driveId: drive.id,
  driveType: 'documentLibrary',
  id: folder === '' ? 'root' : drives.folderId(drive, folder),
  path: `/drive/root:${folder === '' ? '' : `/${folder.split('/').map(encodeURIComponent).join('/')}`}`,
});

const folderJson = (drives: EmulatedDrives, drive: EmulatedDrive, folder: string) => {
  const slash = folder.lastIndexOf('/');
  return {
    id: drives.folderId(drive, folder),
    name: folder.slice(slash + 1),
    parentReference: parentOf(drives, drive, slash < 0 ? '' : folder.slice(0, slash)),
    webUrl: `${drives.webUrlOf(drive)}/${folder.split('/').map(encodeURIComponent).join('/')}`,
    folder: { childCount: childrenOf(drive, folder).length },
  };
};

/** The folders and files directly in a folder ("" for the root), folders first. */
const childrenOf = (
  drive: EmulatedDrive,
  folder: string,
): ({ kind: 'folder'; path: string } | { kind: 'file'; file: EmulatedFile })[] => {
  const lower = folder.toLowerCase();
  const parent = (p: string): string => p.slice(0, Math.max(0, p.lastIndexOf('/'))).toLowerCase();
  return [
    ...drive.folders
      .filter((f) => parent(f) === lower && f.toLowerCase() !== lower)
      .map((f) => ({ kind: 'folder' as const, path: f })),
    ...drive.files
      .filter((f) => f.folder.toLowerCase() === lower)
      .map((file) => ({ kind: 'file' as const, file })),
  ];
};

const fileJson = (drives: EmulatedDrives, drive: EmulatedDrive, file: EmulatedFile) => {
  const current = file.versions.at(-1);
  const extension = /\.([^.]+)$/.exec(file.name)?.[1]?.toLowerCase() ?? '';
  return {
    id: file.id,
    name: file.name,
    createdDateTime: file.createdDateTime,
    lastModifiedDateTime: current?.lastModifiedDateTime ?? file.createdDateTime,
    size: Buffer.byteLength(current?.content ?? ''),
    webUrl: drives.webUrlOf(drive, file),
    parentReference: parentOf(drives, drive, file.folder),
    file: { mimeType: MIME_TYPES[extension] ?? 'application/octet-stream' },
  };
};

const versionJson = (v: EmulatedFileVersion) => ({
  id: v.id,
  lastModifiedDateTime: v.lastModifiedDateTime,
  lastModifiedBy: { user: v.lastModifiedBy },
  size: Buffer.byteLength(v.content),
});

export function driveRoutes(emulator: GraphEmulator): Router {
  const router = express.Router();
  const drives = drivesOf(emulator);

  router.get('/_download/:token', (req: Request, res: Response) => {
    const content = drives.downloads.get(String(req.params.token ?? ''));
    const status = req.get('authorization') ? 401 : content === undefined ? 404 : 200;
    emulator.log.push({ method: 'GET', path: '/_download', inner: false, status });
    if (status !== 200) {
      res.status(status).end();
      return;
    }
    res.status(200).type('text/markdown; charset=utf-8').send(content);
  });

  router.get(
    /^\/v1\.0\/(drives\/.*|sites\/[^/]+\/drives)$/,
    async (req: Request, res: Response) => {
      const url = new URL(req.originalUrl, 'http://emulator');
      const path = url.pathname.replace(/^\/v1\.0/, '');
      const origin = `${req.protocol}://${req.get('host') ?? ''}`;
      if (emulator.latencyMs > 0)
        await new Promise((resolve) => {
          setTimeout(resolve, emulator.latencyMs);
        });
      let status = 200;
      try {
        const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? null;
        const verdict = emulator.authorize?.(token, 'GET', path) ?? 200;
        if (verdict === 401)
          throw new DriveError(
            401,
            'InvalidAuthenticationToken',
            'Access token is empty or invalid.',
          );
        if (verdict === 403) throw new DriveError(403, 'accessDenied', 'Access denied');
        const fault = emulator.faults.find(
          (f) =>
            f.times > 0 &&
            (f.where ?? 'any') !== 'inner' &&
            (f.method === undefined || f.method === 'GET') &&
            (f.pathIncludes === undefined || path.includes(f.pathIncludes)),
        );
        if (fault) {
          fault.times -= 1;
          throw new DriveError(
            fault.status,
            fault.status === 429 ? 'TooManyRequests' : 'serviceNotAvailable',
            'Try again later',
            fault.retryAfterSeconds === undefined
              ? {}
              : { 'Retry-After': String(fault.retryAfterSeconds) },
          );
        }
        const answer = route(drives, path, url.searchParams, origin);
        status = answer.status;
        res.status(answer.status);
        if (answer.location !== undefined) res.setHeader('Location', answer.location);
        if (answer.body === undefined) res.end();
        else res.json(answer.body);
      } catch (e) {
        if (!(e instanceof DriveError)) throw e;
        status = e.status;
        for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
        res.status(e.status).json({
          error: {
            code: e.code,
            message: e.message,
            innerError: { date: new Date().toISOString(), 'request-id': randomUUID() },
          },
        });
      } finally {
        emulator.log.push({ method: 'GET', path, inner: false, status });
      }
    },
  );

  return router;
}

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly location?: string;
}

function route(
  drives: EmulatedDrives,
  path: string,
  query: URLSearchParams,
  origin: string,
): Answer {
  const siteDrives = /^\/sites\/[^/]+\/drives$/.exec(path);
  if (siteDrives)
    return {
      status: 200,
      body: {
        value: drives.drives.map((d) => ({
          id: d.id,
          name: d.name,
          driveType: 'documentLibrary',
          webUrl: drives.webUrlOf(d),
        })),
      },
    };
  const m = /^\/drives\/([^/]+)(\/.*)?$/.exec(path);
  const drive = drives.drives.find((d) => d.id === decodeURIComponent(m?.[1] ?? ''));
  if (!m || !drive) throw itemNotFound();
  const rest = m[2] ?? '';
  if (rest === '')
    return {
      status: 200,
      body: {
        id: drive.id,
        name: drive.name,
        driveType: 'documentLibrary',
        webUrl: drives.webUrlOf(drive),
      },
    };
  if (rest === '/root')
    return {
      status: 200,
      body: {
        id: 'root',
        name: 'root',
        folder: { childCount: childrenOf(drive, '').length },
        webUrl: drives.webUrlOf(drive),
      },
    };
  const children = (folder: string, self: string): Answer => {
    const top = Math.min(Number(query.get('$top') ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE, 999);
    const skip = Number(query.get('$skiptoken') ?? 0) || 0;
    const all = childrenOf(drive, folder).map((c) =>
      c.kind === 'folder' ? folderJson(drives, drive, c.path) : fileJson(drives, drive, c.file),
    );
    const page = all.slice(skip, skip + top);
    const next = skip + top < all.length;
    return {
      status: 200,
      body: {
        value: page,
        ...(next
          ? {
              '@odata.nextLink': `${origin}/v1.0/drives/${encodeURIComponent(drive.id)}${self}?$top=${top}&$skiptoken=${skip + top}`,
            }
          : {}),
      },
    };
  };
  if (rest === '/root/children') return children('', '/root/children');
  const item = /^\/items\/([^/]+)(\/.*)?$/.exec(rest);
  const itemId = decodeURIComponent(item?.[1] ?? '');
  const folder = drive.folders.find((f) => drives.folderId(drive, f) === itemId);
  if (item && folder !== undefined) {
    if ((item[2] ?? '') === '') return { status: 200, body: folderJson(drives, drive, folder) };
    if (item[2] === '/children')
      return children(folder, `/items/${encodeURIComponent(itemId)}/children`);
    throw itemNotFound();
  }
  const file = drive.files.find((f) => f.id === itemId);
  if (!item || !file) throw itemNotFound();
  const tail = item[2] ?? '';
  const download = (v: EmulatedFileVersion | undefined): Answer => {
    if (!v) throw itemNotFound();
    const token = randomUUID();
    drives.downloads.set(token, v.content);
    return { status: 302, location: `${origin}/_download/${token}` };
  };
  if (tail === '') return { status: 200, body: fileJson(drives, drive, file) };
  if (tail === '/content') return download(file.versions.at(-1));
  if (tail === '/versions')
    return { status: 200, body: { value: [...file.versions].reverse().map(versionJson) } };
  const version = /^\/versions\/([^/]+)(\/content)?$/.exec(tail);
  const v = file.versions.find((x) => x.id === decodeURIComponent(version?.[1] ?? ''));
  if (!version || !v) throw itemNotFound();
  return version[2] ? download(v) : { status: 200, body: versionJson(v) };
}
