import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { RectifyError } from '../../src/domain/errors.js';
import { TEST_AUDIT_KEY } from '../support/audit-seal.js';

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
  AAD_APP_CLIENT_ID: 'client',
  AAD_APP_TENANT_ID: 'tenant',
  GRAPH_CERTIFICATE_PATH: 'secrets/graph-app.pem',
};

describe('the store configuration', () => {
  it('keeps the embedded SQLite store unless told otherwise', () => {
    expect(loadConfig({}).store).toEqual({ kind: 'sqlite' });
  });

  it('takes the SharePoint store with the API app registration and Graph defaults', () => {
    expect(loadConfig(SHAREPOINT).store).toEqual({
      kind: 'sharepoint',
      siteId: 'contoso.sharepoint.com,1,2',
      graphBaseUrl: 'https://graph.microsoft.com/v1.0',
      tenantId: 'tenant',
      clientId: 'client',
      authorityHost: 'https://login.microsoftonline.com',
      certificatePath: path.resolve('secrets/graph-app.pem'),
      clientSecret: null,
      authorityCaPath: null,
      graphTimeoutMs: 30_000,
    });
  });

  it('follows a national cloud for the authority and Graph', () => {
    const store = loadConfig({
      ...SHAREPOINT,
      AAD_APP_OAUTH_AUTHORITY_HOST: 'https://login.microsoftonline.us/',
      GRAPH_BASE_URL: 'https://graph.microsoft.us/v1.0/',
    }).store;

    expect(store).toMatchObject({
      authorityHost: 'https://login.microsoftonline.us',
      graphBaseUrl: 'https://graph.microsoft.us/v1.0',
    });
  });

  it('says everything SharePoint still needs, at once', () => {
    expect(problemsOf({ STORE: 'sharepoint' })).toEqual([
      expect.stringContaining('SHAREPOINT_SITE_ID'),
      expect.stringContaining('GRAPH_CLIENT_ID'),
      expect.stringContaining('GRAPH_TENANT_ID'),
      expect.stringContaining('GRAPH_CERTIFICATE_PATH'),
    ]);
  });

  it('accepts a client secret instead of a certificate', () => {
    const withoutCertificate: Record<string, string> = { ...SHAREPOINT };
    delete withoutCertificate.GRAPH_CERTIFICATE_PATH;

    expect(
      loadConfig({ ...withoutCertificate, GRAPH_CLIENT_SECRET: 's3cret' }).store,
    ).toMatchObject({
      certificatePath: null,
      clientSecret: 's3cret',
    });
  });

  it('refuses plain-http Graph in production, and a plain-http authority anywhere', () => {
    expect(
      problemsOf({
        ...SHAREPOINT,
        RECTIFY_MODE: 'production',
        BOT_ID: 'bot',
        BOT_PASSWORD: 'pw',
        AUDIT_KEY: TEST_AUDIT_KEY,
        GRAPH_BASE_URL: 'http://127.0.0.1:5055/v1.0',
      }),
    ).toEqual([expect.stringContaining('GRAPH_BASE_URL must be an https URL')]);
    expect(problemsOf({ ...SHAREPOINT, GRAPH_AUTHORITY_HOST: 'http://127.0.0.1:1' })).toEqual([
      expect.stringContaining('GRAPH_AUTHORITY_HOST must be an https URL'),
    ]);
  });
});
