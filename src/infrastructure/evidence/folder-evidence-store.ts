import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { RectifyError } from '../../domain/errors.js';
import type {
  CheckedEvidence,
  EvidenceStore,
  StoredEvidence,
} from '../../application/ports/evidence-store.js';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Evidence in a local folder (local mode), content-addressed: `<dir>/<aa>/<sha256>`, where
 * `aa` is the hash's first two hex digits. The folder lives under the data directory, never
 * under the folder the tab is served from. A file is written to a temporary name, flushed to
 * disk and renamed into place, so a process killed mid-write leaves no half file under a
 * hash; the bytes are hashed as they are written and must match the hash the checks gave.
 */
export class FolderEvidenceStore implements EvidenceStore {
  constructor(private readonly dir: string) {}

  private pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new RectifyError('EVIDENCE.NOT_FOUND');
    return path.join(this.dir, sha256.slice(0, 2), sha256);
  }

  async put(
    _carId: string,
    file: CheckedEvidence,
    content: () => AsyncIterable<Uint8Array>,
  ): Promise<StoredEvidence> {
    const target = this.pathOf(file.sha256);
    const stored = { ...file, location: path.relative(this.dir, target) };
    if (await exists(target)) return stored;
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomUUID()}.part`;
    const hash = createHash('sha256');
    let size = 0;
    const handle = await open(temp, 'wx');
    try {
      for await (const chunk of content()) {
        hash.update(chunk);
        size += chunk.length;
        await handle.write(chunk);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (hash.digest('hex') !== file.sha256 || size !== file.size) {
      await rm(temp, { force: true });
      throw new RectifyError('EVIDENCE.STORE_FAILED', { why: 'content changed while stored' });
    }
    await rename(temp, target);
    return stored;
  }

  async open(_carId: string, sha256: string): Promise<AsyncIterable<Uint8Array> | null> {
    if (!SHA256.test(sha256)) return null;
    const file = this.pathOf(sha256);
    if (!(await exists(file))) return null;
    return createReadStream(file, { highWaterMark: 64 * 1024 });
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
