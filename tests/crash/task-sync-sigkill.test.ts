import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { linkKey } from '../../src/application/task-sync.js';
import { makeWorld } from '../application/task-sync-world.js';
import { GraphEmulator } from '../graph/emulator/graph-emulator.js';
import { plannerOf } from '../graph/emulator/planner-routes.js';

/**
 * Kills a TaskSync worker process with SIGKILL right after Planner accepted each task it
 * creates, before it recorded anything, and restarts it on the same data until it finishes:
 * every action ends with exactly one task and a link to it.
 */

const dataDir = mkdtempSync(path.join(tmpdir(), 'rectify-task-crash-'));
const emulator = new GraphEmulator();

afterAll(async () => {
  await emulator.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runWorker(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/crash/task-sync-child.ts'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('a TaskSync worker killed between Planner accepting a task and recording it', () => {
  it('leaves exactly one task per action after restarts', async () => {
    const url = await emulator.listen();
    const plan = plannerOf(emulator).addPlan();

    const world = makeWorld(null, { dir: dataDir });
    const stored = await world.carWithActions('major_nc', [
      { title: 'Check badges', steps: ['Write it down'] },
      { title: 'Brief reception' },
      { kind: 'training', title: 'Train the guards' },
    ]);
    world.close();

    const env = { DATA_DIR: dataDir, GRAPH_URL: url, PLAN_ID: plan.id };
    const kills: number[] = [];
    let finished: Run | null = null;
    for (let run = 1; run <= 6 && finished === null; run += 1) {
      const before = plannerOf(emulator).tasksOf(plan.id).length;
      const result = await runWorker({
        ...env,
        KILL_AFTER_CREATE: '1',
        // Each restart comes after the lease of the killed worker ran out.
        ADVANCE_MS: String(run * 60_000),
      });
      if (result.signal === 'SIGKILL') {
        // Planner made one more task, and the worker died before recording it.
        expect(plannerOf(emulator).tasksOf(plan.id).length).toBe(before + 1);
        kills.push(run);
      } else {
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        finished = result;
      }
    }
    expect(kills).toEqual([1, 2, 3]);
    expect(finished).not.toBeNull();

    const tasks = plannerOf(emulator).tasksOf(plan.id);
    expect(tasks).toHaveLength(3);
    const number = stored.car.number ?? '';
    expect(tasks.map((t) => t.title).sort()).toEqual(
      [
        `${number} · A1 · Check badges`,
        `${number} · A2 · Brief reception`,
        `${number} · A3 · Train the guards`,
      ].sort(),
    );
    // The adopted tasks got their details too.
    const first = tasks.find((t) => t.title.endsWith('Check badges'));
    expect(Object.values(first?.checklist ?? {}).map((c) => c.title)).toEqual(['Write it down']);

    const after = makeWorld(null, { dir: dataDir });
    try {
      for (const action of stored.car.actions) {
        const link = await after.state.get(linkKey(stored.car.id, action.id));
        const taskId = (link?.value as { taskId?: string } | undefined)?.taskId;
        expect(tasks.some((t) => t.id === taskId)).toBe(true);
      }
    } finally {
      after.close();
    }
  }, 120_000);
});
