import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createGraphConnection } from '../../src/infrastructure/graph/graph-client.js';
import {
  CHUNK_BYTES,
  SharePointEvidenceStore,
} from '../../src/infrastructure/graph/sharepoint-evidence-store.js';
import {
  checked,
  describeEvidenceStoreContract,
  piecesOf,
  readAll,
} from '../contract/evidence-store.contract.js';
import { GraphEmulator } from './emulator/graph-emulator.js';
import { addUploadLibrary, type EmulatedUploadLibrary } from './emulator/upload-routes.js';

async function start(): Promise<{
  emulator: GraphEmulator;
  library: EmulatedUploadLibrary;
  store: SharePointEvidenceStore;
}> {
  const emulator = new GraphEmulator();
  const url = await emulator.listen();
  const library = addUploadLibrary(emulator, 'Rectify Evidence');
  const connection = createGraphConnection({
    baseUrl: url,
    accessToken: () => Promise.resolve('emulator-token'),
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
  const store = new SharePointEvidenceStore(connection, {
    driveId: library.driveId,
    sleep: () => Promise.resolve(),
  });
  return { emulator, library, store };
}

describeEvidenceStoreContract('SharePointEvidenceStore on the Graph emulator', async () => {
  const { emulator, library, store } = await start();
  return {
    store,
    copies: (sha) =>
      Promise.resolve(
        [...library.files.values()].filter((f) => f.path.includes(`/${sha.slice(0, 16)}-`)).length,
      ),
    close: () => emulator.close(),
  };
});

describe('SharePointEvidenceStore, as Graph sees it', () => {
  let emulator: GraphEmulator;
  let library: EmulatedUploadLibrary;
  let store: SharePointEvidenceStore;
  beforeAll(async () => {
    ({ emulator, library, store } = await start());
  });
  afterAll(() => emulator.close());

  const uploadPuts = () => emulator.log.filter((e) => e.method === 'PUT' && e.path === '/_upload');

  it('uploads in fragments of a multiple of 320 KiB, without an Authorization header', async () => {
    const bytes = randomBytes(CHUNK_BYTES * 2 + 12_345);
    emulator.resetLog();
    await store.put('car-frag', checked(bytes), () => piecesOf(bytes, 100_000));
    // The emulator answers 401 to a fragment that brings a token: all were accepted.
    expect(uploadPuts().map((e) => e.status)).toEqual([202, 202, 201]);
    expect(CHUNK_BYTES % (320 * 1024)).toBe(0);
    expect(library.largestFragment).toBe(CHUNK_BYTES);
  });

  it('waits out a storm of 429 answers during an upload and stores the file once', async () => {
    const bytes = randomBytes(CHUNK_BYTES * 2 + 1);
    emulator.fail({
      status: 429,
      retryAfterSeconds: 0,
      times: 5,
      method: 'PUT',
      pathIncludes: '/_upload',
    });
    emulator.resetLog();
    const file = checked(bytes, 'storm.pdf');
    await store.put('car-storm', file, () => piecesOf(bytes));
    expect(uploadPuts().filter((e) => e.status === 429)).toHaveLength(5);
    const stored = [...library.files.values()].filter((f) => f.path.startsWith('/car-storm/'));
    expect(stored).toHaveLength(1);
    expect(stored[0]?.content.equals(bytes)).toBe(true);
  });

  it('stores one file, not two, when the last fragment is answered 504 after it was committed', async () => {
    const bytes = randomBytes(CHUNK_BYTES + 77);
    const file = checked(bytes, 'gateway.png');
    emulator.resetLog();
    // The first fragment goes through; the last is committed, then answered 504.
    let yielded = 0;
    const wrapped = async function* () {
      for await (const p of piecesOf(bytes)) {
        if (yielded >= CHUNK_BYTES && yielded < CHUNK_BYTES + p.length)
          emulator.fail({
            status: 504,
            times: 1,
            method: 'PUT',
            pathIncludes: '/_upload',
            afterWrite: true,
          });
        yielded += p.length;
        yield p;
      }
    };
    await store.put('car-504', file, wrapped);
    expect(
      uploadPuts()
        .map((e) => e.status)
        .at(-1),
    ).toBe(504);
    const stored = [...library.files.values()].filter((f) => f.path.startsWith('/car-504/'));
    expect(stored).toHaveLength(1);
    expect(stored[0]?.content.equals(bytes)).toBe(true);
    // Storing it again finds it there and sends nothing.
    emulator.resetLog();
    await store.put('car-504', file, () => piecesOf(bytes));
    expect(uploadPuts()).toHaveLength(0);
    const back = await store.open('car-504', file.sha256);
    expect((await readAll(back ?? piecesOf(new Uint8Array()))).equals(bytes)).toBe(true);
  });
});
