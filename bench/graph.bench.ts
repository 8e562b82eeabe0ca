import { randomUUID } from 'node:crypto';
import { CarCommandSchemas, type CarCommand } from '../src/application/car-commands.js';
import { CarService } from '../src/application/car-service.js';
import { systemClock } from '../src/application/ports.js';
import { DEFAULT_SERVICE_LEVELS } from '../src/domain/calendar/service-levels.js';
import { WorkingCalendar } from '../src/domain/calendar/working-calendar.js';
import type { Principal } from '../src/domain/identity.js';
import { createGraphConnection } from '../src/infrastructure/graph/graph-client.js';
import {
  GraphListCarRepository,
  resolveRectifyLists,
} from '../src/infrastructure/graph/graph-list-car-repository.js';
import { provisionRectifyLists } from '../src/infrastructure/graph/provision-lists.js';
import { SharePointListClient } from '../src/infrastructure/graph/sharepoint-list-client.js';
import { GraphEmulator } from '../tests/graph/emulator/graph-emulator.js';
import type { BenchReport, BenchRow } from './bench-report.js';

/**
 * Graph round trips per user operation through the product (CarService on the SharePoint
 * store), counted at the Graph emulator, next to the fewest the operation could take: one
 * write for a report; a read (our authorization and the domain rules need the CAR) and a write
 * for each card action. Then the time each takes with 100 ms added to every Graph call.
 */
const CARS = 5;
const LATENCY_MS = 100;

const principal = (id: string, name: string, mr = false): Principal => ({
  id,
  name,
  tenantId: 'bench-tenant',
  roles: new Set(mr ? (['mr'] as const) : []),
});
const MR = principal('mr-bench', 'Jordan Lee', true);
const REPORTER = principal('reporter-bench', 'Alex Morgan');
const OWNERS = [
  principal('owner-1', 'Sam Taylor'),
  principal('owner-2', 'Maria Garcia'),
  principal('owner-3', 'Kenji Sato'),
];

const cmd = <K extends keyof typeof CarCommandSchemas>(
  op: K,
  body: Record<string, unknown> = {},
): CarCommand => CarCommandSchemas[op].parse({ op, ...body });

interface Held {
  readonly id: string;
  readonly etag: string;
}

interface Operation {
  readonly name: string;
  readonly minimum: number;
  /** Takes the CAR and the ETag the client holds (from its last answer), gives the new ones. */
  readonly run: (service: CarService, held: Held | null) => Promise<Held>;
}

const steps = async (
  service: CarService,
  carId: string,
  commands: readonly CarCommand[],
  who = MR,
): Promise<void> => {
  for (const c of commands) {
    const current = await service.get(MR, carId);
    await service.execute(who, carId, current.etag, c);
  }
};

const OPERATIONS: readonly Operation[] = [
  {
    name: 'report',
    minimum: 1,
    run: async (service) => {
      const { stored } = await service.report(
        REPORTER,
        {
          type: 'near_miss',
          relatesTo: ['equipment'],
          source: 'member_report',
          title: 'Laptop left unlocked',
          description: 'An unlocked laptop was left in meeting room 3.',
          occurredAt: null,
          location: 'Room 3',
          affected: 'Laptop',
          immediateAction: 'Locked it',
          confidential: false,
        },
        randomUUID(),
      );
      return { id: stored.car.id, etag: stored.etag };
    },
  },
  {
    name: 'record',
    minimum: 2,
    run: async (service, held) => {
      const id = held?.id ?? '';
      const recorded = await service.execute(
        MR,
        id,
        held?.etag,
        cmd('record', { classification: 'minor_nc', severity: 'medium' }),
      );
      return { id, etag: recorded.etag };
    },
  },
  {
    name: 'plan three actions',
    minimum: 8,
    run: async (service, held) => {
      const id = held?.id ?? '';
      let etag = held?.etag ?? '';
      for (const owner of OWNERS) {
        const stored = await service.execute(
          MR,
          id,
          etag,
          cmd('addAction', {
            kind: 'corrective',
            title: `Fix it (${owner.name})`,
            description: 'Do the thing.',
            owner: { id: owner.id, name: owner.name },
          }),
        );
        etag = stored.etag;
      }
      const planned = await service.execute(MR, id, etag, cmd('planActions'));
      return { id, etag: planned.etag };
    },
  },
  {
    name: 'close',
    minimum: 2,
    run: async (service, held) => {
      const id = held?.id ?? '';
      const closed = await service.execute(
        MR,
        id,
        held?.etag,
        cmd('close', {
          summary: 'Fixed for good.',
          ismsChangeNeeded: false,
          feedsManagementReview: true,
        }),
      );
      return { id, etag: closed.etag };
    },
  },
];

