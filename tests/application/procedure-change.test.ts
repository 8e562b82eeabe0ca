import { testAudit } from '../support/audit-seal.js';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CarService } from '../../src/application/car-service.js';
import {
  PROCEDURE_LIBRARY_ACTOR,
  ProcedureRevisionWatcher,
} from '../../src/application/procedure-revision-watcher.js';
import { DEFAULT_SERVICE_LEVELS } from '../../src/domain/calendar/service-levels.js';
import { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import type { StoredCar } from '../../src/domain/car/car-repository.js';
import { RectifyError } from '../../src/domain/errors.js';
import type { Principal, Role } from '../../src/domain/identity.js';
import { LOCAL_TENANT_ID, SAMPLE_PEOPLE } from '../../src/infrastructure/auth/sample-people.js';
import { LocalFolderProcedureLibrary } from '../../src/infrastructure/procedures/local-folder-library.js';
import { openDatabase, type Database } from '../../src/infrastructure/sqlite/database.js';
import { SqliteCarRepository } from '../../src/infrastructure/sqlite/sqlite-car-repository.js';

const SAMPLE_LIBRARY = path.resolve('procedures');
const BACKUP = 'HLP-02';

const principal = (name: string, roles: Role[] = []): Principal => {
  const p = SAMPLE_PEOPLE.find((x) => x.name === name);
  if (!p) throw new Error(`no sample person ${name}`);
  return { id: p.id, name: p.name, tenantId: LOCAL_TENANT_ID, roles: new Set(roles) };
};
const mr = principal('Jordan Lee', ['mr']);
const reporter = principal('Alex Morgan');
const sam = principal('Sam Taylor');
const priya = principal('Priya Shah');

interface World {
  readonly dir: string;
  readonly library: LocalFolderProcedureLibrary;
  readonly db: Database;
  readonly repository: SqliteCarRepository;
  readonly service: CarService;
  watcher(): ProcedureRevisionWatcher;
}

let world: World;
const clock = { now: () => new Date('2026-03-02T09:00:00Z') }; // a Monday

beforeEach(() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rectify-procedure-change-'));
  cpSync(SAMPLE_LIBRARY, path.join(dir, 'procedures'), { recursive: true });
  const library = new LocalFolderProcedureLibrary(path.join(dir, 'procedures'));
  const db = openDatabase(path.join(dir, 'data', 'rectify.db'));
  const repository = new SqliteCarRepository(db, testAudit());
  const common = {
    repository,
    clock,
    calendar: new WorkingCalendar(),
    serviceLevels: DEFAULT_SERVICE_LEVELS,
    timeZone: 'UTC',
  };
  world = {
    dir,
    library,
    db,
    repository,
    service: new CarService({ ...common, newId: randomUUID, procedures: library }),
    watcher: () => new ProcedureRevisionWatcher({ ...common, library }),
  };
});

afterEach(() => {
  world.db.close();
  rmSync(world.dir, { recursive: true, force: true });
});

/** A CAR in implementation whose corrective action changes the backup procedure 1.0.0. */
async function aCarChangingTheBackupProcedure(): Promise<StoredCar> {
  const { service, library } = world;
  const backup = await library.get(BACKUP);
  const inForce = backup?.revisionInForce?.versionName ?? 'none';
  expect(inForce).toBe('1.0.0');
  let { stored } = await service.report(reporter, {
    type: 'policy_nonconformance',
    relatesTo: ['procedure'],
    source: 'internal_audit',
    title: 'Restore test skipped for two quarters',
    description: 'The quarterly restore test of the customer database was not done in Q3 and Q4.',
    occurredAt: null,
    location: 'IT Operations',
    affected: 'Customer database backups',
    immediateAction: 'Restore test run on 27 February.',
    confidential: false,
  });
  const run = async (command: Parameters<CarService['execute']>[3], who = mr) => {
    stored = await service.execute(who, stored.car.id, stored.etag, command);
    return stored;
  };
  await run({ op: 'record', classification: 'minor_nc', severity: 'medium' });
  await run({ op: 'startInvestigation' });
  await run({
    op: 'updateInvestigation',
    fiveWhys: [{ question: 'Why was the test skipped?', answer: 'Nobody was named to run it.' }],
    rootCause: 'The procedure names no one to run the restore test.',
    causeCategory: 'process',
    similarCheck: { done: true, findings: 'No other skipped tests.', relatedCarIds: [] },
  });
  await run({
    op: 'addAction',
    kind: 'procedure_change',
    title: 'Name the restore-test owner in HLP-02',
    description: '',
    owner: { id: sam.id, name: sam.name },
  });
  await run({
    op: 'linkProcedure',
    procedureId: BACKUP,
    title: 'Backup and Restore',
    revisionInForce: inForce,
  });
  await run({ op: 'planActions' });
  return run({ op: 'startImplementation' });
}

