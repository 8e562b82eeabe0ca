import { testAudit } from '../support/audit-seal.js';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ProcedureRevisionWatcher } from '../../src/application/procedure-revision-watcher.js';
import { DEFAULT_SERVICE_LEVELS } from '../../src/domain/calendar/service-levels.js';
import { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { RectifyError } from '../../src/domain/errors.js';
import { openDatabase } from '../../src/infrastructure/sqlite/database.js';
import { SqliteCarRepository } from '../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { anOperationContext, changeWithAudit, storeCarInState } from '../support/car-mother.js';
import {
  createGraphConnection,
  type GraphConnection,
} from '../../src/infrastructure/graph/graph-client.js';
import { SharePointProcedureLibrary } from '../../src/infrastructure/graph/sharepoint-procedure-library.js';
import { LocalFolderProcedureLibrary } from '../../src/infrastructure/procedures/local-folder-library.js';
import { drivesOf, type EmulatedDrive } from './emulator/drive-routes.js';
import { GraphEmulator } from './emulator/graph-emulator.js';

const SAMPLE = path.resolve('procedures');
const LIBRARY = 'ISMS Procedures';

let emulator: GraphEmulator;
let graph: GraphConnection;
let drive: EmulatedDrive;

beforeEach(async () => {
  emulator = new GraphEmulator();
  const url = await emulator.listen();
  graph = createGraphConnection({
    baseUrl: url,
    accessToken: () => Promise.resolve('emulator-token'),
    retry: { baseDelayMs: 10 },
  });
  drive = drivesOf(emulator).addLibrary(LIBRARY);
});

afterEach(async () => {
  await emulator.close();
});

/** The sample library as SharePoint would hold it: one file per procedure, a version per revision. */
function uploadSampleLibrary(): void {
  const drives = drivesOf(emulator);
  drives.save(drive, 'library.yaml', readFileSync(path.join(SAMPLE, 'library.yaml'), 'utf8'));
  for (const folder of readdirSync(SAMPLE, { withFileTypes: true }).filter((d) =>
    d.isDirectory(),
  )) {
    const files = readdirSync(path.join(SAMPLE, folder.name)).sort();
    files.forEach((file, i) => {
      const text = readFileSync(path.join(SAMPLE, folder.name, file), 'utf8');
      drives.save(drive, `${folder.name}.md`, text, new Date(Date.UTC(2025, i, 10)));
    });
  }
}

const downloads = (): number => emulator.log.filter((r) => r.path === '/_download').length;

const codeOf = async (work: () => Promise<unknown>): Promise<string | undefined> => {
  try {
    await work();
  } catch (e) {
    return e instanceof RectifyError ? e.code : `not a RectifyError: ${String(e)}`;
  }
  return undefined;
};

describe('the procedure library in a SharePoint document library', () => {
  it('lists the same procedures and revisions as the local folder, each revision pointing at its file version', async () => {
    uploadSampleLibrary();
    const library = await SharePointProcedureLibrary.onSite(graph, emulator.site.id, LIBRARY);
    const { procedures, problems } = await library.list();
    const local = await new LocalFolderProcedureLibrary(SAMPLE).list();
    expect(problems).toEqual([]);
    const shape = (ps: typeof procedures) =>
      ps
        .map((p) => ({
          id: p.id,
          docId: p.docId,
          title: p.title,
          inForce: p.revisionInForce?.versionName,
          revisions: p.revisions.map((r) => [r.versionName, r.versionDate, r.changelog]),
        }))
        .sort((a, b) => (a.docId ?? '').localeCompare(b.docId ?? ''));
    expect(shape(procedures)).toEqual(shape(local.procedures));

    const access = procedures.find((p) => p.docId === 'HLP-01');
    const file = drive.files.find((f) => f.name === 'HLP-01-access-control.md');
    expect(access?.revisions.map((r) => r.source)).toEqual([
      {
        kind: 'sharepoint',
        driveId: drive.id,
        itemId: file?.id,
        versionId: '1.0',
        lastModifiedDateTime: '2025-01-10T00:00:00.000Z',
        webUrl: `${emulator.siteUrl}/ISMS%20Procedures/HLP-01-access-control.md`,
      },
      expect.objectContaining({
        versionId: '2.0',
        lastModifiedDateTime: '2025-02-10T00:00:00.000Z',
      }),
    ]);
    expect(access?.training.people.map((p) => p.name)).toEqual(['Sam Taylor', 'Alex Morgan']);
    // Training as the local folder configures it: front matter and library.yaml.
    const training = (ps: typeof procedures) =>
      ps
        .map((p) => ({ docId: p.docId, training: p.training }))
        .sort((a, b) => (a.docId ?? '').localeCompare(b.docId ?? ''));
    expect(training(procedures)).toEqual(training(local.procedures));
    expect(procedures.find((p) => p.docId === 'HLP-02')?.training.people).toHaveLength(2);
  });

  it('gives the text of old and current versions through the download redirect, without sending the token there', async () => {
    uploadSampleLibrary();
    const library = new SharePointProcedureLibrary(graph, { driveId: drive.id });
    const v1 = readFileSync(path.join(SAMPLE, 'HLP-03-incident-response', 'V1.md'), 'utf8');
    const v2 = readFileSync(path.join(SAMPLE, 'HLP-03-incident-response', 'V2.md'), 'utf8');
    expect(await library.content('HLP-03', '1.0.0')).toBe(v1);
    expect(await library.content('b0a6f096-2fec-45e9-929b-225566d7d720', '1.1')).toBe(v2);
    expect(emulator.log.filter((r) => r.path === '/_download').every((r) => r.status === 200)).toBe(
      true,
    );
    expect(await codeOf(() => library.content('HLP-03', '2.0.0'))).toBe(
      'PROCEDURE.REVISION_NOT_FOUND',
    );
    expect(await codeOf(() => library.content('HLP-09', '1.0.0'))).toBe('PROCEDURE.NOT_FOUND');
  });

  it('reads each version once, and the versions of a file again only when it was saved', async () => {
    uploadSampleLibrary();
    const library = new SharePointProcedureLibrary(graph, { driveId: drive.id });
    await library.list();
    const firstDownloads = downloads();
    expect(firstDownloads).toBe(7 + 1); // every revision, and library.yaml
    emulator.resetLog();
    await library.list();
    expect(downloads()).toBe(0);
    // The library's one page of files, nothing else: no file changed.
    expect(emulator.counts().http).toBe(1);
    // A new version is read when it appears.
    drivesOf(emulator).save(
      drive,
      'HLP-04-supplier-security.md',
      readFileSync(path.join(SAMPLE, 'HLP-04-supplier-security', 'V1.md'), 'utf8').replace(
        'version_name: 1.0.0',
        'version_name: 1.1.0',
      ),
    );
    emulator.resetLog();
    const after = await library.get('HLP-04');
    expect(after?.revisions.map((r) => r.versionName)).toEqual(['1.0.0', '1.1.0']);
    // The files, the saved file's versions, its new text (redirect, then download).
    expect(emulator.log.map((r) => r.path.split('/').pop())).toEqual([
      'children',
      'versions',
      'content',
      '_download',
    ]);
    expect(downloads()).toBe(1);
  });

  it('reports what it cannot read, and lists the rest, across pages of the library', async () => {
    const drives = drivesOf(emulator);
    for (let i = 1; i <= 60; i += 1) {
      const docId = `ACME-${String(i).padStart(3, '0')}`;
      drives.save(
        drive,
        `${docId}.md`,
        `---\ntitle: "${docId} - Procedure ${i}"\nversion_name: 1.0.0\nversion_date: 2025-01-01\nversion_changelog: First\n---\n\n* Doc ID: ${docId}\n`,
      );
    }
    drives.save(
      drive,
      'ACME-007.md',
      '---\ntitle: "ACME-007 - Procedure 7\nversion_name: 1.1.0\n---\n',
    );
    drives.save(
      drive,
      'ACME-008.md',
      '---\ntitle: "ACME-008 - Procedure 8"\nversion_name: 1.0.0\nversion_date: 2025-02-01\nversion_changelog: Typo fixed\n---\n',
    );
    drives.save(drive, 'Supplier questionnaire.docx', 'binary');
    drive.folders.push('Archive');
    const { procedures, problems } = await new SharePointProcedureLibrary(graph, {
      driveId: drive.id,
      pageSize: 25,
    }).list();
    expect(procedures).toHaveLength(60);
    expect(emulator.log.filter((r) => r.path.endsWith('/root/children'))).toHaveLength(3);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'ACME-007.md (version 2.0)',
          severity: 'error',
          reason: expect.stringMatching(/broken YAML/),
        }),
        expect.objectContaining({
          path: 'ACME-008.md (version 2.0)',
          severity: 'warning',
          reason: expect.stringMatching(/also holds 1\.0\.0, like version 1\.0/),
        }),
        expect.objectContaining({ path: 'Supplier questionnaire.docx', severity: 'warning' }),
        expect.objectContaining({ path: 'Archive', severity: 'warning' }),
      ]),
    );
    expect(problems.filter((p) => p.severity === 'error')).toHaveLength(1);
    const acme8 = procedures.find((p) => p.docId === 'ACME-008');
    expect(acme8?.revisions.map((r) => [r.versionName, r.changelog])).toEqual([
      ['1.0.0', 'Typo fixed'],
    ]);
    expect(procedures.find((p) => p.docId === 'ACME-007')?.revisionInForce?.versionName).toBe(
      '1.0.0',
    );
  });

  it('waits out throttling on reads', async () => {
    uploadSampleLibrary();
    emulator.fail({ status: 429, retryAfterSeconds: 0, pathIncludes: '/versions', times: 3 });
    const { procedures } = await new SharePointProcedureLibrary(graph, {
      driveId: drive.id,
    }).list();
    expect(procedures).toHaveLength(5);
    expect(emulator.log.filter((r) => r.status === 429)).toHaveLength(3);
  });

  it('says the library is unavailable when the drive is gone or access is withdrawn', async () => {
    uploadSampleLibrary();
    const gone = new SharePointProcedureLibrary(graph, { driveId: 'b!no-such-drive' });
    expect(await codeOf(() => gone.list())).toBe('PROCEDURE.LIBRARY_UNAVAILABLE');
    emulator.authorize = () => 403;
    const denied = new SharePointProcedureLibrary(graph, { driveId: drive.id });
    expect(await codeOf(() => denied.list())).toBe('PROCEDURE.LIBRARY_UNAVAILABLE');
  });

  it('says clearly when the site has no such library', async () => {
    expect(
      await codeOf(() => SharePointProcedureLibrary.onSite(graph, emulator.site.id, 'Policies')),
    ).toBe('PROCEDURE.LIBRARY_UNAVAILABLE');
  });

  it('lets the watcher record a revision published as a new file version', async () => {
    uploadSampleLibrary();
    const library = new SharePointProcedureLibrary(graph, { driveId: drive.id });
    const dir = mkdtempSync(path.join(tmpdir(), 'rectify-sp-watch-'));
    const db = openDatabase(path.join(dir, 'rectify.db'));
    try {
      const repository = new SqliteCarRepository(db, testAudit());
      let stored = await storeCarInState(repository, 'implementing');
      const number = stored.car.number ?? '';
      const audit = changeWithAudit(stored.car, 'linkProcedure', (car) => {
        car.linkProcedure(anOperationContext(), {
          id: 'link-1',
          procedureId: 'HLP-04',
          title: 'Supplier Security',
          revisionInForce: '1.0.0',
        });
      });
      stored = await repository.update(stored.car, stored.etag, audit);
      const v1 = readFileSync(path.join(SAMPLE, 'HLP-04-supplier-security', 'V1.md'), 'utf8');
      drivesOf(emulator).save(
        drive,
        'HLP-04-supplier-security.md',
        v1
          .replace('version_name: 1.0.0', 'version_name: 1.1.0')
          .replace(
            'version_changelog: First issue',
            `version_changelog: 'Yearly review of cloud suppliers (${number})'`,
          ),
      );
      const watcher = new ProcedureRevisionWatcher({
        repository,
        library,
        clock: { now: () => new Date('2026-03-02T09:00:00Z') },
        calendar: new WorkingCalendar(),
        serviceLevels: DEFAULT_SERVICE_LEVELS,
        timeZone: 'UTC',
      });
      const report = await watcher.tick();
      expect(report.recorded).toEqual([
        expect.objectContaining({
          newRevision: '1.1.0',
          revisionInForce: '1.0.0',
          trainingActions: 1,
        }),
      ]);
      const after = await repository.findById(stored.car.id);
      expect(
        after?.car.actions.filter((a) => a.kind === 'training').map((a) => a.owner.name),
      ).toEqual(['Maria Garcia']);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
