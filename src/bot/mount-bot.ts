import type { Express } from 'express';
import type { Logger } from 'pino';
import type { CommitListener } from '../application/ports/commit-signal.js';
import type { CarService } from '../application/car-service.js';
import type { Clock } from '../application/ports/clock.js';
import type { Config } from '../config.js';
import type { PersonRef } from '../domain/identity.js';
import type { AuditFeed } from '../application/ports/audit-feed.js';
import type { StateStore } from '../application/ports/state-store.js';
import { DEFAULT_ROLE_CLAIM_VALUES, SAMPLE_PEOPLE } from '../infrastructure/auth/sample-people.js';
import type { CarRepository } from '../domain/car/car-repository.js';
import { NotificationWorker } from './notifications/notification-worker.js';
import { StateBotStore } from './bot-store.js';
import { RectifyBot } from './rectify-bot.js';
import { guardActivities } from './activity-guard.js';
import { teamsTabDeepLink } from '../infrastructure/graph/activity-feed-notifier.js';

/**
 * How often the notifier reads the audit trail and delivers what is due. On SharePoint a poll
 * is four Graph reads per instance, so it polls less often there (throttling is per app).
 */
const NOTIFY_EVERY_MS = { sqlite: 250, sharepoint: 2_000 } as const;
/**
 * In SQLite mode a commit of this process wakes the notifier at once; the poll is then only the
 * fallback that finds the writes of other processes on the same file.
 */
const NOTIFY_FALLBACK_MS = 2_000;

const hasRole = (appRoles: readonly string[], values: readonly string[]) =>
  appRoles.some((r) => values.includes(r));

/**
 * Wires the bot from the configuration, for `createApp`'s `beforeApi` hook: the bot's
 * /api/messages authenticates Bot Framework tokens itself, before the API's bearer check.
 * Local mode maps the sample people to their roles by Entra object id and opens the bot to
 * Agents Playground unless bot credentials are configured.
 */
/**
 * Who holds the MR and committee roles for proactive messages (no token to read roles from):
 * the configured Entra object ids, plus the sample people in local mode.
 */
export function roleUsersOf(config: Config): {
  readonly mr: readonly string[];
  readonly committee: readonly string[];
} {
  const sample = config.mode === 'local' ? SAMPLE_PEOPLE : [];
  return {
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
}

export function botMount(
  config: Config,
  deps: {
    carService: CarService;
    repository: CarRepository;
    /** The shared state (SQLite file or SharePoint site, after `config.store.kind`). */
    state: StateStore;
    feed: AuditFeed;
    /** False once the store is closed: the notifier stops. */
    isOpen: () => boolean;
    clock: Clock;
    logger: Logger;
    /** Raised after each CAR write of this process commits: the notifier starts at once. */
    commits?: CommitListener;
    /** Called with the bot once it is mounted (reminders go out through it). */
    onMounted?: (bot: RectifyBot) => void;
  },
): (app: Express) => Promise<void> {
  const local = config.mode === 'local';
  const sample = local ? SAMPLE_PEOPLE : [];
  const roleUsers = roleUsersOf(config);
  const store = new StateBotStore(deps.state);
  const samplePeople: PersonRef[] = sample.map((p) => ({ id: p.id, name: p.name }));
  const { appId, password, tenantId } = config.bot;
  const credentials = appId && password ? { appId, password, tenantId } : null;
  if (!credentials && !local)
    throw new Error('the bot needs BOT_ID and BOT_PASSWORD outside local mode');
  const logger = deps.logger.child({ component: 'bot' });
  return async (app) => {
    guardActivities(app, { loopbackServiceUrlOnly: credentials === null, logger });
    const bot = await RectifyBot.mount(app, {
      carService: deps.carService,
      store,
      identity: { allowedTenantIds: config.auth.allowedTenantIds, roleUsers },
      credentials,
      directory: (tenant) => (local ? Promise.resolve(samplePeople) : store.knownPeople(tenant)),
      clock: deps.clock,
      logger,
      carLink: config.reminders.teamsAppId
        ? (ref) => teamsTabDeepLink(config.reminders.teamsAppId ?? '', 'rectify', ref)
        : undefined,
    });
    deps.onMounted?.(bot);
    const worker = new NotificationWorker({
      state: deps.state,
      feed: deps.feed,
      repository: deps.repository,
      mrIds: roleUsers.mr,
      deliver: (n) => bot.deliver(n),
      clock: deps.clock,
      logger,
    });
    await worker.init();
    worker.start(
      config.store.kind === 'sharepoint'
        ? NOTIFY_EVERY_MS.sharepoint
        : deps.commits
          ? NOTIFY_FALLBACK_MS
          : NOTIFY_EVERY_MS.sqlite,
      deps.isOpen,
      deps.commits,
    );
  };
}
