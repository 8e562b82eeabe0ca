import { randomUUID } from 'node:crypto';
import { repeat } from './application/repeat.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express, Router } from 'express';
import express from 'express';
import { pino, type Logger } from 'pino';
import { createApp } from './http/app.js';
import { botMount, roleUsersOf } from './bot/mount-bot.js';
import type { Config } from './config.js';
import { CarService } from './application/car-service.js';
import { systemClock, type Clock } from './application/ports/clock.js';
import { WorkingCalendar } from './domain/calendar/working-calendar.js';
import { createDevRouter } from './infrastructure/auth/dev-routes.js';
import { createEntraTokenValidator } from './infrastructure/auth/entra-token-validator.js';
import { LocalIssuer } from './infrastructure/auth/local-issuer.js';
import { MeetingService } from './application/committee/meeting-service.js';
import type { ProcedureLibrary } from './application/ports/procedure-library.js';
import { ProcedureRevisionWatcher } from './application/procedure-revision-watcher.js';
import { botChannel, type ReminderChannel } from './application/ports/reminder-channel.js';
import { ReminderInbox } from './application/reminders/inbox.js';
import { startReminderJob } from './application/reminders/reminder-job.js';
import type { RectifyBot } from './bot/rectify-bot.js';
import {
  ActivityFeedNotifier,
  teamsTabDeepLink,
} from './infrastructure/graph/activity-feed-notifier.js';
import { SharePointProcedureLibrary } from './infrastructure/graph/sharepoint-procedure-library.js';
import { LocalFolderProcedureLibrary } from './infrastructure/procedures/local-folder-library.js';
import { parseRegister } from './infrastructure/import/register-file.js';
import type { BoardTask } from './application/ports/task-board.js';
import { startTaskSync } from './application/task-sync.js';
import { openStores, type Stores } from './stores.js';
import { SubscriptionWorker } from './application/subscriptions/subscription-worker.js';
import { fetchWebhookPoster } from './infrastructure/webhooks/fetch-webhook-poster.js';
import { defaultTabDir, tabRouter } from './tab/serve-tab.js';

export interface RunningRectify {
  readonly url: string;
  readonly server: Server;
  /** Every listening server: `server`, and the same app on the other loopback address. */
  readonly servers: readonly Server[];
  readonly logger: Logger;
  close(): Promise<void>;
}

/**
 * The composition root: picks the adapters from the configuration, wires them, and listens.
 * Local mode trusts the built-in issuer, mounted under /dev/issuer of this same server.
 */
