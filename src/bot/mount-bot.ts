import type { Express } from 'express';
import type { Logger } from 'pino';
import type { CarService } from '../application/car-service.js';
import type { Clock } from '../application/ports.js';
import type { Config } from '../config.js';
import type { PersonRef } from '../domain/identity.js';
import type { Database } from '../infrastructure/sqlite/database.js';
import { DEFAULT_ROLE_CLAIM_VALUES, SAMPLE_PEOPLE } from '../infrastructure/auth/sample-people.js';
import type { CarRepository } from '../domain/car/car-repository.js';
import { NotificationWorker } from './notifications/notification-worker.js';
import { SqliteNotificationOutbox } from './notifications/sqlite-notification-outbox.js';
import { RectifyBot } from './rectify-bot.js';
import { SqliteBotStore } from './sqlite-bot-store.js';

/** How often the notifier reads the audit trail and delivers what is due. */
const NOTIFY_EVERY_MS = 250;

const hasRole = (appRoles: readonly string[], values: readonly string[]) =>
  appRoles.some((r) => values.includes(r));

/**
 * Wires the bot from the configuration, for `createApp`'s `beforeApi` hook: the bot's
 * /api/messages authenticates Bot Framework tokens itself, before the API's bearer check.
 * Local mode maps the sample people to their roles by Entra object id and opens the bot to
 * Agents Playground unless bot credentials are configured.
 */
export function botMount(
  config: Config,
  deps: {
    carService: CarService;
    repository: CarRepository;
    db: Database;
    clock: Clock;
    logger: Logger;
  },
): (app: Express) => Promise<void> {
  const local = config.mode === 'local';
  const sample = local ? SAMPLE_PEOPLE : [];
  const roleUsers = {
    mr: [
      ...config.bot.roleUsers.mr,
      ...sample.filter((p) => hasRole(p.appRoles, DEFAULT_ROLE_CLAIM_VALUES.mr)).map((p) => p.id),
    ],
    committee: [
      ...config.bot.roleUsers.committee,
      ...sample
        .filter((p) => hasRole(p.appRoles, DEFAULT_ROLE_CLAIM_VALUES.committee))
        .map((p) => p.id),
    ],
  };
  const store = new SqliteBotStore(deps.db);
  const samplePeople: PersonRef[] = sample.map((p) => ({ id: p.id, name: p.name }));
  const { appId, password, tenantId } = config.bot;
  const credentials = appId && password ? { appId, password, tenantId } : null;
  if (!credentials && !local)
    throw new Error('the bot needs BOT_ID and BOT_PASSWORD outside local mode');
  const logger = deps.logger.child({ component: 'bot' });
  return async (app) => {
    const bot = await RectifyBot.mount(app, {
      carService: deps.carService,
      store,
      identity: { allowedTenantIds: config.auth.allowedTenantIds, roleUsers },
      credentials,
      directory: (tenant) => (local ? samplePeople : store.knownPeople(tenant)),
      clock: deps.clock,
      logger,
    });
    new NotificationWorker({
      outbox: new SqliteNotificationOutbox(deps.db),
      repository: deps.repository,
      mrIds: roleUsers.mr,
      deliver: (n) => bot.deliver(n),
      clock: deps.clock,
      logger,
    }).start(NOTIFY_EVERY_MS, () => deps.db.open);
  };
}
