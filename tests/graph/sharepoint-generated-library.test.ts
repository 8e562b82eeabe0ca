import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createGraphConnection } from '../../src/infrastructure/graph/graph-client.js';
import { SharePointProcedureLibrary } from '../../src/infrastructure/graph/sharepoint-procedure-library.js';
import { LocalFolderProcedureLibrary } from '../../src/infrastructure/procedures/local-folder-library.js';
import {
  generateProcedureLibrary,
  type GeneratedLibrary,
} from '../support/generated-procedure-library.js';
import { comparable, listThroughApi, proceduresApp } from '../support/procedure-listing.js';
import { drivesOf } from './emulator/drive-routes.js';
import { GraphEmulator } from './emulator/graph-emulator.js';

let work: string;
let g: GeneratedLibrary;
let emulator: GraphEmulator;
let library: SharePointProcedureLibrary;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'rectify-sp-library-'));
  g = generateProcedureLibrary(path.join(work, 'library'));
  emulator = new GraphEmulator();
  const url = await emulator.listen();
  const drives = drivesOf(emulator);
  const drive = drives.addLibrary('ISMS Documents');
  // Uploaded as a person would drag the folder into the library: every file, at its path.
  for (const file of g.files) drives.save(drive, file.path, file.text, g.savedAt);
  drive.folders.push(...g.emptyFolders);
  library = await SharePointProcedureLibrary.onSite(
    createGraphConnection({
      baseUrl: url,
      accessToken: () => Promise.resolve('emulator-token'),
      retry: { baseDelayMs: 10 },
    }),
    emulator.site.id,
    'ISMS Documents',
    { pageSize: 10 },
  );
});
afterAll(async () => {
  await emulator.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the generated library uploaded to a SharePoint document library', () => {
  it('gives the same listing through GET /api/procedures as the local folder', async () => {
    const local = await listThroughApi(proceduresApp(new LocalFolderProcedureLibrary(g.dir)));
    const remote = await listThroughApi(proceduresApp(library));
    expect(remote.status).toBe(200);
    expect(remote.body.items).toHaveLength(g.documents.length);
    expect(comparable(remote.body)).toEqual(comparable(local.body, g.localOnly));
    // Every folder was read page by page: the listing took more than one page somewhere.
    expect(
      emulator.log.some((r) => r.path.endsWith('/children') && r.path.includes('/items/')),
    ).toBe(true);
  }, 120_000);

  it('points each revision of a document folder at the current version of its file', async () => {
    const { procedures } = await library.list();
    const folderDoc = g.documents.find((d) => !d.location.endsWith('.md') && d.versions.length > 1);
    const p = procedures.find((x) => x.id === folderDoc?.id);
    expect(p?.revisions.map((r) => r.versionName)).toEqual(folderDoc?.versions);
    const source = p?.revisions[0]?.source;
    expect(source).toMatchObject({ kind: 'sharepoint', versionId: '1.0' });
    expect(source?.kind === 'sharepoint' ? decodeURIComponent(source.webUrl) : '').toContain(
      `${folderDoc?.location ?? ''}/V1.md`,
    );
    const text = await library.content(folderDoc?.id ?? '', folderDoc?.versions[0] ?? '');
    expect(text).toContain('Text of revision 1.');
  }, 120_000);
});
