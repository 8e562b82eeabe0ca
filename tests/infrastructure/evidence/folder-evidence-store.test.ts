import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RectifyError } from '../../../src/domain/errors.js';
import { FolderEvidenceStore } from '../../../src/infrastructure/evidence/folder-evidence-store.js';
import {
  checked,
  describeEvidenceStoreContract,
  piecesOf,
} from '../../contract/evidence-store.contract.js';

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));

describeEvidenceStoreContract('FolderEvidenceStore on a local folder', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rectify-evidence-'));
  return Promise.resolve({
    store: new FolderEvidenceStore(dir),
    copies: (sha) => Promise.resolve(filesUnder(dir).filter((f) => f.endsWith(sha)).length),
    close: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
});

describe('FolderEvidenceStore', () => {
  it('stores nothing when the content is not what was checked', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rectify-evidence-'));
    try {
      const store = new FolderEvidenceStore(dir);
      const file = checked(randomBytes(1000));
      await expect(
        store.put('car', file, () => piecesOf(randomBytes(1000))),
      ).rejects.toBeInstanceOf(RectifyError);
      expect(filesUnder(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
