import type {
  CheckedEvidence,
  EvidenceStore,
  StoredEvidence,
} from '../../application/ports/evidence-store.js';
import { RectifyError } from '../../domain/errors.js';
import {
  RetryPolicy,
  retryAfterMs,
  toGraphRequestError,
  type GraphConnection,
} from './graph-client.js';

/**
 * Evidence in the SharePoint document library "Rectify Evidence", one folder per CAR, each
 * file named `<first 16 hex digits of its SHA-256>-<name>` so that the same content finds the
 * same item. Uploaded through an upload session
 * (https://learn.microsoft.com/graph/api/driveitem-createuploadsession): fragments of
 * CHUNK_BYTES, a multiple of 320 KiB and under 60 MiB, sent to the pre-authenticated upload
 * URL without an Authorization header. Only one fragment is held in memory.
 *
 * - 429 and 503 on a fragment: wait its Retry-After and send the same fragment again.
 * - 416 or an unknown outcome (504, a dropped connection): ask the session where it stands
 *   and go on from there; after the last fragment, look the item up first: a 504 answered
 *   after Graph committed the file means it is there, and it is not uploaded twice.
 * - The item already there (a retry of an earlier upload): nothing is sent again.
 */

export const CHUNK_BYTES = 10 * 320 * 1024;
const MAX_ATTEMPTS = 8;
const MAX_WAIT_MS = 30_000;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export interface SharePointEvidenceOptions {
  readonly driveId: string;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Bytes per fragment; a multiple of 320 KiB. */
  readonly chunkBytes?: number;
}

