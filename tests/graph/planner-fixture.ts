import { createGraphConnection } from '../../src/infrastructure/graph/graph-client.js';
import { PlannerTaskBoard } from '../../src/infrastructure/graph/planner-task-board.js';
import { GraphEmulator } from './emulator/graph-emulator.js';
import { plannerOf } from './emulator/planner-routes.js';

/** An emulator on loopback with one plan, and a Planner board on it. */
export async function startPlanner(pageSize = 3): Promise<{
  emulator: GraphEmulator;
  board: PlannerTaskBoard;
  planId: string;
  connect: () => PlannerTaskBoard;
}> {
  const emulator = new GraphEmulator();
  const url = await emulator.listen();
  const planner = plannerOf(emulator);
  planner.pageSize = pageSize;
  const plan = planner.addPlan();
  const connect = (): PlannerTaskBoard =>
    new PlannerTaskBoard(
      createGraphConnection({
        baseUrl: url,
        accessToken: () => Promise.resolve('emulator-token'),
        retry: { baseDelayMs: 5, maxDelayMs: 50 },
      }),
      { planId: plan.id },
    );
  return { emulator, board: connect(), planId: plan.id, connect };
}