function publishRevision(file: string, version: string, changelog: string, draft = false): void {
  const text = `---
uuid: 9ec88897-82e3-44ce-8123-22d234bed757
draft: ${draft}
title: "HLP-02 - Backup and Restore"
version_date: 2026-03-02
version_name: ${version}
version_changelog: "${changelog}"
training:
  - id: ${sam.id}
    name: Sam Taylor
---

# Harbour Lane Software ISMS Procedure 02 - Backup and Restore

* Doc ID: HLP-02

The IT Operations Lead runs the quarterly restore test and records it.
`;
  writeFileSync(path.join(world.dir, 'procedures', 'HLP-02-backup-and-restore', file), text);
}

const codeOf = async (work: () => Promise<unknown>): Promise<string | undefined> => {
  try {
    await work();
  } catch (e) {
    return e instanceof RectifyError ? e.code : `not a RectifyError: ${String(e)}`;
  }
  return undefined;
};

describe('a CAR that changes a procedure from 1.0.0 to 1.1.0 in the local library', () => {
  it('records both revisions, trains the configured people, and closes only after the training', async () => {
    const { service, repository } = world;
    let stored = await aCarChangingTheBackupProcedure();
    const number = stored.car.number ?? '';
    expect(number).toBe('CAR-2026-0001');

    // Nothing published yet: the watcher waits.
    expect(await world.watcher().tick()).toMatchObject({ waiting: 1, recorded: [] });

    // A draft citing the CAR is not in force; a published revision is.
    publishRevision('V3.md', '1.2.0', `Draft of the next change (${number})`, true);
    publishRevision('V2.md', '1.1.0', `Restore-test owner named (${number})`);
    const report = await world.watcher().tick();
    expect(report.recorded).toEqual([
      expect.objectContaining({
        carNumber: number,
        revisionInForce: '1.0.0',
        newRevision: '1.1.0',
        trainingActions: 2,
      }),
    ]);

    stored = (await repository.findById(stored.car.id)) ?? stored;
    const link = stored.car.procedureLinks[0];
    expect(link).toMatchObject({
      procedureId: BACKUP,
      revisionInForce: '1.0.0',
      newRevision: '1.1.0',
      newRevisionChangelog: `Restore-test owner named (${number})`,
    });
    const training = stored.car.actions.filter((a) => a.kind === 'training');
    expect(training.map((a) => a.owner.name).sort()).toEqual(['Priya Shah', 'Sam Taylor']);
    for (const a of training) {
      expect(a.title).toBe('Training on Backup and Restore 1.1.0');
      expect(a.status).toBe('open');
      expect(a.dueDate).toBe('2026-03-20'); // 14 working days for a minor NC
    }
    const history = await repository.history(stored.car.id);
    const revisionEntries = history.filter((e) => e.operation === 'recordProcedureRevision');
    expect(revisionEntries.length).toBeGreaterThan(0);
    for (const e of revisionEntries) expect(e.actor).toEqual(PROCEDURE_LIBRARY_ACTOR);

    // Once only: a second pass finds nothing left to record.
    expect(await world.watcher().tick()).toMatchObject({ waiting: 0, recorded: [] });

    // The procedure change is done, but the training is not: no verification, no closing.
    const actionOf = (kind: string) => stored.car.actions.find((a) => a.kind === kind);
    stored = await service.execute(sam, stored.car.id, stored.etag, {
      op: 'completeAction',
      actionId: actionOf('procedure_change')?.id ?? '',
      note: 'V2 published',
    });
    expect(
      await codeOf(() =>
        service.execute(mr, stored.car.id, stored.etag, { op: 'startVerification' }),
      ),
    ).toBe('CAR.OPEN_ACTIONS');
    expect(
      await codeOf(() =>
        service.execute(mr, stored.car.id, stored.etag, {
          op: 'close',
          summary: 'Done',
          ismsChangeNeeded: true,
          ismsChangeDescription: 'HLP-02 1.1.0',
          feedsManagementReview: true,
        }),
      ),
    ).toBe('CAR.INVALID_TRANSITION');

    // Each trainee completes their own training action.
    for (const who of [sam, priya]) {
      const mine = stored.car.actions.find((a) => a.kind === 'training' && a.owner.id === who.id);
      stored = await service.execute(who, stored.car.id, stored.etag, {
        op: 'completeAction',
        actionId: mine?.id ?? '',
        note: 'Read and understood',
      });
    }
    stored = await service.execute(mr, stored.car.id, stored.etag, { op: 'startVerification' });
    stored = await service.execute(mr, stored.car.id, stored.etag, {
      op: 'verifyEffectiveness',
      effective: true,
      evidence: 'Q1 restore test done by the named owner.',
    });
    stored = await service.execute(mr, stored.car.id, stored.etag, {
      op: 'close',
      summary: 'The restore test has an owner and was run.',
      ismsChangeNeeded: true,
      ismsChangeDescription: 'HLP-02 revised to 1.1.0',
      feedsManagementReview: true,
    });
    expect(stored.car.state).toBe('closed');
  });

  it('records the revision once when two instances find it at the same time', async () => {
    const stored = await aCarChangingTheBackupProcedure();
    publishRevision('V2.md', '1.1.0', `Restore-test owner named (${stored.car.number ?? ''})`);
    const [a, b] = await Promise.all([world.watcher().tick(), world.watcher().tick()]);
    expect(a.recorded.length + b.recorded.length).toBe(1);
    expect(a.conflicts + b.conflicts).toBe(1);
    const after = await world.repository.findById(stored.car.id);
    expect(after?.car.actions.filter((x) => x.kind === 'training')).toHaveLength(2);
  });

  it('leaves the CAR alone when the new revision does not cite its number', async () => {
    const stored = await aCarChangingTheBackupProcedure();
    publishRevision('V2.md', '1.1.0', 'Restore-test owner named (CAR-2026-0099)');
    expect(await world.watcher().tick()).toMatchObject({ waiting: 1, recorded: [] });
    const after = await world.repository.findById(stored.car.id);
    expect(after?.etag).toBe(stored.etag);
  });
});

