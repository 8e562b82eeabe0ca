import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isLocalDate, type LocalDate } from './domain/calendar/local-date.js';
import { serviceLevelsWith, type ServiceLevels } from './domain/calendar/service-levels.js';
import type { WorkingCalendarSettings } from './domain/calendar/working-calendar.js';
import { RectifyError } from './domain/errors.js';
import {
  DEFAULT_ROLE_CLAIM_VALUES,
  LOCAL_CLIENT_ID,
  LOCAL_TENANT_ID,
} from './infrastructure/auth/sample-people.js';

/**
 * The one place that reads the environment. Names follow the Teams Toolkit conventions where
 * one exists (AAD_APP_*, BOT_*). Parsed once at start-up; everything else receives the result.
 */

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );

const days = (fallback: number) => z.coerce.number().int().min(0).max(365).default(fallback);

const EnvSchema = z.object({
  RECTIFY_MODE: z.enum(['local', 'production']).default('local'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  HOST: z.string().trim().min(1).optional(),
  LOCAL_MODE_EXPOSE: z.enum(['true', 'false']).default('false'),
  DATA_DIR: z.string().default('data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10_000_000).default(65_536),
  AAD_APP_CLIENT_ID: z.string().optional(),
  AAD_APP_TENANT_ID: z.string().optional(),
  AAD_APP_ID_URI: z.string().optional(),
  AAD_APP_OAUTH_AUTHORITY_HOST: z.string().optional(),
  ALLOWED_TENANT_IDS: list,
  ROLE_MR_APP_ROLES: list,
  ROLE_COMMITTEE_APP_ROLES: list,
  ROLE_MR_GROUP_IDS: list,
  ROLE_COMMITTEE_GROUP_IDS: list,
  ROLE_MR_USER_IDS: list,
  ROLE_COMMITTEE_USER_IDS: list,
  BOT_ID: z.string().trim().min(1).optional(),
  BOT_PASSWORD: z.string().min(1).optional(),
  BOT_TENANT_ID: z.string().trim().min(1).optional(),
  TIME_ZONE: z.string().default('UTC'),
  WEEKEND_DAYS: z.string().default('0,6'),
  HOLIDAYS: list,
  SLA_MAJOR_NC_DAYS: days(14),
  SLA_MINOR_NC_DAYS: days(14),
  SLA_OFI_DAYS: days(30),
  SLA_EFFECTIVENESS_REVIEW_DAYS: days(30),
  REMINDER_DUE_SOON_DAYS: days(2),
  REMINDER_ESCALATE_AFTER_DAYS: z.coerce.number().int().min(1).max(365).default(5),
  REMINDER_DIGEST_DAYS_BEFORE: days(2),
  REMINDER_INTERVAL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(60_000),
  REMINDER_CHANNELS: z.string().default('inbox,bot'),
  TEAMS_APP_ID: z.string().trim().min(1).optional(),
  /** The org catalog id once the app is published (teamsapp.yml writes it); deep links use it. */
  TEAMS_APP_PUBLISHED_APP_ID: z.string().trim().min(1).optional(),
  PROCEDURES_DIR: z.string().trim().min(1).default('procedures'),
  PROCEDURE_LIBRARY_NAME: z.string().trim().min(1).optional(),
  PROCEDURE_WATCH_INTERVAL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(60_000),
  TASK_BOARD: z.enum(['local', 'planner']).default('local'),
  PLANNER_PLAN_ID: z.string().trim().min(1).optional(),
  TASK_BOARD_WEB_URL: z.url().optional(),
  TASK_SYNC_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  TASK_BOARD_POLL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(60_000),
  WEBHOOK_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(5_000),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(2_000),
  WEBHOOK_LEASE_MS: z.coerce.number().int().min(500).max(3_600_000).default(60_000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  WEBHOOK_DISABLE_AFTER: z.coerce.number().int().min(1).max(1000).default(10),
  STORE: z.enum(['sqlite', 'sharepoint']).default('sqlite'),
  SHAREPOINT_SITE_ID: z.string().trim().min(1).optional(),
  GRAPH_BASE_URL: z.url().default('https://graph.microsoft.com/v1.0'),
  GRAPH_CLIENT_ID: z.string().trim().min(1).optional(),
  GRAPH_TENANT_ID: z.string().trim().min(1).optional(),
  GRAPH_AUTHORITY_HOST: z.url().optional(),
  GRAPH_CERTIFICATE_PATH: z.string().trim().min(1).optional(),
  GRAPH_CLIENT_SECRET: z.string().min(1).optional(),
  AAD_APP_CLIENT_SECRET: z.string().min(1).optional(),
  GRAPH_AUTHORITY_CA_PATH: z.string().trim().min(1).optional(),
  GRAPH_TIMEOUT_MS: z.coerce.number().int().min(1).max(600_000).default(30_000),
  AUDIT_KEY: z.string().trim().min(1).optional(),
  AUDIT_KEY_FILE: z.string().trim().min(1).default('.rectify/audit.key'),
  AUDIT_CHECKPOINT_DIR: z.string().trim().min(1).default('.rectify/checkpoints'),
});

export type Env = Readonly<Record<string, string | undefined>>;

export interface AuthConfig {
  readonly clientId: string;
  readonly audiences: readonly string[];
  readonly allowedTenantIds: readonly string[];
  /** Null in local mode: the built-in issuer's address is known once the server listens. */
  readonly authorityHost: string | null;
  readonly roleClaimValues: {
    readonly mr: readonly string[];
    readonly committee: readonly string[];
  };
  readonly roleGroups: { readonly mr: readonly string[]; readonly committee: readonly string[] };
}

/**
 * The bot's Bot Framework registration. Without credentials (local mode only) the bot accepts
 * unauthenticated activities, which is what Agents Playground sends.
 */
export interface BotConfig {
  readonly appId: string | null;
  readonly password: string | null;
  readonly tenantId: string | null;
  /** Bot Framework tokens carry no roles: Entra object ids granted a role, from configuration. */
  readonly roleUsers: { readonly mr: readonly string[]; readonly committee: readonly string[] };
}

export interface Config {
  readonly mode: 'local' | 'production';
  readonly port: number;
  /** The first of `hosts`. */
  readonly host: string;
  /**
   * Every address the server listens on: HOST, else loopback only in local mode (127.0.0.1 and
   * ::1, where the machine has IPv6) and every interface in production mode.
   */
  readonly hosts: readonly string[];
  /** Local mode on a non-loopback HOST (LOCAL_MODE_EXPOSE=true): anyone who reaches it signs in. */
  readonly localModeExposed: boolean;
  readonly dataDir: string;
  readonly databaseFile: string;
  readonly logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  readonly maxBodyBytes: number;
  readonly auth: AuthConfig;
  readonly bot: BotConfig;
  readonly timeZone: string;
  readonly calendar: WorkingCalendarSettings;
  readonly serviceLevels: ServiceLevels;
  readonly reminders: ReminderConfig;
  readonly taskBoard: TaskBoardConfig;
  readonly procedures: ProcedureLibraryConfig;
  readonly store: StoreConfig;
  readonly audit: AuditConfig;
  readonly webhooks: WebhookConfig;
}

/**
 * The key that authenticates the audit trail, which the store never holds: AUDIT_KEY (hex or
 * base64, 32+ bytes; in production an app setting referencing a Key Vault secret), else the key
 * file (created on first start in local mode only). Checkpoints of the embedded store go to
 * their own folder, outside the data folder.
 */
export interface AuditConfig {
  readonly key:
    | { readonly kind: 'text'; readonly text: string }
    | { readonly kind: 'file'; readonly file: string; readonly create: boolean };
  readonly checkpointDir: string;
}

/** Webhook deliveries to subscriptions (Power Automate triggers and other receivers). */
export interface WebhookConfig {
  readonly intervalMs: number;
  readonly retryBaseMs: number;
  readonly leaseMs: number;
  readonly maxAttempts: number;
  readonly disableAfterFailures: number;
  /** Plain http callbacks to 127.0.0.1 (local mode only). */
  readonly allowLoopbackHttp: boolean;
}

/**
 * Where the procedure documents are: a local folder of markdown revisions (the default, with
 * Rectify's sample library), or a document library on the SharePoint site.
 */
export type ProcedureLibraryConfig = (
  | { readonly kind: 'folder'; readonly dir: string }
  | { readonly kind: 'sharepoint'; readonly libraryName: string }
) & {
  /** How often CARs waiting for a new revision are checked against the library. */
  readonly watchIntervalMs: number;
};

/**
 * Where CARs live: the embedded SQLite file, or SharePoint lists through Microsoft Graph with
 * the app's own credentials (client credentials: a certificate, a secret as fallback).
 */
export type StoreConfig = { readonly kind: 'sqlite' } | SharePointStoreConfig;

export interface SharePointStoreConfig {
  readonly kind: 'sharepoint';
  readonly siteId: string;
  /** With its version, e.g. https://graph.microsoft.us/v1.0 for a national cloud. */
  readonly graphBaseUrl: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly authorityHost: string;
  /** PEM holding the private key and the certificate registered on the app. */
  readonly certificatePath: string | null;
  readonly clientSecret: string | null;
  /** A CA to trust for the authority (a TLS-inspecting proxy, the local test endpoint). */
  readonly authorityCaPath: string | null;
  /** How long one Graph request may take before it is given up (GRAPH_TIMEOUT_MS). */
  readonly graphTimeoutMs: number;
}

export const REMINDER_CHANNEL_NAMES = ['inbox', 'activity-feed', 'bot'] as const;

/** The reminder job: windows in working days, how often it runs, and where reminders go. */
export interface ReminderConfig {
  readonly dueSoonDays: number;
  readonly escalateAfterDays: number;
  readonly digestDaysBefore: number;
  readonly intervalMs: number;
  readonly channels: readonly (typeof REMINDER_CHANNEL_NAMES)[number][];
  /** The Teams app id, for deep links in activity-feed notifications. */
  readonly teamsAppId: string | null;
}

function reminderConfig(
  e: z.infer<typeof EnvSchema>,
  store: StoreConfig,
  problems: string[],
): ReminderConfig {
  const names = e.REMINDER_CHANNELS.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const known = (n: string): n is ReminderConfig['channels'][number] =>
    (REMINDER_CHANNEL_NAMES as readonly string[]).includes(n);
  const unknown = names.filter((n) => !known(n));
  if (unknown.length > 0)
    problems.push(
      `REMINDER_CHANNELS: unknown ${unknown.join(', ')} (use ${REMINDER_CHANNEL_NAMES.join(', ')})`,
    );
  const channels = [...new Set(names.filter(known))];
  if (channels.includes('activity-feed')) {
    if (store.kind !== 'sharepoint')
      problems.push(
        'REMINDER_CHANNELS: activity-feed needs the Graph connection of STORE=sharepoint',
      );
    if (!e.TEAMS_APP_ID) problems.push('REMINDER_CHANNELS: activity-feed needs TEAMS_APP_ID');
    // Teams files an activity notification only from the app named in the manifest's
    // webApplicationInfo.id (https://learn.microsoft.com/en-us/graph/teams-send-activityfeednotifications).
    if (
      store.kind === 'sharepoint' &&
      e.AAD_APP_CLIENT_ID &&
      store.clientId !== e.AAD_APP_CLIENT_ID
    )
      problems.push(
        `REMINDER_CHANNELS: activity-feed notifications would be sent by GRAPH_CLIENT_ID ${store.clientId}, but Teams takes them only from the manifest's webApplicationInfo.id (AAD_APP_CLIENT_ID ${e.AAD_APP_CLIENT_ID}): give Rectify's Graph access to that same Entra app, or leave activity-feed out of REMINDER_CHANNELS`,
      );
  }
  return {
    dueSoonDays: e.REMINDER_DUE_SOON_DAYS,
    escalateAfterDays: e.REMINDER_ESCALATE_AFTER_DAYS,
    digestDaysBefore: e.REMINDER_DIGEST_DAYS_BEFORE,
    intervalMs: e.REMINDER_INTERVAL_MS,
    channels,
    teamsAppId: e.TEAMS_APP_PUBLISHED_APP_ID ?? e.TEAMS_APP_ID ?? null,
  };
}

/**
 * Where CAR actions go as tasks: the local board in the embedded store, or a Planner plan
 * (through the Graph connection of STORE=sharepoint), and how the tasks link back to the CAR.
 */
export interface TaskBoardConfig {
  readonly kind: 'local' | 'planner';
  readonly plannerPlanId: string | null;
  /** How often TaskSync works the audit feed and its outbox. */
  readonly intervalMs: number;
  /** How often it reads the board for completed tasks (Planner has no notifications). */
  readonly pollMs: number;
  readonly deepLink: {
    /** The Teams app id: task links open the CAR in the Teams tab. */
    readonly teamsAppId: string | null;
    /** The tab's entity id in the manifest. */
    readonly entityId: string;
    /** The tab's address, as the fallback Teams shows and the link without Teams. */
    readonly webUrl: string | null;
  };
}

function taskBoardConfig(
  e: z.infer<typeof EnvSchema>,
  local: boolean,
  store: StoreConfig,
  problems: string[],
): TaskBoardConfig {
  if (e.TASK_BOARD === 'planner') {
    if (!e.PLANNER_PLAN_ID) problems.push('PLANNER_PLAN_ID is required with TASK_BOARD=planner');
    if (store.kind !== 'sharepoint')
      problems.push('TASK_BOARD=planner needs the Graph connection of STORE=sharepoint');
  }
  const webUrl =
    e.TASK_BOARD_WEB_URL ?? (local ? `http://127.0.0.1:${e.PORT === 0 ? 3978 : e.PORT}` : null);
  if (e.TASK_BOARD === 'planner' && !e.TEAMS_APP_ID && webUrl === null)
    problems.push('TASK_BOARD=planner: task links need TEAMS_APP_ID (or TASK_BOARD_WEB_URL)');
  return {
    kind: e.TASK_BOARD,
    plannerPlanId: e.PLANNER_PLAN_ID ?? null,
    intervalMs: e.TASK_SYNC_INTERVAL_MS,
    pollMs: e.TASK_BOARD_POLL_MS,
    deepLink: {
      teamsAppId: e.TEAMS_APP_PUBLISHED_APP_ID ?? e.TEAMS_APP_ID ?? null,
      entityId: 'rectify',
      webUrl,
    },
  };
}

const fail = (problems: string[]): never => {
  throw new RectifyError(
    'CONFIG.INVALID',
    { problems },
    `Invalid configuration:\n- ${problems.join('\n- ')}`,
  );
};

function storeConfig(
  e: z.infer<typeof EnvSchema>,
  local: boolean,
  problems: string[],
): StoreConfig {
  if (e.STORE === 'sqlite') return { kind: 'sqlite' };
  const clientId = e.GRAPH_CLIENT_ID ?? e.AAD_APP_CLIENT_ID;
  const tenantId = e.GRAPH_TENANT_ID ?? e.AAD_APP_TENANT_ID;
  const secret = e.GRAPH_CLIENT_SECRET ?? e.AAD_APP_CLIENT_SECRET ?? null;
  const authorityHost = (
    e.GRAPH_AUTHORITY_HOST ??
    e.AAD_APP_OAUTH_AUTHORITY_HOST ??
    'https://login.microsoftonline.com'
  ).replace(/\/+$/, '');
  if (!e.SHAREPOINT_SITE_ID) problems.push('SHAREPOINT_SITE_ID is required with STORE=sharepoint');
  if (!clientId)
    problems.push('GRAPH_CLIENT_ID (or AAD_APP_CLIENT_ID) is required with STORE=sharepoint');
  if (!tenantId)
    problems.push('GRAPH_TENANT_ID (or AAD_APP_TENANT_ID) is required with STORE=sharepoint');
  if (!e.GRAPH_CERTIFICATE_PATH && !secret)
    problems.push('GRAPH_CERTIFICATE_PATH (or a client secret) is required with STORE=sharepoint');
  if (!authorityHost.startsWith('https://'))
    problems.push('GRAPH_AUTHORITY_HOST must be an https URL');
  if (!local && !e.GRAPH_BASE_URL.startsWith('https://'))
    problems.push('GRAPH_BASE_URL must be an https URL in production mode');
  return {
    kind: 'sharepoint',
    siteId: e.SHAREPOINT_SITE_ID ?? '',
    graphBaseUrl: e.GRAPH_BASE_URL.replace(/\/+$/, ''),
    tenantId: tenantId ?? '',
    clientId: clientId ?? '',
    authorityHost,
    certificatePath: e.GRAPH_CERTIFICATE_PATH ? path.resolve(e.GRAPH_CERTIFICATE_PATH) : null,
    clientSecret: secret,
    authorityCaPath: e.GRAPH_AUTHORITY_CA_PATH ? path.resolve(e.GRAPH_AUTHORITY_CA_PATH) : null,
    graphTimeoutMs: e.GRAPH_TIMEOUT_MS,
  };
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** `overrides` win over `env` (a CLI flag over the environment). */
export function loadConfig(env: Env = process.env, overrides: Env = {}): Config {
  const parsed = EnvSchema.safeParse({ ...env, ...overrides });
  if (!parsed.success) fail(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = parsed.data as z.infer<typeof EnvSchema>;
  const problems: string[] = [];

  const weekendDays = e.WEEKEND_DAYS.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (weekendDays.some((d) => !Number.isInteger(d) || d < 0 || d > 6) || weekendDays.length > 6)
    problems.push('WEEKEND_DAYS: day numbers 0 (Sunday) to 6 (Saturday), comma-separated');
  const badHolidays = e.HOLIDAYS.filter((h) => !isLocalDate(h));
  if (badHolidays.length > 0) problems.push(`HOLIDAYS: not YYYY-MM-DD: ${badHolidays.join(', ')}`);
  try {
    new Intl.DateTimeFormat('en', { timeZone: e.TIME_ZONE });
  } catch {
    problems.push(`TIME_ZONE: unknown time zone ${e.TIME_ZONE}`);
  }

  const local = e.RECTIFY_MODE === 'local';
  const clientId = e.AAD_APP_CLIENT_ID ?? (local ? LOCAL_CLIENT_ID : '');
  const tenantId = e.AAD_APP_TENANT_ID ?? (local ? LOCAL_TENANT_ID : '');
  if (!local) {
    if (!e.AAD_APP_CLIENT_ID) problems.push('AAD_APP_CLIENT_ID is required in production mode');
    if (!e.AAD_APP_TENANT_ID) problems.push('AAD_APP_TENANT_ID is required in production mode');
    const host = e.AAD_APP_OAUTH_AUTHORITY_HOST ?? 'https://login.microsoftonline.com';
    if (!host.startsWith('https://'))
      problems.push('AAD_APP_OAUTH_AUTHORITY_HOST must be an https URL in production mode');
    if (!e.BOT_ID || !e.BOT_PASSWORD)
      problems.push('BOT_ID and BOT_PASSWORD are required in production mode');
  }
  if ((e.BOT_ID === undefined) !== (e.BOT_PASSWORD === undefined))
    problems.push('BOT_ID and BOT_PASSWORD go together');
  const hosts = e.HOST ? [e.HOST] : local ? ['127.0.0.1', '::1'] : ['0.0.0.0'];
  const localModeExposed = local && !hosts.every(isLoopbackHost);
  if (localModeExposed && e.LOCAL_MODE_EXPOSE !== 'true')
    problems.push(
      `HOST=${e.HOST ?? ''}: local mode hands out sign-in tokens for anyone; listen on a non-loopback address only with LOCAL_MODE_EXPOSE=true`,
    );
  const store = storeConfig(e, local, problems);
  const reminders = reminderConfig(e, store, problems);
  const taskBoard = taskBoardConfig(e, local, store, problems);
  if (e.PROCEDURE_LIBRARY_NAME && store.kind !== 'sharepoint')
    problems.push('PROCEDURE_LIBRARY_NAME needs the SharePoint site of STORE=sharepoint');
  const procedures: ProcedureLibraryConfig = e.PROCEDURE_LIBRARY_NAME
    ? {
        kind: 'sharepoint',
        libraryName: e.PROCEDURE_LIBRARY_NAME,
        watchIntervalMs: e.PROCEDURE_WATCH_INTERVAL_MS,
      }
    : {
        kind: 'folder',
        dir: path.resolve(e.PROCEDURES_DIR),
        watchIntervalMs: e.PROCEDURE_WATCH_INTERVAL_MS,
      };
  const audit = auditConfig(e, local, problems);
  if (problems.length > 0) fail(problems);

  const allowedTenantIds = e.ALLOWED_TENANT_IDS.length > 0 ? e.ALLOWED_TENANT_IDS : [tenantId];
  const authorityHost =
    (
      e.AAD_APP_OAUTH_AUTHORITY_HOST ?? (local ? null : 'https://login.microsoftonline.com')
    )?.replace(/\/+$/, '') ?? null;

  return {
    mode: e.RECTIFY_MODE,
    store,
    webhooks: {
      intervalMs: e.WEBHOOK_INTERVAL_MS,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      leaseMs: e.WEBHOOK_LEASE_MS,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      disableAfterFailures: e.WEBHOOK_DISABLE_AFTER,
      allowLoopbackHttp: local,
    },
    port: e.PORT,
    host: hosts[0] ?? '127.0.0.1',
    hosts,
    localModeExposed,
    dataDir: path.resolve(e.DATA_DIR),
    databaseFile: path.resolve(e.DATA_DIR, 'rectify.db'),
    logLevel: e.LOG_LEVEL,
    maxBodyBytes: e.MAX_BODY_BYTES,
    auth: {
      clientId,
      audiences: [clientId, ...(e.AAD_APP_ID_URI ? [e.AAD_APP_ID_URI] : [])],
      allowedTenantIds,
      authorityHost,
      roleClaimValues: {
        mr: e.ROLE_MR_APP_ROLES.length > 0 ? e.ROLE_MR_APP_ROLES : DEFAULT_ROLE_CLAIM_VALUES.mr,
        committee:
          e.ROLE_COMMITTEE_APP_ROLES.length > 0
            ? e.ROLE_COMMITTEE_APP_ROLES
            : DEFAULT_ROLE_CLAIM_VALUES.committee,
      },
      roleGroups: { mr: e.ROLE_MR_GROUP_IDS, committee: e.ROLE_COMMITTEE_GROUP_IDS },
    },
    bot: {
      appId: e.BOT_ID ?? null,
      password: e.BOT_PASSWORD ?? null,
      tenantId: e.BOT_TENANT_ID ?? e.AAD_APP_TENANT_ID ?? null,
      roleUsers: { mr: e.ROLE_MR_USER_IDS, committee: e.ROLE_COMMITTEE_USER_IDS },
    },
    timeZone: e.TIME_ZONE,
    calendar: { weekendDays, holidays: e.HOLIDAYS as LocalDate[] },
    serviceLevels: serviceLevelsWith({
      majorNc: e.SLA_MAJOR_NC_DAYS,
      minorNc: e.SLA_MINOR_NC_DAYS,
      ofi: e.SLA_OFI_DAYS,
      effectivenessReview: e.SLA_EFFECTIVENESS_REVIEW_DAYS,
    }),
    reminders,
    taskBoard,
    procedures,
    audit,
  };
}

function auditConfig(
  e: z.infer<typeof EnvSchema>,
  local: boolean,
  problems: string[],
): AuditConfig {
  const checkpointDir = path.resolve(e.AUDIT_CHECKPOINT_DIR);
  const dataDir = path.resolve(e.DATA_DIR);
  if (checkpointDir === dataDir || checkpointDir.startsWith(`${dataDir}${path.sep}`))
    problems.push('AUDIT_CHECKPOINT_DIR must be outside DATA_DIR (checkpoints are kept apart)');
  if (e.AUDIT_KEY !== undefined) {
    const hex = /^[0-9a-fA-F]{64,}$/.test(e.AUDIT_KEY);
    const bytes = hex ? e.AUDIT_KEY.length / 2 : Buffer.from(e.AUDIT_KEY, 'base64').length;
    if (bytes < 32)
      problems.push('AUDIT_KEY must hold at least 32 bytes (64 hex digits or base64)');
    return { key: { kind: 'text', text: e.AUDIT_KEY }, checkpointDir };
  }
  const file = path.resolve(e.AUDIT_KEY_FILE);
  if (file === dataDir || file.startsWith(`${dataDir}${path.sep}`))
    problems.push('AUDIT_KEY_FILE must be outside DATA_DIR (the store must not hold its key)');
  if (!local && !existsSync(file))
    problems.push('AUDIT_KEY (or an existing AUDIT_KEY_FILE) is required in production mode');
  return { key: { kind: 'file', file, create: local }, checkpointDir };
}
