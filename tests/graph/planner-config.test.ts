import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';

const sharepoint = {
  STORE: 'sharepoint',
  SHAREPOINT_SITE_ID: 'contoso.sharepoint.com,1,2',
  GRAPH_CLIENT_ID: 'client',
  GRAPH_TENANT_ID: 'tenant',
  GRAPH_CLIENT_SECRET: 'secret',
};

describe('task board configuration', () => {
  it('defaults to the local board, linking to the local tab', () => {
    const c = loadConfig({ PORT: '4000' });
    expect(c.taskBoard).toMatchObject({
      kind: 'local',
      plannerPlanId: null,
      deepLink: { teamsAppId: null, entityId: 'rectify', webUrl: 'http://127.0.0.1:4000' },
    });
  });

  it('takes Planner with a plan, the Graph connection and the Teams app id', () => {
    const c = loadConfig({
      ...sharepoint,
      TASK_BOARD: 'planner',
      PLANNER_PLAN_ID: 'plan-1',
      TEAMS_APP_ID: 'app-1',
      TASK_BOARD_POLL_MS: '30000',
    });
    expect(c.taskBoard).toMatchObject({
      kind: 'planner',
      plannerPlanId: 'plan-1',
      pollMs: 30_000,
      deepLink: { teamsAppId: 'app-1' },
    });
  });

  it('refuses Planner without a plan or without the Graph connection', () => {
    expect(() => loadConfig({ TASK_BOARD: 'planner' })).toThrow(
      /PLANNER_PLAN_ID[\s\S]*STORE=sharepoint/,
    );
    expect(() => loadConfig({ TASK_BOARD: 'trello' })).toThrow(/TASK_BOARD/);
  });
});
