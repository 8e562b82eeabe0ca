import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { GraphEmulator } from './graph-emulator.js';

/**
 * Large-file uploads to a document library in the Graph emulator, after
 * https://learn.microsoft.com/graph/api/driveitem-createuploadsession:
 *
 * - `POST /drives/{id}/root:/{path}:/createUploadSession` answers an `uploadUrl` (here
 *   `/_upload/{session}` on the emulator, outside /v1.0), `expirationDateTime` and
 *   `nextExpectedRanges`; with `@microsoft.graph.conflictBehavior: fail` an existing item
 *   answers 409 `nameAlreadyExists`.
 * - `PUT {uploadUrl}` with `Content-Range: bytes a-b/total` and `Content-Length`: each
 *   fragment a multiple of 320 KiB (327,680 bytes) except the last, at most 60 MiB, starting
 *   where `nextExpectedRanges` says; 202 with the next ranges until the last, then 201 with
 *   the driveItem. The upload URL is pre-authenticated: "Including the Authorization header
 *   ... may result in a 401" – here it always does (stricter). A fragment out of order: 416.
 * - `GET {uploadUrl}` answers the session's status; after the last fragment the session is
 *   gone (404).
 * - `GET /drives/{id}/root:/{path}` and `.../root:/{folder}:/children` answer driveItems with
 *   `@microsoft.graph.downloadUrl`, a short-lived pre-authenticated URL (a token brought to
 *   it is refused with 401).
 *
 * Faults from `emulator.fail({ pathIncludes: '/_upload', ... })` hit upload PUTs, with
 * `afterWrite` for a 504 answered after the fragment was taken (and, for the last one, after
 * the file was committed). Requests are logged like the emulator's own.
 */

export const FRAGMENT_MULTIPLE = 320 * 1024;
export const MAX_FRAGMENT = 60 * 1024 * 1024;

export interface EmulatedUploadFile {
  readonly id: string;
  readonly path: string;
  readonly content: Buffer;
  readonly createdDateTime: string;
}

interface Session {
  readonly id: string;
  readonly drive: string;
  readonly path: string;
  total: number | null;
  readonly parts: Buffer[];
  received: number;
}

export class EmulatedUploadLibrary {
  readonly files = new Map<string, EmulatedUploadFile>();
  readonly sessions = new Map<string, Session>();
  readonly downloads = new Map<string, EmulatedUploadFile>();
  /** Bytes of the largest fragment received, for tests of the client's chunking. */
  largestFragment = 0;

  constructor(
    readonly driveId: string,
    readonly name: string,
  ) {}
}

const libraries = new WeakMap<object, EmulatedUploadLibrary[]>();

/** Adds a document library that takes upload sessions (e.g. "Rectify Evidence"). */
export function addUploadLibrary(emulator: object, name: string): EmulatedUploadLibrary {
  const list = libraries.get(emulator) ?? [];
  const library = new EmulatedUploadLibrary(`b!${randomUUID()}`, name);
  list.push(library);
  libraries.set(emulator, list);
  return library;
}

const libraryOf = (emulator: object, driveId: string): EmulatedUploadLibrary | undefined =>
  (libraries.get(emulator) ?? []).find((l) => l.driveId === driveId);

const graphError = (res: Response, status: number, code: string, message: string): void => {
  res
    .status(status)
    .json({ error: { code, message, innerError: { date: new Date().toISOString() } } });
};

