import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../../src/config.js';
import { RectifyError } from '../../../src/domain/errors.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof RectifyError && e.code === 'CONFIG.INVALID')
      return e.details.problems as string[];
    throw e;
  }
  return [];
};

const SHAREPOINT = {
  STORE: 'sharepoint',
  SHAREPOINT_SITE_ID: 'contoso.sharepoint.com,1,2',
  GRAPH_CLIENT_ID: '33333333-3333-4333-8333-333333333333',
  GRAPH_TENANT_ID: '44444444-4444-4444-8444-444444444444',
  GRAPH_CLIENT_SECRET: 'secret',
};

describe('the reminder configuration', () => {
  it('defaults to 2 days before, escalation after 5, digest 2 days before, inbox and bot', () => {
    expect(loadConfig({}).reminders).toEqual({
      dueSoonDays: 2,
      escalateAfterDays: 5,
      digestDaysBefore: 2,
      intervalMs: 60_000,
      channels: ['inbox', 'bot'],
      teamsAppId: null,
    });
  });

  it('reads every setting', () => {
    const reminders = loadConfig({
      ...SHAREPOINT,
      REMINDER_DUE_SOON_DAYS: '3',
      REMINDER_ESCALATE_AFTER_DAYS: '10',
      REMINDER_DIGEST_DAYS_BEFORE: '1',
      REMINDER_INTERVAL_MS: '5000',
      REMINDER_CHANNELS: 'activity-feed, inbox',
      TEAMS_APP_ID: '11111111-1111-4111-8111-111111111111',
    }).reminders;
    expect(reminders).toEqual({
      dueSoonDays: 3,
      escalateAfterDays: 10,
      digestDaysBefore: 1,
      intervalMs: 5000,
      channels: ['activity-feed', 'inbox'],
      teamsAppId: '11111111-1111-4111-8111-111111111111',
    });
  });

  it('refuses an unknown channel, an escalation after 0 days and a feed without Graph', () => {
    expect(problemsOf({ REMINDER_CHANNELS: 'inbox,email' })).toEqual([
      'REMINDER_CHANNELS: unknown email (use inbox, activity-feed, bot)',
    ]);
    expect(problemsOf({ REMINDER_ESCALATE_AFTER_DAYS: '0' })).toHaveLength(1);
    expect(problemsOf({ REMINDER_INTERVAL_MS: '10' })).toHaveLength(1);
    expect(problemsOf({ REMINDER_CHANNELS: 'activity-feed' })).toEqual([
      'REMINDER_CHANNELS: activity-feed needs the Graph connection of STORE=sharepoint',
      'REMINDER_CHANNELS: activity-feed needs TEAMS_APP_ID',
    ]);
  });
});
