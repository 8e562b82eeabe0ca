import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { TEST_AUDIT_KEY } from '../support/audit-seal.js';

/** Teams and Entra wiring that must hold once the app is published. */

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const production = {
  RECTIFY_MODE: 'production',
  AAD_APP_CLIENT_ID: 'aaaaaaaa-1111-4111-8111-111111111111',
  AAD_APP_TENANT_ID: '11111111-1111-4111-8111-111111111111',
  BOT_ID: '22222222-2222-4222-8222-222222222222',
  BOT_PASSWORD: 'secret',
  STORE: 'sharepoint',
  SHAREPOINT_SITE_ID: 'contoso.sharepoint.com,1,2',
  GRAPH_CLIENT_SECRET: 'graph-secret',
  TEAMS_APP_ID: 'manifest-id',
  REMINDER_CHANNELS: 'inbox,activity-feed',
  AUDIT_KEY: TEST_AUDIT_KEY,
};

const problemsOf = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
    return '';
  } catch (e) {
    return JSON.stringify((e as { details?: unknown }).details ?? e);
  }
};

describe('Teams and Entra wiring', () => {
  it('refuses to start when activity-feed notifications would come from another app than the manifest names', () => {
    const problems = problemsOf({
      ...production,
      GRAPH_CLIENT_ID: 'bbbbbbbb-2222-4222-8222-222222222222',
    });
    expect(problems).toMatch(/webApplicationInfo\.id/);
    expect(problems).toMatch(/GRAPH_CLIENT_ID bbbbbbbb/);
    expect(problemsOf({ ...production, GRAPH_CLIENT_ID: production.AAD_APP_CLIENT_ID })).toBe('');
  });

  it('links to the org catalog id once the app is published, to the manifest id before', () => {
    const before = loadConfig(production);
    const after = loadConfig({ ...production, TEAMS_APP_PUBLISHED_APP_ID: 'catalog-id' });
    expect(before.reminders.teamsAppId).toBe('manifest-id');
    expect(before.taskBoard.deepLink.teamsAppId).toBe('manifest-id');
    expect(after.reminders.teamsAppId).toBe('catalog-id');
    expect(after.taskBoard.deepLink.teamsAppId).toBe('catalog-id');
  });

  it('pre-authorises Teams, Outlook and Microsoft 365 clients and declares the Graph application permissions', () => {
    const manifest = JSON.parse(readFileSync(path.join(root, 'aad.manifest.json'), 'utf8')) as {
      preAuthorizedApplications: { appId: string }[];
      requiredResourceAccess: {
        resourceAppId: string;
        resourceAccess: { id: string; type: string }[];
      }[];
    };
    const clients = manifest.preAuthorizedApplications.map((a) => a.appId);
    // https://learn.microsoft.com/en-us/microsoftteams/platform/m365-apps/extend-m365-teams-personal-tab#update-microsoft-entra-app-registration-for-sso
    expect(clients).toEqual(
      expect.arrayContaining([
        '1fec8e78-bce4-4aaf-ab1b-5451cc387264', // Teams desktop, mobile
        '5e3ce6c0-2b1f-4285-8d4b-75ee78787346', // Teams web
        '4765445b-32c6-49b0-83e6-1d93765276ca', // Microsoft 365 web
        '0ec893e0-5785-4de6-99da-4ed124e5296c', // Microsoft 365 desktop
        'd3590ed6-52b3-4102-aeff-aad2292ab01c', // Outlook desktop, Microsoft 365 mobile
        'bc59ab01-8403-45c6-8796-ac3ef710b3e3', // Outlook web
        '27922004-5251-4030-b22d-91ecd9a37ea4', // Outlook mobile
      ]),
    );
    const graph = manifest.requiredResourceAccess.find(
      (r) => r.resourceAppId === 'Microsoft Graph',
    );
    const roles = graph?.resourceAccess.filter((a) => a.type === 'Role').map((a) => a.id);
    expect(roles).toEqual(['Sites.Selected', 'Tasks.ReadWrite.All', 'TeamsActivity.Send']);
  });
});
