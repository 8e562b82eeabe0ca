/**
 * The behaviour every EvidenceStore adapter must have. An adapter's test file calls
 * `describeEvidenceStoreContract('Name', makeStore)`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import type { CheckedEvidence, EvidenceStore } from '../../src/application/ports/evidence-store.js';

export type MakeEvidenceStore = () => Promise<{
  store: EvidenceStore;
  /** How many copies of a content the store holds, however it keeps them. */
  copies: (sha256: string) => Promise<number>;
  close: () => Promise<void>;
}>;

export const checked = (bytes: Uint8Array, name = 'screenshot.png'): CheckedEvidence => ({
  sha256: createHash('sha256').update(bytes).digest('hex'),
  name,
  type: 'image/png',
  size: bytes.length,
});

/** The content in pieces of `size` bytes, as a request body arrives. */
export async function* piecesOf(bytes: Uint8Array, size = 64 * 1024): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) {
    await Promise.resolve();
    yield bytes.subarray(at, at + size);
  }
}

export async function readAll(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of source) parts.push(Buffer.from(p));
  return Buffer.concat(parts);
}

export function describeEvidenceStoreContract(name: string, make: MakeEvidenceStore): void {
  describe(`EvidenceStore contract: ${name}`, () => {
    let store: EvidenceStore;
    let copies: (sha256: string) => Promise<number>;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, copies, close } = await make());
    });
    afterAll(async () => {
      await close();
    });

    it('gives back exactly the bytes it was given, over several fragments', async () => {
      const bytes = randomBytes(1_300_000);
      const file = checked(bytes);
      await store.put('car-1', file, () => piecesOf(bytes));
      const back = await store.open('car-1', file.sha256);
      expect(back).not.toBeNull();
      expect((await readAll(back ?? piecesOf(new Uint8Array()))).equals(bytes)).toBe(true);
    });

    it('keeps one copy when the same content is stored twice', async () => {
      const bytes = randomBytes(5_000);
      const file = checked(bytes, 'log.txt');
      const first = await store.put('car-2', file, () => piecesOf(bytes));
      const second = await store.put('car-2', file, () => piecesOf(bytes));
      expect(second.location).toBe(first.location);
      expect(await copies(file.sha256)).toBe(1);
    });

    it('answers null for content it does not hold, or a forged hash', async () => {
      expect(await store.open('car-1', 'a'.repeat(64))).toBeNull();
      expect(await store.open('car-1', '../../etc/passwd')).toBeNull();
    });
  });
}