/** What happens between the measured operations, not counted; gives the ETag it ends with. */
async function prepare(service: CarService, name: string, held: Held): Promise<Held> {
  const carId = held.id;
  if (name === 'record')
    await steps(service, carId, [
      cmd('startInvestigation'),
      cmd('updateInvestigation', {
        fiveWhys: [{ question: 'Why?', answer: 'Because.' }],
        rootCause: 'No lock policy.',
        causeCategory: 'process',
        similarCheck: { done: true, findings: 'None.', relatedCarIds: [] },
      }),
    ]);
  if (name === 'plan three actions') {
    await steps(service, carId, [cmd('startImplementation')]);
    const car = (await service.get(MR, carId)).car;
    for (const action of car.actions) {
      const owner = OWNERS.find((o) => o.id === action.owner.id) ?? MR;
      const current = await service.get(MR, carId);
      await service.execute(
        owner,
        carId,
        current.etag,
        cmd('completeAction', { actionId: action.id, note: 'Done.' }),
      );
    }
    await steps(service, carId, [
      cmd('startVerification'),
      cmd('verifyEffectiveness', { effective: true, evidence: 'No recurrence.' }),
    ]);
  }
  return { id: carId, etag: (await service.get(MR, carId)).etag };
}

export default async function graphBench(): Promise<BenchReport> {
  const emulator = new GraphEmulator();
  const url = await emulator.listen();
  try {
    const lists = new SharePointListClient(
      createGraphConnection({ baseUrl: url, accessToken: () => Promise.resolve('bench') }),
      emulator.site.id,
    );
    await provisionRectifyLists(lists);
    const service = new CarService({
      repository: new GraphListCarRepository(lists, await resolveRectifyLists(lists)),
      clock: systemClock,
      newId: randomUUID,
      calendar: new WorkingCalendar(),
      serviceLevels: DEFAULT_SERVICE_LEVELS,
      timeZone: 'UTC',
    });

    const trips = new Map<string, number[]>();
    const inner = new Map<string, number[]>();
    const times = new Map<string, number[]>();
    for (const latency of [0, LATENCY_MS]) {
      emulator.latencyMs = latency;
      for (let i = 0; i < CARS; i += 1) {
        let held: Held | null = null;
        for (const op of OPERATIONS) {
          emulator.resetLog();
          const t0 = performance.now();
          held = await op.run(service, held);
          const elapsed = performance.now() - t0;
          const counts = emulator.counts();
          if (latency === 0) {
            trips.set(op.name, [...(trips.get(op.name) ?? []), counts.http]);
            inner.set(op.name, [...(inner.get(op.name) ?? []), counts.inner]);
          } else times.set(op.name, [...(times.get(op.name) ?? []), elapsed]);
          emulator.latencyMs = 0;
          held = await prepare(service, op.name, held);
          emulator.latencyMs = latency;
        }
      }
    }
    const mean = (xs: readonly number[] | undefined): number =>
      xs && xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
    const rows: BenchRow[] = OPERATIONS.flatMap((op) => [
      {
        metric: `${op.name}: Graph round trips`,
        value: mean(trips.get(op.name)),
        unit: 'requests',
        baseline: op.minimum,
        target: op.name === 'report' ? 1 : undefined,
      },
      {
        metric: `${op.name}: requests inside $batch`,
        value: mean(inner.get(op.name)),
        unit: 'requests',
      },
      {
        metric: `${op.name}: time with ${LATENCY_MS} ms per Graph call`,
        value: mean(times.get(op.name)),
        unit: 'ms',
        baseline: op.minimum * LATENCY_MS,
      },
    ]);
    return {
      name: `SharePoint store on the Graph emulator (${CARS} CARs)`,
      baselineName: 'fewest round trips possible for the operation',
      rows,
    };
  } finally {
    await emulator.close();
  }
}
