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
  HOST: z.string().default('0.0.0.0'),
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
  TIME_ZONE: z.string().default('UTC'),
  WEEKEND_DAYS: z.string().default('0,6'),
  HOLIDAYS: list,
  SLA_MAJOR_NC_DAYS: days(14),
  SLA_MINOR_NC_DAYS: days(14),
  SLA_OFI_DAYS: days(30),
  SLA_EFFECTIVENESS_REVIEW_DAYS: days(30),
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

export interface Config {
  readonly mode: 'local' | 'production';
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseFile: string;
  readonly logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  readonly maxBodyBytes: number;
  readonly auth: AuthConfig;
  readonly timeZone: string;
  readonly calendar: WorkingCalendarSettings;
  readonly serviceLevels: ServiceLevels;
}

const fail = (problems: string[]): never => {
  throw new RectifyError(
    'CONFIG.INVALID',
    { problems },
    `Invalid configuration:\n- ${problems.join('\n- ')}`,
  );
};

export function loadConfig(env: Env = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
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
  }
  if (problems.length > 0) fail(problems);

  const allowedTenantIds = e.ALLOWED_TENANT_IDS.length > 0 ? e.ALLOWED_TENANT_IDS : [tenantId];
  const authorityHost =
    (
      e.AAD_APP_OAUTH_AUTHORITY_HOST ?? (local ? null : 'https://login.microsoftonline.com')
    )?.replace(/\/+$/, '') ?? null;

  return {
    mode: e.RECTIFY_MODE,
    port: e.PORT,
    host: e.HOST,
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
    timeZone: e.TIME_ZONE,
    calendar: { weekendDays, holidays: e.HOLIDAYS as LocalDate[] },
    serviceLevels: serviceLevelsWith({
      majorNc: e.SLA_MAJOR_NC_DAYS,
      minorNc: e.SLA_MINOR_NC_DAYS,
      ofi: e.SLA_OFI_DAYS,
      effectivenessReview: e.SLA_EFFECTIVENESS_REVIEW_DAYS,
    }),
  };
}
