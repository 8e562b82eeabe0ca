/**
 * The whole of a procedure change through the running product, in local mode: a CAR links a
 * procedure of the local library at 1.0.0, the new revision 1.1.0 is published in the library
 * citing the CAR, Rectify records it on the CAR with training actions for the people the
 * procedure names, the task sync puts every action on the local board, the trainees complete
 * their tasks there, and only then can the CAR be verified and closed.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, people, type Harness, type Who } from '../support/rectify-harness.js';
import { act, etagOf, investigationComplete, report, type CarBody } from './steps.js';

interface BoardTaskBody {
  id: string;
  etag: string;
  title: string;
  percentComplete: number;
  assigneeIds: string[];
}

const PROCEDURE = 'HLP-02';
let h: Harness;
let libraryDir: string;

const eventually = async <T>(what: string, probe: () => Promise<T | null>): Promise<T> => {
  const until = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const carOf = async (id: string): Promise<CarBody> =>
  (await (await h.as('mr')).get(`/api/cars/${id}`)).body as CarBody;

const tasksOf = async (who: Who): Promise<BoardTaskBody[]> => {
  const res = await (await h.as(who)).get('/api/board/tasks?assignee=me');
  expect(res.status).toBe(200);
  return (res.body as { items: BoardTaskBody[] }).items;
};

beforeAll(async () => {
  libraryDir = mkdtempSync(path.join(tmpdir(), 'rectify-library-'));
  cpSync(path.resolve('procedures'), libraryDir, { recursive: true });
  h = await startHarness({
    PROCEDURES_DIR: libraryDir,
    PROCEDURE_WATCH_INTERVAL_MS: '1000',
    TASK_SYNC_INTERVAL_MS: '100',
    TASK_BOARD_POLL_MS: '1000',
  });
});

afterAll(async () => {
  await h.close();
  rmSync(libraryDir, { recursive: true, force: true });
});

describe('a CAR that changes a procedure from 1.0.0 to 1.1.0', () => {
  it('records both revisions, trains the configured people on the board, and closes only after', async () => {
    const car = await report(h);
    await act(h, 'mr', car, '/record', { classification: 'minor_nc', severity: 'medium' });
    await act(h, 'mr', car, '/start-investigation');
    await act(h, 'mr', car, '/investigation', investigationComplete, 'patch');
    await act(h, 'mr', car, '/actions', {
      kind: 'procedure_change',
      title: 'Add badge return to the backup room procedure',
      description: 'Revise HLP-02 so that visitors return badges at the exit.',
      owner: { id: people.otherOwner.id, name: people.otherOwner.name },
    });
    await act(h, 'mr', car, '/plan');
    await act(h, 'mr', car, '/start-implementation');
    const linked = await act(h, 'mr', car, '/procedure-links', {
      procedureId: PROCEDURE,
      title: 'Backup and Restore',
      revisionInForce: '1.0.0',
    });
    const number = linked.number ?? '';
    expect(number).toMatch(/^CAR-\d{4}-\d{4}$/);

    // Publish 1.1.0 in the library, its change log citing the CAR.
    const folder = path.join(libraryDir, 'HLP-02-backup-and-restore');
    const v1 = readFileSync(path.join(folder, 'V1.md'), 'utf8');
    writeFileSync(
      path.join(folder, 'V2.md'),
      v1
        .replace(/version_name: .*/, 'version_name: 1.1.0')
        .replace(/version_date: .*/, 'version_date: 2026-11-27')
        .replace(/version_changelog: .*/, `version_changelog: Visitors return badges (${number})`),
    );

    const revised = await eventually('the revision to be recorded', async () => {
      const c = await carOf(car.id);
      const link = c.procedureLinks[0];
      return link?.newRevision ? c : null;
    });
    const link = revised.procedureLinks[0];
    expect(link).toMatchObject({ revisionInForce: '1.0.0', newRevision: '1.1.0' });
    expect(link?.newRevisionChangelog).toContain(number);

    // HLP-02 trains Sam Taylor (front matter) and Priya Shah (library.yaml).
    const training = revised.actions.filter((a) => a.kind === 'training');
    expect(training.map((a) => a.owner.id).sort()).toEqual(
      [people.owner.id, people.otherReporter.id].sort(),
    );

    // The procedure change itself is done; the training is not: no verification yet.
    const change = revised.actions.find((a) => a.kind === 'procedure_change');
    await act(h, 'mr', car, `/actions/${change?.id ?? ''}/complete`, { note: 'HLP-02 1.1.0' });
    const early = await (
      await h.as('mr')
    )
      .post(`/api/cars/${car.id}/start-verification`, {})
      .set('If-Match', await etagOf(h, car.id));
    expect(early.status).toBe(409);
    expect((early.body as { code: string }).code).toBe('CAR.OPEN_ACTIONS');

    // Each trainee finds their training task on the local board and completes it there.
    for (const who of ['owner', 'otherReporter'] as const) {
      const task = await eventually(`${who}'s training task`, async () => {
        const mine = (await tasksOf(who)).filter((t) => t.title.startsWith(number));
        return mine.length === 1 ? (mine[0] ?? null) : null;
      });
      expect(task.assigneeIds).toEqual([people[who].id]);
      const done = await (
        await h.as(who)
      )
        .patch(`/api/board/tasks/${task.id}`, { percentComplete: 100 })
        .set('If-Match', task.etag);
      expect(done.status).toBe(200);
    }

    // The board's completions come back into the CAR, in its audit trail.
    await eventually('the training actions to be done', async () => {
      const c = await carOf(car.id);
      return c.actions.every((a) => a.status === 'done') ? c : null;
    });
    const history = (await (await h.as('mr')).get(`/api/cars/${car.id}/history`)).body as {
      items: { operation: string; actor: { id: string } }[];
    };
    const completions = history.items.filter((e) => e.operation === 'completeAction');
    expect(completions.some((e) => e.actor.id === 'rectify:task-board')).toBe(true);

    await act(h, 'mr', car, '/start-verification');
    await act(h, 'mr', car, '/verification', {
      effective: true,
      evidence: 'Exit log shows every badge returned for four weeks.',
    });
    const closed = await act(h, 'mr', car, '/close', {
      summary: 'Procedure revised and people trained.',
      ismsChangeNeeded: false,
      feedsManagementReview: false,
    });
    expect(closed.state).toBe('closed');
  }, 90_000);
});
