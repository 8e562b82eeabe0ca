/**
 * One TaskSync worker process for the SIGKILL test: opens the SQLite file in DATA_DIR, works
 * against Planner on the emulator at GRAPH_URL, and with KILL_AFTER_CREATE=1 kills itself with
 * SIGKILL right after Planner accepted a task (before anything about it is recorded).
 * Prints a JSON summary on stdout when it finishes on its own.
 */
import { createGraphConnection } from '../../src/infrastructure/graph/graph-client.js';
import { PlannerTaskBoard } from '../../src/infrastructure/graph/planner-task-board.js';
import { makeWorld } from '../application/task-sync-world.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

const board = new PlannerTaskBoard(
  createGraphConnection({
    baseUrl: env('GRAPH_URL'),
    accessToken: () => Promise.resolve('emulator-token'),
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
  }),
  { planId: env('PLAN_ID') },
);
const world = makeWorld(() => board, { dir: env('DATA_DIR') });
world.clock.advance(Number(process.env.ADVANCE_MS ?? '0'));
const sync = world.sync({
  workerId: `pid-${process.pid}`,
  leaseMs: 30_000,
  hooks: {
    afterBoardCreate: () => {
      if (process.env.KILL_AFTER_CREATE === '1') process.kill(process.pid, 'SIGKILL');
    },
  },
});

let delivered = 0;
for (let i = 0; i < 5; i += 1) delivered += (await sync.tick()).delivered;
world.close();
process.stdout.write(JSON.stringify({ delivered }));
