import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { taskBoardRouter } from '../../src/http/task-board-routes.js';
import { problemHandler } from '../../src/http/problem.js';
import type { BoardTask } from '../../src/application/ports/task-board.js';
import type { Principal } from '../../src/domain/identity.js';
import { LocalTaskBoard } from '../../src/infrastructure/sqlite/local-task-board.js';
import { PEOPLE, makeWorld, type World } from '../application/task-sync-world.js';

/**
 * The local board's routes on a real loopback server, with a stand-in for bearer
 * authentication (the person is named in a header) so that only the routes are under test.
 */

let world: World;
let board: LocalTaskBoard;
let app: express.Express;
let task: BoardTask;

const byId = new Map<string, Principal>(Object.values(PEOPLE).map((p) => [p.id, p]));

beforeEach(async () => {
  world = makeWorld();
  if (!(world.board instanceof LocalTaskBoard)) throw new Error('not the local board');
  board = world.board;
  app = express();
  app.use(express.json());
  app.use((req, res, next) => {
    res.locals.principal = byId.get(req.get('x-person') ?? '');
    next();
  });
  app.use('/api', taskBoardRouter(board));
  app.use(problemHandler(pino({ level: 'silent' })));
  const buckets = await board.ensureBuckets();
  task = await board.createTask({
    bucketId: buckets.corrective,
    title: 'CAR-2026-0001 · A1 · Check badges',
    assigneeIds: [PEOPLE.owner.id],
    dueDate: '2026-12-01',
    priority: 3,
  });
});
afterEach(() => {
  world.close();
});

const as = (who: Principal) => ({
  get: (url: string) => request(app).get(url).set('x-person', who.id),
  patch: (url: string) => request(app).patch(url).set('x-person', who.id),
});

describe('the local task board routes', () => {
  it('lists my tasks, and nobody else’s', async () => {
    const mine = await as(PEOPLE.owner).get('/api/board/tasks?assignee=me');
    expect(mine.status).toBe(200);
    expect((mine.body as { items: BoardTask[] }).items.map((t) => t.id)).toEqual([task.id]);
    const other = await as(PEOPLE.otherOwner).get('/api/board/tasks?assignee=me');
    expect((other.body as { items: BoardTask[] }).items).toEqual([]);
    const snooping = await as(PEOPLE.otherOwner).get(
      `/api/board/tasks?assignee=${PEOPLE.owner.id}`,
    );
    expect(snooping.status).toBe(403);
  });

  it('completes my task with If-Match, and records me', async () => {
    const res = await as(PEOPLE.owner)
      .patch(`/api/board/tasks/${task.id}`)
      .set('if-match', task.etag)
      .send({ percentComplete: 100 });
    expect(res.status).toBe(200);
    expect(res.headers.etag).not.toBe(task.etag);
    expect(res.body).toMatchObject({ percentComplete: 100, completedBy: PEOPLE.owner.id });
  });

  it('refuses a missing or stale If-Match, bad input and another person, changing nothing', async () => {
    const url = `/api/board/tasks/${task.id}`;
    expect((await as(PEOPLE.owner).patch(url).send({ percentComplete: 100 })).status).toBe(428);
    await board.updateTask(task.id, task.etag, { percentComplete: 50 });
    const stale = await as(PEOPLE.owner)
      .patch(url)
      .set('if-match', task.etag)
      .send({ percentComplete: 100 });
    expect(stale.status).toBe(409);
    expect((stale.body as { code: string }).code).toBe('TASK.CONFLICT');
    const current = board.getTaskNow(task.id);
    const bad = await as(PEOPLE.owner)
      .patch(url)
      .set('if-match', current.etag)
      .send({ percentComplete: 150 });
    expect(bad.status).toBe(400);
    const extra = await as(PEOPLE.owner)
      .patch(url)
      .set('if-match', current.etag)
      .send({ percentComplete: 100, title: 'mine now' });
    expect(extra.status).toBe(400);
    const other = await as(PEOPLE.otherOwner)
      .patch(url)
      .set('if-match', current.etag)
      .send({ percentComplete: 100 });
    expect(other.status).toBe(404);
    expect(
      (
        await as(PEOPLE.owner)
          .patch('/api/board/tasks/nope')
          .set('if-match', 'x')
          .send({ percentComplete: 1 })
      ).status,
    ).toBe(404);
    expect(board.getTaskNow(task.id)).toEqual(current);
  });
});
