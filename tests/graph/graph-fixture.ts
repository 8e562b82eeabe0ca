import { testSeal } from '../support/audit-seal.js';
import {
  createGraphConnection,
  type RetrySettings,
} from '../../src/infrastructure/graph/graph-client.js';
import {
  GraphListCarRepository,
  resolveRectifyLists,
} from '../../src/infrastructure/graph/graph-list-car-repository.js';
import { provisionRectifyLists } from '../../src/infrastructure/graph/provision-lists.js';
import { SharePointListClient } from '../../src/infrastructure/graph/sharepoint-list-client.js';
import { GraphEmulator, type GraphEmulatorOptions } from './emulator/graph-emulator.js';

/** An emulator on loopback with the Rectify lists provisioned, and a repository on it. */
export interface GraphFixture {
  readonly emulator: GraphEmulator;
  readonly lists: SharePointListClient;
  readonly repository: GraphListCarRepository;
  /** Another repository (another API instance) on the same emulated site. */
  anotherRepository(): Promise<GraphListCarRepository>;
  close(): Promise<void>;
}

export async function startGraphFixture(
  options: GraphEmulatorOptions & {
    retry?: Partial<RetrySettings>;
    token?: string;
    timeoutMs?: number;
  } = {},
): Promise<GraphFixture> {
  const emulator = new GraphEmulator(options);
  const url = await emulator.listen();
  const connect = (): SharePointListClient =>
    new SharePointListClient(
      createGraphConnection({
        baseUrl: url,
        accessToken: () => Promise.resolve(options.token ?? 'emulator-token'),
        retry: { baseDelayMs: 10, ...options.retry },
        timeoutMs: options.timeoutMs,
      }),
      emulator.site.id,
    );
  const lists = connect();
  await provisionRectifyLists(lists);
  const repository = new GraphListCarRepository(
    lists,
    await resolveRectifyLists(lists),
    testSeal(),
  );
  emulator.resetLog();
  return {
    emulator,
    lists,
    repository,
    async anotherRepository() {
      const other = connect();
      return new GraphListCarRepository(other, await resolveRectifyLists(other), testSeal());
    },
    close: () => emulator.close(),
  };
}
