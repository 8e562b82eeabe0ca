import { CommitSignal } from './application/ports/commit-signal.js';
import type { AuditFeed } from './application/ports/audit-feed.js';
import type { CarScan } from './application/ports/car-scan.js';
import type { StateStore } from './application/ports/state-store.js';
import type { TaskBoard } from './application/ports/task-board.js';
import type { Config } from './config.js';
import type { CarRepository } from './domain/car/car-repository.js';
import { GraphAuditFeed } from './infrastructure/graph/graph-audit-feed.js';
import { GraphCarScan } from './infrastructure/graph/graph-car-scan.js';
import type { GraphConnection } from './infrastructure/graph/graph-client.js';
import {
  GraphListCarRepository,
  resolveRectifyLists,
} from './infrastructure/graph/graph-list-car-repository.js';
import { openGraphStateStore } from './infrastructure/graph/graph-state-store.js';
import { GatedAuditFeed, GatedStateStore, PollGate } from './infrastructure/graph/poll-gate.js';
import type { SharePointListClient } from './infrastructure/graph/sharepoint-list-client.js';
import { PlannerTaskBoard } from './infrastructure/graph/planner-task-board.js';
import { openDatabase, type Database } from './infrastructure/sqlite/database.js';
import { LocalTaskBoard } from './infrastructure/sqlite/local-task-board.js';
import { SqliteAuditFeed } from './infrastructure/sqlite/sqlite-audit-feed.js';
import { SqliteCarScan } from './infrastructure/sqlite/sqlite-car-scan.js';
import { SqliteCarRepository } from './infrastructure/sqlite/sqlite-car-repository.js';
import { sealFor } from './infrastructure/audit/audit-seal.js';
import { SqliteStateStore } from './infrastructure/sqlite/sqlite-state-store.js';

/**
 * Everything Rectify keeps, opened after the configuration: CARs, shared state, the feed of
 * CAR writes and the task board. In SQLite mode all of it is the one embedded file. In
 * SharePoint mode it is the site (and Planner), and the local file is not even opened unless
 * the local task board is chosen, so that several instances can share the site.
 */
export interface Stores {
  readonly repository: CarRepository;
  readonly state: StateStore;
  readonly feed: AuditFeed;
  /** Every CAR, read in batches for the committee's agenda and figures. */
  readonly scan: CarScan;
  readonly board: TaskBoard;
  /** The local board when it is the one in use (its REST routes are mounted then). */
  readonly localBoard: LocalTaskBoard | null;
  /** The embedded file, when one is open. */
  readonly db: Database | null;
  /** The Graph connection and the site's lists, in SharePoint mode. */
  readonly graph: {
    readonly connection: GraphConnection;
    readonly lists: SharePointListClient;
  } | null;
  /** Raised after each CAR write of this process commits (the embedded store). */
  readonly commits: CommitSignal;
  /** Resolves when the store answers (readiness). */
  ready(): Promise<void>;
  /** False once closed: background workers stop. */
  isOpen(): boolean;
  close(): void;
}

export async function openStores(config: Config): Promise<Stores> {
  let db: Database | null = null;
  const embedded = (): Database => (db ??= openDatabase(config.databaseFile));
  let open = true;
  const commits = new CommitSignal();

  let repository: CarRepository;
  let state: StateStore;
  let feed: AuditFeed;
  let scan: CarScan;
  let closeScan = (): void => undefined;
  let graph: Stores['graph'] = null;
  if (config.store.kind === 'sharepoint') {
    // Loaded in SharePoint mode only: it brings in the MSAL library, which local mode never uses.
    const { graphConnectionFor, listClientFor } =
      await import('./infrastructure/graph/open-graph-store.js');
    const connection = graphConnectionFor(config.store);
    const lists = listClientFor(config.store, connection);
    const ids = await resolveRectifyLists(lists);
    // One background poller per tenant, backing off when idle (SharePoint's throttling budget).
    const shared = await openGraphStateStore(lists);
    const gate = new PollGate({ state: shared });
    repository = new GraphListCarRepository(lists, ids, sealFor(config.audit), {
      timeZone: config.timeZone,
      onWrite: () => {
        gate.noteActivity();
      },
    });
    state = new GatedStateStore(shared, gate);
    feed = new GatedAuditFeed(
      new GraphAuditFeed(lists, { cars: ids.cars, audit: ids.audit }),
      gate,
    );
    scan = new GraphCarScan(lists, { cars: ids.cars });
    graph = { connection, lists };
  } else {
    repository = new SqliteCarRepository(embedded(), {
      seal: sealFor(config.audit),
      checkpointDir: config.audit.checkpointDir,
      commits,
    });
    state = new SqliteStateStore(embedded());
    feed = new SqliteAuditFeed(embedded());
    // A scan reads through its own connection, so a long read never holds up the writers.
    const reader = SqliteCarScan.open(config.databaseFile);
    scan = reader.scan;
    closeScan = reader.close;
  }

  let board: TaskBoard;
  let localBoard: LocalTaskBoard | null = null;
  if (config.taskBoard.kind === 'planner') {
    if (!graph || !config.taskBoard.plannerPlanId)
      throw new Error('TASK_BOARD=planner needs STORE=sharepoint and PLANNER_PLAN_ID');
    board = new PlannerTaskBoard(graph.connection, { planId: config.taskBoard.plannerPlanId });
  } else {
    localBoard = new LocalTaskBoard(embedded());
    board = localBoard;
  }

  const lists = graph?.lists;
  return {
    repository,
    state,
    feed,
    scan,
    board,
    localBoard,
    db,
    graph,
    commits,
    ready: async () => {
      if (db) db.prepare('SELECT 1').get();
      if (lists) await lists.getSite();
    },
    isOpen: () => open,
    close: () => {
      open = false;
      closeScan();
      db?.close();
    },
  };
}