export class SharePointEvidenceStore implements EvidenceStore {
  private readonly chunk: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly graph: GraphConnection,
    private readonly options: SharePointEvidenceOptions,
  ) {
    this.chunk = options.chunkBytes ?? CHUNK_BYTES;
    if (this.chunk % (320 * 1024) !== 0 || this.chunk > 60 * 1024 * 1024)
      throw new Error('upload fragments are multiples of 320 KiB, under 60 MiB');
    this.sleep =
      options.sleep ??
      ((ms) =>
        new Promise((resolve) => {
          setTimeout(resolve, ms);
        }));
  }

  private itemPath(carId: string, file: { sha256: string; name: string }): string {
    const folder = encodeURIComponent(carId.replace(/[^\w-]/g, '_'));
    return `/${folder}/${encodeURIComponent(`${file.sha256.slice(0, 16)}-${file.name}`)}`;
  }

  private drivePath(rest: string): string {
    return `/drives/${encodeURIComponent(this.options.driveId)}/root:${rest}`;
  }

  /** The item at a path, or null. */
  private async item(path: string): Promise<Record<string, unknown> | null> {
    try {
      const json = (await this.graph.client.api(this.drivePath(path)).get()) as unknown;
      return isRecord(json) ? json : null;
    } catch (e) {
      const err = toGraphRequestError(e, 'reading an evidence file');
      if (err?.status === 404) return null;
      throw new RectifyError('EVIDENCE.STORE_FAILED', {}, err?.message ?? String(e));
    }
  }

  async put(
    carId: string,
    file: CheckedEvidence,
    content: () => AsyncIterable<Uint8Array>,
  ): Promise<StoredEvidence> {
    const path = this.itemPath(carId, file);
    const stored = (item: Record<string, unknown>): StoredEvidence => ({
      ...file,
      location: typeof item.id === 'string' ? item.id : path,
    });
    const existing = await this.item(path);
    if (existing && existing.size === file.size) return stored(existing);
    let uploadUrl: string;
    try {
      const session = (await this.graph.client
        .api(`${this.drivePath(path)}:/createUploadSession`)
        .middlewareOptions([new RetryPolicy(true)])
        .post({ item: { '@microsoft.graph.conflictBehavior': 'fail' } })) as unknown;
      if (!isRecord(session) || typeof session.uploadUrl !== 'string')
        throw new Error('no uploadUrl in the upload session');
      uploadUrl = session.uploadUrl;
    } catch (e) {
      const err = toGraphRequestError(e, 'starting an evidence upload');
      if (err?.status === 409) {
        const item = await this.item(path);
        if (item) return stored(item);
      }
      throw new RectifyError('EVIDENCE.STORE_FAILED', {}, err?.message ?? String(e));
    }
    let sent = 0;
    for await (const fragment of fragments(content(), this.chunk)) {
      const last = sent + fragment.length === file.size;
      const done = await this.sendFragment(uploadUrl, fragment, sent, file.size, last, path);
      sent += fragment.length;
      if (done) return stored(done);
    }
    throw new RectifyError('EVIDENCE.STORE_FAILED', {
      why: 'the content was shorter than its size',
    });
  }

  /** Sends one fragment until Graph took it; the item when it was the last. */
  private async sendFragment(
    uploadUrl: string,
    fragment: Uint8Array,
    start: number,
    total: number,
    last: boolean,
    path: string,
  ): Promise<Record<string, unknown> | null> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      let res: Response | null = null;
      try {
        // The upload URL is pre-authenticated: no Authorization header (createuploadsession).
        res = await fetch(uploadUrl, {
          method: 'PUT',
          headers: {
            'Content-Length': String(fragment.length),
            'Content-Range': `bytes ${start}-${start + fragment.length - 1}/${total}`,
          },
          body: fragment,
        });
      } catch {
        res = null;
      }
      if (res && (res.status === 200 || res.status === 201)) {
        const json = await res.json();
        return isRecord(json) ? json : {};
      }
      if (res?.status === 202) {
        await res.arrayBuffer();
        return null;
      }
      if (res && (res.status === 429 || res.status === 503)) {
        const wait = retryAfterMs(res.headers.get('Retry-After')) ?? 1000 * 2 ** attempt;
        await res.arrayBuffer();
        await this.sleep(Math.min(MAX_WAIT_MS, wait));
        continue;
      }
      await res?.arrayBuffer();
      // Outcome unknown (504, dropped) or out of order (416): where does the upload stand?
      if (last) {
        const item = await this.item(path);
        if (item && item.size === total) return item;
      }
      const status = await fetch(uploadUrl).catch(() => null);
      if (status?.ok) {
        const json = await status.json();
        const next =
          isRecord(json) && Array.isArray(json.nextExpectedRanges)
            ? String(json.nextExpectedRanges[0] ?? '')
            : '';
        const from = Number(next.split('-')[0]);
        // Graph took this fragment already: go on with the next one.
        if (from === start + fragment.length) return null;
      } else await status?.arrayBuffer();
      await this.sleep(Math.min(MAX_WAIT_MS, 500 * 2 ** attempt));
    }
    throw new RectifyError('EVIDENCE.STORE_FAILED', { why: 'the upload did not go through' });
  }

  async open(carId: string, sha256: string): Promise<AsyncIterable<Uint8Array> | null> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return null;
    const folder = encodeURIComponent(carId.replace(/[^\w-]/g, '_'));
    let json: unknown;
    try {
      json = await this.graph.client.api(this.drivePath(`/${folder}:/children`)).get();
    } catch (e) {
      const err = toGraphRequestError(e, 'listing evidence');
      if (err?.status === 404) return null;
      throw new RectifyError('EVIDENCE.STORE_FAILED', {}, err?.message ?? String(e));
    }
    const items = isRecord(json) && Array.isArray(json.value) ? (json.value as unknown[]) : [];
    const item = items.find(
      (i): i is Record<string, unknown> =>
        isRecord(i) && typeof i.name === 'string' && i.name.startsWith(`${sha256.slice(0, 16)}-`),
    );
    const url = item?.['@microsoft.graph.downloadUrl'];
    if (typeof url !== 'string') return null;
    // A pre-authenticated, short-lived URL: no token goes there.
    const res = await fetch(url);
    if (!res.ok || !res.body)
      throw new RectifyError('EVIDENCE.STORE_FAILED', { status: res.status });
    return res.body;
  }
}

/** The content in fragments of exactly `size` bytes (the last may be shorter). */
async function* fragments(
  source: AsyncIterable<Uint8Array>,
  size: number,
): AsyncIterable<Uint8Array> {
  let buffer = new Uint8Array(size);
  let filled = 0;
  for await (const chunk of source) {
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(size - filled, chunk.length - at);
      buffer.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === size) {
        yield buffer;
        buffer = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}
