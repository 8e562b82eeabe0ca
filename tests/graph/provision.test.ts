import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createGraphConnection } from '../../src/infrastructure/graph/graph-client.js';
import { provisionRectifyLists } from '../../src/infrastructure/graph/provision-lists.js';
import {
  A,
  AUDIT_LIST,
  C,
  CARS_LIST,
  S,
  SEQUENCES_LIST,
  STATE_LIST,
  T,
} from '../../src/infrastructure/graph/rectify-lists.js';
import { SharePointListClient } from '../../src/infrastructure/graph/sharepoint-list-client.js';
import { SharePointViewsClient } from '../../src/infrastructure/graph/sharepoint-views.js';
import { GraphEmulator } from './emulator/graph-emulator.js';
import { startEmulatedTenant } from './support/emulated-tenant.js';

/** Every column the repository filters or sorts on, per list. */
const QUERIED: Record<string, readonly string[]> = {
  [CARS_LIST.displayName]: [
    C.carId,
    C.number,
    C.state,
    C.type,
    C.classification,
    C.reporterId,
    C.idempotencyKey,
    C.sortReported,
    C.sortUpdated,
    C.sortNumberAsc,
    C.sortNumberDesc,
    C.sortDueAsc,
    C.sortDueDesc,
  ],
  [AUDIT_LIST.displayName]: [A.carId, A.writeId],
  [SEQUENCES_LIST.displayName]: [S.key],
  [STATE_LIST.displayName]: [T.key, T.kind, T.due],
};

/** Runs the CLI without blocking this process (which serves the emulated tenant). */
function runProvision(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/provision.ts', ...args], {
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('close', (status) => {
      resolve({ status, stdout, stderr });
    });
  });
}

describe('provisioning the Rectify lists', () => {
  let emulator: GraphEmulator;
  let lists: SharePointListClient;

  beforeEach(async () => {
    emulator = new GraphEmulator();
    const url = await emulator.listen();
    lists = new SharePointListClient(
      createGraphConnection({ baseUrl: url, accessToken: () => Promise.resolve('t') }),
      emulator.site.id,
    );
  });

  afterEach(async () => {
    await emulator.close();
  });

  const column = (list: string, name: string) =>
    emulator.listByName(list)?.columns.find((c) => c.name === name);

  it('creates the five lists with typed columns, human names and an index on every queried column', async () => {
    const result = await provisionRectifyLists(lists);

    expect(result.steps.map((s) => s.list)).toEqual([
      CARS_LIST.displayName,
      AUDIT_LIST.displayName,
      SEQUENCES_LIST.displayName,
      'Rectify State',
      'CAR Audit Checkpoints',
    ]);
    expect(result.steps.every((s) => s.action === 'create list')).toBe(true);
    for (const [list, names] of Object.entries(QUERIED))
      for (const name of names)
        expect({ name, indexed: column(list, name)?.indexed }).toEqual({ name, indexed: true });
    expect(column(CARS_LIST.displayName, C.number)).toMatchObject({
      displayName: 'CAR number',
      enforceUniqueValues: true,
      type: 'text',
    });
    expect(column(CARS_LIST.displayName, C.reportedAt)?.type).toBe('dateTime');
    expect(column(CARS_LIST.displayName, C.confidential)?.type).toBe('boolean');
    expect(column(CARS_LIST.displayName, C.state)?.type).toBe('choice');
    expect(column(CARS_LIST.displayName, C.reporterName)?.displayName).toBe('Reporter');
    expect(column(STATE_LIST.displayName, T.key)).toMatchObject({
      enforceUniqueValues: true,
      indexed: true,
    });
    expect(column(STATE_LIST.displayName, T.value)).toMatchObject({ type: 'text', indexed: false });
    // People as Entra object id + name in text columns, never Person columns.
    expect(
      emulator.site.lists.flatMap((l) => l.columns).some((c) => c.type === 'personOrGroup'),
    ).toBe(false);
  });

  it('changes nothing when run a second time', async () => {
    await provisionRectifyLists(lists);
    emulator.resetLog();

    const again = await provisionRectifyLists(lists);

    expect(again.steps).toEqual([]);
    expect(emulator.counts().writes).toBe(0);
  });

  it('makes the committee views through SharePoint REST, on existing columns, once', async () => {
    const views = new SharePointViewsClient(emulator.webUrl, () => Promise.resolve('t'));

    const first = await provisionRectifyLists(lists, { views });
    emulator.resetLog();
    const second = await provisionRectifyLists(lists, { views });

    expect(first.steps.filter((s) => s.action === 'create view').map((s) => s.view)).toEqual([
      'Open CARs',
      'Overdue',
      'Recorded this quarter',
      'By classification',
    ]);
    const made = emulator.listByName(CARS_LIST.displayName)?.views ?? [];
    expect(made.find((v) => v.title === 'Overdue')?.fields).toContain(C.nextDue);
    expect(second.steps).toEqual([]);
    expect(emulator.counts().writes).toBe(0);
  });

  it('completes lists made by an older release: adds missing columns, switches indexes on', async () => {
    await provisionRectifyLists(lists);
    const cars = emulator.listByName(CARS_LIST.displayName);
    if (!cars) throw new Error('the CAR list exists');
    cars.columns = cars.columns.filter((c) => c.name !== C.sortDueDesc);
    const state = column(CARS_LIST.displayName, C.state);
    if (state) state.indexed = false;

    const result = await provisionRectifyLists(lists);

    expect(result.steps).toEqual([
      { list: CARS_LIST.displayName, action: 'update column', column: C.state },
      { list: CARS_LIST.displayName, action: 'add column', column: C.sortDueDesc },
    ]);
    expect(column(CARS_LIST.displayName, C.state)?.indexed).toBe(true);
    expect(column(CARS_LIST.displayName, C.sortDueDesc)?.indexed).toBe(true);
  });

  it('runs as `npm run provision -- --site <URL>` with the app credentials, twice', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rectify-provision-'));
    const tenant = await startEmulatedTenant({ dir, provision: false });
    try {
      const run = () =>
        runProvision(['--site', tenant.emulator.siteUrl], {
          ...process.env,
          ...tenant.env,
          SHAREPOINT_SITE_ID: '',
        });

      const first = await run();
      const second = await run();

      expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: '' });
      expect(first.stdout).toContain(`create list: ${CARS_LIST.displayName}`);
      expect(first.stdout).toContain(`create view: ${CARS_LIST.displayName} / Overdue`);
      expect(first.stdout).toContain(`SHAREPOINT_SITE_ID=${tenant.emulator.site.id}`);
      expect(second.status).toBe(0);
      expect(second.stdout).toContain('nothing to change');
    } finally {
      await tenant.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses to run without --site', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/provision.ts'], {
      encoding: 'utf8',
      timeout: 60_000,
    });

    expect(res.status).toBe(2);
    expect(res.stderr).toContain('--site is required');
  }, 60_000);
});