export function uploadRoutes(emulator: GraphEmulator): Router {
  const router = express.Router();
  const origin = (req: Request) => `${req.protocol}://${req.get('host') ?? ''}`;
  const log = (method: string, path: string, status: number) => {
    emulator.log.push({ method, path, inner: false, status });
  };

  const itemJson = (req: Request, library: EmulatedUploadLibrary, f: EmulatedUploadFile) => {
    const token = randomUUID();
    library.downloads.set(token, f);
    return {
      id: f.id,
      name: f.path.split('/').at(-1),
      size: f.content.length,
      createdDateTime: f.createdDateTime,
      file: { mimeType: 'application/octet-stream' },
      parentReference: { driveId: library.driveId },
      '@microsoft.graph.downloadUrl': `${origin(req)}/_upload-download/${token}`,
    };
  };

  router.all(/^\/v1\.0\/drives\/([^/]+)\/root:(.+)$/, (req, res, next) => {
    const library = libraryOf(emulator, decodeURIComponent(req.params[0] ?? ''));
    if (!library) {
      next();
      return;
    }
    const denied =
      emulator.authorize?.(
        /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? null,
        req.method,
        req.path,
      ) ?? 200;
    const full = decodeURIComponent(new URL(req.originalUrl, 'http://x').pathname).replace(
      /^.*?\/root:/,
      '',
    );
    const done = (status: number) => {
      log(req.method, `/drives/${library.driveId}/root:${full}`, status);
    };
    if (denied !== 200) {
      done(denied);
      graphError(
        res,
        denied,
        denied === 401 ? 'InvalidAuthenticationToken' : 'accessDenied',
        'Access denied',
      );
      return;
    }
    const session = /^(\/.+):\/createUploadSession$/.exec(full);
    const children = /^(\/.+):\/children$/.exec(full);
    if (session && req.method === 'POST') {
      const path = session[1] ?? '';
      const body = req.body as { item?: Record<string, unknown> } | undefined;
      const behaviour = body?.item?.['@microsoft.graph.conflictBehavior'] ?? 'replace';
      if (library.files.has(path.toLowerCase()) && behaviour === 'fail') {
        done(409);
        graphError(res, 409, 'nameAlreadyExists', 'The specified item name already exists.');
        return;
      }
      const s: Session = {
        id: randomUUID(),
        drive: library.driveId,
        path,
        total: null,
        parts: [],
        received: 0,
      };
      library.sessions.set(s.id, s);
      done(200);
      res.json({
        uploadUrl: `${origin(req)}/_upload/${s.id}`,
        expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
        nextExpectedRanges: ['0-'],
      });
      return;
    }
    if (req.method !== 'GET') {
      done(405);
      graphError(res, 405, 'invalidRequest', `${req.method} is not supported here`);
      return;
    }
    if (children) {
      const folder = `${(children[1] ?? '').toLowerCase()}/`;
      const value = [...library.files.values()]
        .filter(
          (f) =>
            f.path.toLowerCase().startsWith(folder) && !f.path.slice(folder.length).includes('/'),
        )
        .map((f) => itemJson(req, library, f));
      done(200);
      res.json({ value });
      return;
    }
    const file = library.files.get(full.replace(/:$/, '').toLowerCase());
    if (!file) {
      done(404);
      graphError(res, 404, 'itemNotFound', 'The resource could not be found.');
      return;
    }
    done(200);
    res.json(itemJson(req, library, file));
  });

  const findSession = (id: string): { library: EmulatedUploadLibrary; session: Session } | null => {
    for (const library of libraries.get(emulator) ?? []) {
      const session = library.sessions.get(id);
      if (session) return { library, session };
    }
    return null;
  };

  router.get('/_upload/:id', (req, res) => {
    const found = findSession(req.params.id);
    log('GET', '/_upload', found ? 200 : 404);
    if (!found) {
      graphError(res, 404, 'itemNotFound', 'The upload session was not found.');
      return;
    }
    res.json({
      expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
      nextExpectedRanges: [`${found.session.received}-`],
    });
  });

  router.put('/_upload/:id', express.raw({ type: () => true, limit: '61mb' }), (req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      log('PUT', '/_upload', status);
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      res.status(status).json(body);
    };
    if (req.get('authorization')) {
      send(401, {
        error: {
          code: 'unauthenticated',
          message: 'The upload URL is pre-authenticated: send no Authorization header.',
        },
      });
      return;
    }
    const found = findSession(req.params.id);
    if (!found) {
      send(404, { error: { code: 'itemNotFound', message: 'The upload session was not found.' } });
      return;
    }
    const { library, session } = found;
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(req.get('content-range') ?? '');
    const length = Number(req.get('content-length') ?? -1);
    if (!range || length !== body.length) {
      send(400, {
        error: { code: 'invalidRequest', message: 'Content-Range and Content-Length are required' },
      });
      return;
    }
    const start = Number(range[1]);
    const end = Number(range[2]);
    const total = Number(range[3]);
    const last = end + 1 === total;
    if (end - start + 1 !== body.length || (session.total !== null && session.total !== total)) {
      send(400, { error: { code: 'invalidRange', message: 'The range does not match the body' } });
      return;
    }
    if (body.length > MAX_FRAGMENT || (!last && body.length % FRAGMENT_MULTIPLE !== 0)) {
      send(400, {
        error: {
          code: 'invalidRange',
          message: 'Fragments are multiples of 320 KiB, at most 60 MiB',
        },
      });
      return;
    }
    if (start !== session.received) {
      send(416, {
        error: { code: 'invalidRange', message: `Expected the range ${session.received}-` },
      });
      return;
    }
    const fault = emulator.faults.find(
      (f) =>
        f.times > 0 &&
        (f.method === undefined || f.method === 'PUT') &&
        f.pathIncludes !== undefined &&
        '/_upload'.includes(f.pathIncludes),
    );
    if (fault) fault.times -= 1;
    if (fault && !fault.afterWrite) {
      send(
        fault.status,
        { error: { code: 'throttled', message: 'Try again later' } },
        fault.retryAfterSeconds === undefined
          ? {}
          : { 'Retry-After': String(fault.retryAfterSeconds) },
      );
      return;
    }
    library.largestFragment = Math.max(library.largestFragment, body.length);
    session.total = total;
    session.parts.push(body);
    session.received = end + 1;
    let answer: { status: number; body: unknown };
    if (last) {
      library.sessions.delete(session.id);
      const file: EmulatedUploadFile = {
        id: randomUUID(),
        path: session.path,
        content: Buffer.concat(session.parts),
        createdDateTime: new Date().toISOString(),
      };
      library.files.set(session.path.toLowerCase(), file);
      answer = { status: 201, body: itemJson(req, library, file) };
    } else answer = { status: 202, body: { nextExpectedRanges: [`${session.received}-`] } };
    if (fault) {
      send(fault.status, { error: { code: 'gatewayTimeout', message: 'The gateway timed out' } });
      return;
    }
    send(answer.status, answer.body);
  });

  router.get('/_upload-download/:token', (req, res) => {
    const token = req.params.token;
    const file = (libraries.get(emulator) ?? []).map((l) => l.downloads.get(token)).find(Boolean);
    const status = req.get('authorization') ? 401 : file ? 200 : 404;
    log('GET', '/_upload-download', status);
    if (!file || status !== 200) {
      res.status(status).end();
      return;
    }
    res.status(200).type('application/octet-stream').send(file.content);
  });

  return router;
}
