import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Outbox } from '../src/application/outbox.js';
import type { StateStore } from '../src/application/ports/state-store.js';
import { createGraphConnection } from '../src/infrastructure/graph/graph-client.js';
import {
  GraphStateStore,
  resolveStateList,
} from '../src/infrastructure/graph/graph-state-store.js';
import { provisionRectifyLists } from '../src/infrastructure/graph/provision-lists.js';
import { SharePointListClient } from '../src/infrastructure/graph/sharepoint-list-client.js';
import { openDatabase } from '../src/infrastructure/sqlite/database.js';
import { SqliteStateStore } from '../src/infrastructure/sqlite/sqlite-state-store.js';
import { GraphEmulator } from '../tests/graph/emulator/graph-emulator.js';
import type { BenchReport } from './bench-report.js';

/**
 * The shared outbox, per notification: enqueue, claim (a compare-and-set), settle. On the
 * embedded store next to the least it could cost there (one create per entry, same file and
 * pragmas), and on the Graph emulator in Graph round trips next to the fewest possible (three
 * writes and one query per claimed page). Also what an idle notifier poll costs on SharePoint.
 */
const N = 200;
const PAGE = 20;

async function cycle(store: StateStore): Promise<number> {
  const outbox = new Outbox(store, { name: 'bench', parse: (v) => v });
  const now = new Date();
  const t0 = performance.now();
  for (let i = 0; i < N; i += 1) await outbox.enqueue(`n-${i}`, { i }, now);
  for (;;) {
    const claimed = await outbox.claimDue(now, 60_000, PAGE);
    if (claimed.length === 0) break;
    for (const e of claimed) await outbox.settle(e, 'sent', now);
  }
  return (performance.now() - t0) / N;
}

export default async function stateStoreBench(): Promise<BenchReport> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rectify-bench-state-'));
  const emulator = new GraphEmulator();
  try {
    const db = openDatabase(path.join(dir, 'rectify.db'));
    const sqlite = await cycle(new SqliteStateStore(db));
    const bare = new SqliteStateStore(openDatabase(path.join(dir, 'baseline.db')));
    const t1 = performance.now();
    for (let i = 0; i < N; i += 1)
      await bare.createIfAbsent({ key: `n-${i}`, kind: 'bench', value: { i }, dueAt: null });
    const baseline = (performance.now() - t1) / N;

    const url = await emulator.listen();
    const lists = new SharePointListClient(
      createGraphConnection({ baseUrl: url, accessToken: () => Promise.resolve('t') }),
      emulator.site.id,
    );
    await provisionRectifyLists(lists);
    const graph = new GraphStateStore(lists, await resolveStateList(lists));
    emulator.resetLog();
    const graphMs = await cycle(graph);
    const requests = emulator.log.filter((e) => !e.inner).length / N;
    const fewest = 3 + (Math.ceil(N / PAGE) + 1) / N;
    return {
      name: `Shared outbox: enqueue, claim and settle ${N} notifications`,
      baselineName: 'one create per entry on the same store; the fewest Graph round trips',
      rows: [
        { metric: 'SQLite time per notification', value: sqlite, unit: 'ms', baseline },
        {
          metric: 'Graph round trips per notification',
          value: requests,
          unit: 'req',
          baseline: fewest,
        },
        {
          metric: 'Graph emulator time per notification',
          value: graphMs,
          unit: 'ms',
          baseline: sqlite,
        },
      ],
    };
  } finally {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
