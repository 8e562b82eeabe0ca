import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { smokeTargetOf } from '../../src/cli/smoke-tenant.js';

/** The live-tenant smoke test cannot run here: its arguments and its refusals can. */

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const credentials = {
  GRAPH_TENANT_ID: '11111111-1111-4111-8111-111111111111',
  GRAPH_CLIENT_ID: '22222222-2222-4222-8222-222222222222',
  GRAPH_CLIENT_SECRET: 'secret',
};
const SITE = 'https://contoso.sharepoint.com/sites/isms';

const refusal = (argv: string[], env: Record<string, string> = credentials): string => {
  try {
    smokeTargetOf(argv, env);
    return '';
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
};

describe('npm run smoke:tenant', () => {
  it('takes a SharePoint Online site over https and an optional plan', () => {
    const target = smokeTargetOf(['--site', SITE, '--plan', 'plan-1'], credentials);
    expect(target.site).toBe(SITE);
    expect(target.planId).toBe('plan-1');
    expect(target.store.graphBaseUrl).toBe('https://graph.microsoft.com/v1.0');
    expect(smokeTargetOf(['--site', SITE], credentials).planId).toBeNull();
  });

  it('refuses a missing, plain-http or non-SharePoint site, and unknown flags', () => {
    expect(refusal([])).toMatch(/--site is required/);
    expect(refusal(['--site', 'http://contoso.sharepoint.com/sites/isms'])).toMatch(
      /https SharePoint/,
    );
    expect(refusal(['--site', 'https://127.0.0.1:8443/sites/isms'])).toMatch(/https SharePoint/);
    expect(refusal(['--site', 'not a url'])).toMatch(/not a URL/);
    expect(refusal(['--site', SITE, '--force'])).toMatch(/Unknown option/);
  });

  it('refuses any Graph but Microsoft’s own over https (an emulator, a proxy)', () => {
    expect(
      refusal(['--site', SITE], { ...credentials, GRAPH_BASE_URL: 'http://127.0.0.1:4000/v1.0' }),
    ).toMatch(/Microsoft Graph only/);
    expect(
      refusal(['--site', SITE], {
        ...credentials,
        GRAPH_BASE_URL: 'https://graph.example.com/v1.0',
      }),
    ).toMatch(/Microsoft Graph only/);
    expect(
      refusal(['--site', SITE], {
        ...credentials,
        GRAPH_BASE_URL: 'https://graph.microsoft.us/v1.0',
      }),
    ).toBe('');
  });

  it('exits 2 with the usage and sends nothing when refused', async () => {
    const run = promisify(execFile);
    const failed = await run(
      process.execPath,
      [
        path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        'src/cli/smoke-tenant.ts',
        '--site',
        'http://x',
      ],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...credentials } },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/usage: npm run smoke:tenant/);
  });
});