export async function startRectify(
  config: Config,
  options: { clock?: Clock; logger?: Logger; tabDir?: string } = {},
): Promise<RunningRectify> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { app: 'rectify' } });
  const stores = await openStores(config);
  const { repository, state, feed, board } = stores;
  const clock = options.clock ?? systemClock;
  const procedures = await procedureLibraryOf(config, stores);
  const calendar = new WorkingCalendar(config.calendar);
  const carService = new CarService({
    procedures,
    repository,
    clock,
    newId: randomUUID,
    calendar,
    serviceLevels: config.serviceLevels,
    timeZone: config.timeZone,
    homeTenantId: config.auth.allowedTenantIds[0] ?? '',
  });
  const workers: { stop: () => Promise<void> }[] = [];

  // Actions become tasks on the board, and completed tasks complete the actions.
  workers.push(
    startTaskSync({
      carService,
      repository,
      board,
      state,
      feed,
      clock,
      logger: logger.child({ component: 'task-sync' }),
      deepLink: config.taskBoard.deepLink,
      tenantId: config.auth.allowedTenantIds[0],
      intervalMs: config.taskBoard.intervalMs,
      pollMs: config.taskBoard.pollMs,
    }),
  );

  // A procedure revision published in the library, citing a CAR, is recorded on that CAR.
  const watcher = new ProcedureRevisionWatcher({
    repository,
    library: procedures,
    clock,
    calendar,
    serviceLevels: config.serviceLevels,
    timeZone: config.timeZone,
  });
  workers.push(
    repeat(
      config.procedures.watchIntervalMs,
      async () => {
        await watcher.tick();
      },
      (err) => {
        logger.error({ err, component: 'procedure-watcher' }, 'procedure watcher round failed');
      },
    ),
  );

  // Reminders and escalation, each due event once whatever the number of instances.
  const roleUsers = roleUsersOf(config);
  const inbox = new ReminderInbox(state, clock);
  let mountedBot: RectifyBot | null = null;
  const channels: ReminderChannel[] = [];
  for (const name of config.reminders.channels) {
    if (name === 'inbox') channels.push(inbox.channel());
    if (name === 'bot')
      channels.push(
        botChannel({
          deliverReminder: (personId, reminder) => {
            if (!mountedBot) throw new Error('the bot is not mounted yet');
            return mountedBot.deliverReminder(personId, reminder);
          },
        }),
      );
    if (name === 'activity-feed' && stores.graph && config.reminders.teamsAppId) {
      const appId = config.reminders.teamsAppId;
      channels.push(
        new ActivityFeedNotifier(stores.graph.connection, {
          links: {
            car: (car) => teamsTabDeepLink(appId, 'rectify', car.number ?? car.id),
            committee: () => teamsTabDeepLink(appId, 'rectify'),
          },
        }),
      );
    }
  }
  const stopReminders = startReminderJob({
    store: state,
    scan: stores.scan,
    clock,
    timeZone: config.timeZone,
    calendar,
    settings: config.reminders,
    recipients: { mrIds: roleUsers.mr, committeeIds: roleUsers.committee },
    channels,
    logger: logger.child({ component: 'reminders' }),
    intervalMs: config.reminders.intervalMs,
  });
  workers.push({ stop: stopReminders });

  // Webhook subscriptions: CAR events to Power Automate triggers and other receivers.
  const webhooks = new SubscriptionWorker({
    state,
    feed,
    scan: stores.scan,
    repository,
    poster: fetchWebhookPoster(),
    clock,
    today: () => carService.today(),
    logger: logger.child({ component: 'webhooks' }),
    maxAttempts: config.webhooks.maxAttempts,
    disableAfterFailures: config.webhooks.disableAfterFailures,
    leaseMs: config.webhooks.leaseMs,
    baseBackoffMs: config.webhooks.retryBaseMs,
  });
  await webhooks.init();
  workers.push(webhooks.start(config.webhooks.intervalMs, () => stores.isOpen()));

  let listeningOn = '';
  const authorityHost = config.auth.authorityHost ?? (() => `${listeningOn}/dev/issuer`);

  let devRouter: Router | undefined;
  if (config.mode === 'local') {
    const issuer = await LocalIssuer.create({
      keyFile: path.join(config.dataDir, 'local-issuer-key.json'),
      tenantId: config.auth.allowedTenantIds[0] ?? '',
      authorityHost,
    });
    devRouter = express.Router();
    devRouter.use('/issuer', issuer.router());
    devRouter.use(createDevRouter({ issuer, audience: config.auth.clientId }));
  }

  const tokenValidator = createEntraTokenValidator({
    authorityHost,
    allowedTenantIds: config.auth.allowedTenantIds,
    audiences: config.auth.audiences,
    requiredScope: 'access_as_user',
    roleClaimValues: config.auth.roleClaimValues,
    roleGroups: config.auth.roleGroups,
  });

  const app = await createApp({
    carService,
    tokenValidator,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    ready: () => stores.ready(),
    devRouter,
    beforeApi: botMount(config, {
      carService,
      repository,
      state,
      feed,
      isOpen: () => stores.isOpen(),
      commits: config.store.kind === 'sqlite' ? stores.commits : undefined,
      onMounted: (bot) => {
        mountedBot = bot;
      },
      clock,
      logger,
    }),
    taskBoard: stores.localBoard ?? undefined,
    procedures: { library: procedures },
    imports: { repository, newId: randomUUID, clock, readTable: parseRegister },
    carTasks: { carService, state, board, taskUrl: taskUrlOf(config) },
    notifications: { inbox },
    committee: {
      meetings: new MeetingService({
        carService,
        scan: stores.scan,
        store: state,
        clock,
        timeZone: config.timeZone,
      }),
    },
    exports: { carService, clock, timeZone: config.timeZone, meetingStore: state },
    subscriptions: {
      state,
      clock,
      policy: { allowLoopbackHttp: config.webhooks.allowLoopbackHttp },
    },
    afterApi: tabRouter({ dir: options.tabDir ?? defaultTabDir() }),
  });

  const [first, ...others] = config.hosts;
  const server = await listen(app, config.port, first ?? config.host);
  const { port } = server.address() as AddressInfo;
  // The other addresses (::1 beside 127.0.0.1) on the same port; a machine without IPv6 has none.
  const servers = [server];
  for (const host of others) {
    const extra = await listen(app, port, host).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') return null;
      throw err;
    });
    if (extra) servers.push(extra);
  }
  listeningOn = `http://127.0.0.1:${port}`;
  if (config.localModeExposed)
    logger.warn(
      { hosts: config.hosts },
      'local mode listens beyond loopback (LOCAL_MODE_EXPOSE=true): anyone who reaches this port can sign in as anyone through /dev/token',
    );
  logger.info(
    {
      url: listeningOn,
      addresses: servers.map((s) => (s.address() as AddressInfo).address),
      mode: config.mode,
      data: config.dataDir,
      store: config.store.kind,
    },
    'Rectify is listening',
  );

  return {
    url: listeningOn,
    server,
    servers,
    logger,
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => {
                resolve();
              });
              s.closeAllConnections();
            }),
        ),
      );
      await Promise.all(workers.map((w) => w.stop()));
      stores.close();
    },
  };
}

function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    // Express 5 hands a listen error (port taken) to this callback instead of throwing.
    const s = app.listen(port, host, (err?: Error) => {
      if (err) reject(err);
      else resolve(s);
    });
  });
}

/** The procedure library after the configuration: the local folder or the site's library. */
async function procedureLibraryOf(config: Config, stores: Stores): Promise<ProcedureLibrary> {
  if (config.procedures.kind === 'folder')
    return new LocalFolderProcedureLibrary(config.procedures.dir);
  if (!stores.graph || config.store.kind !== 'sharepoint')
    throw new Error('PROCEDURE_LIBRARY_NAME needs STORE=sharepoint');
  return SharePointProcedureLibrary.onSite(
    stores.graph.connection,
    config.store.siteId,
    config.procedures.libraryName,
  );
}

/** Where a person opens a board task: Planner on the web, or the tab's own list of tasks. */
function taskUrlOf(config: Config): (task: BoardTask) => string {
  if (config.taskBoard.kind === 'planner') {
    const tenant = config.store.kind === 'sharepoint' ? config.store.tenantId : '';
    return (task) =>
      `https://planner.cloud.microsoft/webui/v1/task/${encodeURIComponent(task.id)}?tid=${encodeURIComponent(tenant)}`;
  }
  return (task) => `/actions#task-${encodeURIComponent(task.id)}`;
}