describe('the MR confirming the new revision', () => {
  it('trains the configured people when no trainees are given, and nobody with []', async () => {
    const stored = await aCarChangingTheBackupProcedure();
    const linkId = stored.car.procedureLinks[0]?.id ?? '';
    const number = stored.car.number ?? '';
    const confirmed = await world.service.execute(mr, stored.car.id, stored.etag, {
      op: 'recordProcedureRevision',
      linkId,
      newRevision: '1.1',
      changelog: `Owner named, per ${number}`,
    });
    expect(confirmed.car.procedureLinks[0]?.newRevision).toBe('1.1.0');
    expect(
      confirmed.car.actions.filter((a) => a.kind === 'training').map((a) => a.owner.name),
    ).toEqual(['Sam Taylor', 'Priya Shah']);

    const other = await aCarChangingTheBackupProcedure();
    const none = await world.service.execute(mr, other.car.id, other.etag, {
      op: 'recordProcedureRevision',
      linkId: other.car.procedureLinks[0]?.id ?? '',
      newRevision: '1.1.0',
      changelog: `Owner named (${other.car.number ?? ''})`,
      trainees: [],
    });
    expect(none.car.actions.filter((a) => a.kind === 'training')).toEqual([]);
  });

  it('refuses a revision that is not higher, or a change log without the CAR number, and changes nothing', async () => {
    const stored = await aCarChangingTheBackupProcedure();
    const linkId = stored.car.procedureLinks[0]?.id ?? '';
    const number = stored.car.number ?? '';
    const attempt = (newRevision: string, changelog: string) => () =>
      world.service.execute(mr, stored.car.id, stored.etag, {
        op: 'recordProcedureRevision',
        linkId,
        newRevision,
        changelog,
      });
    expect(await codeOf(attempt('1.0.0', `Same (${number})`))).toBe(
      'PROCEDURE.REVISION_NOT_HIGHER',
    );
    expect(await codeOf(attempt('0.9', `Lower (${number})`))).toBe('PROCEDURE.REVISION_NOT_HIGHER');
    expect(await codeOf(attempt('1.1.0', 'Owner named'))).toBe('PROCEDURE.CHANGELOG_MUST_CITE_CAR');
    expect(await codeOf(attempt('one point one', `(${number})`))).toBe('PROCEDURE.VERSION_INVALID');
    const after = await world.repository.findById(stored.car.id);
    expect(after?.etag).toBe(stored.etag);
    expect(after?.car.procedureLinks[0]?.newRevision).toBeNull();
  });
});
