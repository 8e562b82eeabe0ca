/**
 * A Rectify core for TaskSync tests: a real SQLite file in a temp folder (CARs, audit trail,
 * shared state), the CarService, the audit feed, a clock the test moves, and a task board
 * (the local one in the same file, or Planner on the Graph emulator).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CarCommandSchemas } from '../../src/application/car-commands.js';
import { CarService } from '../../src/application/car-service.js';
import type { TaskBoard } from '../../src/application/ports/task-board.js';
import {
  TaskSync,
  type TaskSyncDeps,
  type TaskSyncLogger,
} from '../../src/application/task-sync.js';
import { DEFAULT_SERVICE_LEVELS } from '../../src/domain/calendar/service-levels.js';
import { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import type { CarRepository, StoredCar } from '../../src/domain/car/car-repository.js';
import type { ActionKind, Classification } from '../../src/domain/car/car-vocabulary.js';
import type { Principal, Role } from '../../src/domain/identity.js';
import { openDatabase, type Database } from '../../src/infrastructure/sqlite/database.js';
import { LocalTaskBoard } from '../../src/infrastructure/sqlite/local-task-board.js';
import { SqliteAuditFeed } from '../../src/infrastructure/sqlite/sqlite-audit-feed.js';
import { SqliteCarRepository } from '../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { SqliteStateStore } from '../../src/infrastructure/sqlite/sqlite-state-store.js';

export const TEAMS_APP_ID = '5f1c2b9e-0a34-4d6f-9f7a-3c2d1e0b8a77';

const person = (id: string, name: string, roles: Role[] = []): Principal => ({
  id,
  name,
  tenantId: 'tenant-1',
  roles: new Set(roles),
});

export const PEOPLE = {
  reporter: person('11111111-1111-4111-8111-111111111111', 'Alex Morgan'),
  mr: person('22222222-2222-4222-8222-222222222222', 'Jordan Lee', ['mr']),
  owner: person('33333333-3333-4333-8333-333333333333', 'Sam Taylor'),
  otherOwner: person('44444444-4444-4444-8444-444444444444', 'Maria Garcia'),
} as const;

export interface ActionSpec {
  readonly kind?: ActionKind;
  readonly title: string;
  readonly description?: string;
  readonly owner?: Principal;
  readonly steps?: string[];
}

export const silentLogger = (): TaskSyncLogger & { lines: string[] } => {
  const lines: string[] = [];
  const put = (obj: object, msg: string): void => {
    lines.push(`${msg} ${JSON.stringify(obj)}`);
  };
  return { lines, info: put, warn: put, error: put };
};

/** Takes a new report through to implementation with these actions, as the MR would. */
export async function carWithActions(
  carService: CarService,
  repository: CarRepository,
  classification: Classification,
  actions: readonly ActionSpec[],
): Promise<StoredCar> {
  const run = async (who: Principal, carId: string, command: Record<string, unknown>) => {
    const op = command.op as keyof typeof CarCommandSchemas;
    const stored = await repository.findById(carId);
    if (!stored) throw new Error(`no CAR ${carId}`);
    return carService.execute(who, carId, stored.etag, CarCommandSchemas[op].parse(command));
  };
  const { stored } = await carService.report(PEOPLE.reporter, {
    type: 'policy_nonconformance',
    relatesTo: ['procedure'],
    source: 'member_report',
    title: 'Visitor badge not returned',
    description: 'A visitor left the server room area without returning the badge.',
    occurredAt: null,
    location: '',
    affected: '',
    immediateAction: '',
    confidential: false,
  });
  const id = stored.car.id;
  const mr = PEOPLE.mr;
  await run(mr, id, { op: 'record', classification, severity: 'medium' });
  await run(mr, id, { op: 'startInvestigation' });
  await run(mr, id, {
    op: 'updateInvestigation',
    fiveWhys: [{ question: 'Why?', answer: 'No check at the exit.' }],
    rootCause: 'No check at the exit.',
    causeCategory: 'process',
    similarCheck: { done: true, findings: 'None', relatedCarIds: [] },
  });
  for (const a of actions)
    await run(mr, id, {
      op: 'addAction',
      kind: a.kind ?? 'corrective',
      title: a.title,
      description: a.description ?? '',
      owner: { id: (a.owner ?? PEOPLE.owner).id, name: (a.owner ?? PEOPLE.owner).name },
      ...(a.steps ? { steps: a.steps } : {}),
    });
  await run(mr, id, { op: 'planActions' });
  return run(mr, id, { op: 'startImplementation' });
}

export interface World {
  readonly dir: string;
  readonly file: string;
  readonly db: Database;
  readonly repository: SqliteCarRepository;
  readonly carService: CarService;
  readonly state: SqliteStateStore;
  readonly feed: SqliteAuditFeed;
  readonly board: TaskBoard;
  readonly clock: { now(): Date; advance(ms: number): void };
  sync(overrides?: Partial<TaskSyncDeps>): TaskSync;
  run(who: Principal, carId: string, command: Record<string, unknown>): Promise<StoredCar>;
  /** A CAR in implementation with these actions; answers it as stored. */
  carWithActions(
    classification: Classification,
    actions: readonly ActionSpec[],
  ): Promise<StoredCar>;
  get(carId: string): Promise<StoredCar>;
  close(): void;
}

export function makeWorld(
  boardOf: ((db: Database) => TaskBoard) | null = null,
  options: { dir?: string } = {},
): World {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'rectify-tasks-'));
  const file = path.join(dir, 'rectify.db');
  const db = openDatabase(file);
  let now = Date.parse('2026-11-02T09:00:00Z');
  const clock = {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
  const repository = new SqliteCarRepository(db);
  const carService = new CarService({
    repository,
    clock,
    newId: randomUUID,
    calendar: new WorkingCalendar({ weekendDays: [0, 6], holidays: [] }),
    serviceLevels: DEFAULT_SERVICE_LEVELS,
    timeZone: 'UTC',
  });
  const state = new SqliteStateStore(db, () => clock.now());
  const feed = new SqliteAuditFeed(db);
  const board = boardOf ? boardOf(db) : new LocalTaskBoard(db, { clock: () => clock.now() });

  const get = async (carId: string): Promise<StoredCar> => {
    const stored = await repository.findById(carId);
    if (!stored) throw new Error(`no CAR ${carId}`);
    return stored;
  };
  const run = async (
    who: Principal,
    carId: string,
    command: Record<string, unknown>,
  ): Promise<StoredCar> => {
    const op = command.op as keyof typeof CarCommandSchemas;
    const parsed = CarCommandSchemas[op].parse(command);
    return carService.execute(who, carId, (await get(carId)).etag, parsed);
  };

  return {
    dir,
    file,
    db,
    repository,
    carService,
    state,
    feed,
    board,
    clock,
    sync: (overrides = {}) =>
      new TaskSync({
        carService,
        repository,
        board,
        state,
        feed,
        clock,
        logger: silentLogger(),
        deepLink: { teamsAppId: TEAMS_APP_ID, entityId: 'rectify', webUrl: null },
        tenantId: 'tenant-1',
        retryBaseMs: 1000,
        leaseMs: 30_000,
        ...overrides,
      }),
    run,
    get,
    carWithActions: (classification, actions) =>
      carWithActions(carService, repository, classification, actions),
    close: () => {
      db.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
