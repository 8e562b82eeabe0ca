import { describe, expect, it } from '@jest/globals';
import { CommitSignal } from '../../src/application/ports/commit-signal.js';
import { repeat } from '../../src/application/repeat.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('repeat', () => {
  it('never runs two rounds at once, and stop waits for the round under way', async () => {
    let running = 0;
    let most = 0;
    let rounds = 0;
    let finished = 0;
    const r = repeat(
      5,
      async () => {
        running += 1;
        rounds += 1;
        most = Math.max(most, running);
        await sleep(30);
        running -= 1;
        finished += 1;
      },
      () => undefined,
      { immediately: true },
    );
    await sleep(100);
    await r.stop();
    expect(most).toBe(1);
    expect(rounds).toBeGreaterThanOrEqual(2);
    expect(finished).toBe(rounds);
    await sleep(40);
    expect(rounds).toBe(finished);
  });

  it('hands a failed round to onError and goes on', async () => {
    const errors: unknown[] = [];
    let rounds = 0;
    const r = repeat(
      5,
      () => {
        rounds += 1;
        return rounds === 1 ? Promise.reject(new Error('first fails')) : Promise.resolve();
      },
      (e) => errors.push(e),
      { immediately: true },
    );
    await sleep(40);
    await r.stop();
    expect(errors).toHaveLength(1);
    expect(rounds).toBeGreaterThan(1);
  });
});

describe('repeat woken by commits', () => {
  const until = async (done: () => boolean): Promise<void> => {
    for (let i = 0; i < 500 && !done(); i += 1) await sleep(2);
  };

  it('runs a round after a commit, long before its timer, and once more for a commit during a round', async () => {
    const commits = new CommitSignal();
    let rounds = 0;
    let release: () => void = () => undefined;
    const r = repeat(
      3_600_000,
      () => {
        rounds += 1;
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      () => undefined,
      { wake: commits },
    );
    expect(rounds).toBe(0);
    commits.raise();
    commits.raise();
    await until(() => rounds === 1);
    expect(rounds).toBe(1);
    // Raised while the round runs: one more round after it, not one per raise, none overlapping.
    commits.raise();
    commits.raise();
    await sleep(20);
    expect(rounds).toBe(1);
    release();
    await until(() => rounds === 2);
    expect(rounds).toBe(2);
    release();
    await sleep(20);
    expect(rounds).toBe(2);
    await r.stop();
    commits.raise();
    await sleep(20);
    expect(rounds).toBe(2);
  });
});
