import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config.js';

/**
 * No Bicep compiler installs from the npm registry (the Bicep CLI ships on GitHub and NuGet,
 * neither reachable here), so azure.bicep is NOT compiled and no ARM JSON is produced or checked
 * against Azure's resource schemas. What is checked: the file's tokens and brackets balance;
 * every symbol it uses is declared; the parameters file fills exactly the parameters without a
 * default; the resources and settings the deployment needs are there; and the Web App's app
 * settings make a Rectify production configuration that loadConfig accepts.
 */
const bicep = readFileSync('infra/azure.bicep', 'utf8');
const parameters = (
  JSON.parse(readFileSync('infra/azure.parameters.json', 'utf8')) as {
    parameters: Record<string, { value: unknown }>;
  }
).parameters;

/** The code without comments and with every string's content blanked. */
function code(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (c === "'") {
      out += "'";
      i += 1;
      while (i < text.length && text[i] !== "'") {
        if (text[i] === '\\') i += 1;
        if (text[i] === '\n') throw new Error(`unterminated string at ${i}`);
        i += 1;
      }
      if (i >= text.length) throw new Error('unterminated string at the end');
      out += "'";
      i += 1;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

const declared = (kind: 'param' | 'var' | 'resource' | 'output'): string[] =>
  [...bicep.matchAll(new RegExp(`^${kind} (\\w+) `, 'gm'))].map((m) => m[1] ?? '');

describe('infra/azure.bicep (not compiled: see above)', () => {
  it('has balanced strings and brackets', () => {
    const stripped = code(bicep);
    const stack: string[] = [];
    const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
    for (const ch of stripped) {
      if ('([{'.includes(ch)) stack.push(ch);
      else if (ch in pairs) expect(stack.pop()).toBe(pairs[ch]);
    }
    expect(stack).toEqual([]);
    expect(() => code("param x string = 'open\n")).toThrow(/unterminated/);
  });

  it('uses only symbols it declares', () => {
    const symbols = new Set([...declared('param'), ...declared('var'), ...declared('resource')]);
    const builtIns = new Set([
      'resourceGroup',
      'subscription',
      'subscriptionResourceId',
      'uniqueString',
      'take',
      'guid',
    ]);
    const used = [...code(bicep).matchAll(/\b([a-zA-Z]\w*)\.(id|name|properties)\b/g)].map(
      (m) => m[1] ?? '',
    );
    const interpolated = [...bicep.matchAll(/\$\{(\w+)/g)].map((m) => m[1] ?? '');
    const unknown = [...used, ...interpolated].filter(
      (s) => !symbols.has(s) && !builtIns.has(s) && s !== 'identity',
    );
    expect(unknown).toEqual([]);
    expect(symbols.has('identity')).toBe(true);
  });

  it('gets every parameter without a default from the parameters file, and nothing else', () => {
    const params = [...bicep.matchAll(/^param (\w+) (\w+)( = .*)?$/gm)].map((m) => ({
      name: m[1] ?? '',
      hasDefault: m[3] !== undefined,
    }));
    const required = params.filter((p) => !p.hasDefault).map((p) => p.name);
    for (const name of required) expect(Object.keys(parameters)).toContain(name);
    for (const name of Object.keys(parameters)) expect(params.map((p) => p.name)).toContain(name);
    expect(bicep).toMatch(/@secure\(\)\n@description\(.*\)\nparam botAadAppClientSecret string/);
    const instances = parameters.instanceCount?.value;
    expect(typeof instances === 'number' && instances >= 1 && instances <= 10).toBe(true);
  });

  it('declares the plan, the Web App, the bot, the identity, the vault and Application Insights', () => {
    for (const type of [
      'Microsoft.Web/serverfarms',
      'Microsoft.Web/sites',
      'Microsoft.BotService/botServices',
      'Microsoft.BotService/botServices/channels',
      'Microsoft.ManagedIdentity/userAssignedIdentities',
      'Microsoft.KeyVault/vaults',
      'Microsoft.KeyVault/vaults/secrets',
      'Microsoft.Authorization/roleAssignments',
      'Microsoft.Insights/components',
    ])
      expect(bicep).toMatch(new RegExp(`'${type.replace(/\//g, '\\/')}@\\d{4}-\\d{2}-\\d{2}'`));
    expect(bicep).toMatch(/linuxFxVersion: 'NODE\|20-lts'/);
    expect(bicep).toMatch(/healthCheckPath: '\/healthz'/);
    expect(bicep).toMatch(/capacity: instanceCount/);
    // Only the Web App's identity reads the vault, through role assignments on the vault.
    expect(bicep.match(/principalId: identity\.properties\.principalId/g)).toHaveLength(2);
    expect(bicep).toMatch(/enableRbacAuthorization: true/);
  });

  it('gives the Web App settings that make a production configuration Rectify accepts', () => {
    const settings = Object.fromEntries(
      [...bicep.matchAll(/\{\s*name: '(\w+)',?\s*value: ([^}]+?)\s*\}/g)].map((m) => [
        m[1] ?? '',
        (m[2] ?? '').trim(),
      ]),
    );
    expect(settings.RECTIFY_MODE).toBe("'production'");
    expect(settings.BOT_PASSWORD).toMatch(/^'@Microsoft\.KeyVault\(/);
    expect(settings.APPLICATIONINSIGHTS_CONNECTION_STRING).toBe(
      'insights.properties.ConnectionString',
    );
    // Literal values as they are; parameters and references as what the deployment fills in.
    const standIn: Record<string, string> = {
      aadAppClientId: '33333333-3333-4333-8333-333333333333',
      aadAppTenantId: '44444444-4444-4444-8444-444444444444',
      aadAppOauthAuthorityHost: 'https://login.microsoftonline.com',
      botAadAppClientId: '22222222-2222-4222-8222-222222222222',
      sharePointSiteId: 'contoso.sharepoint.com,1,2',
      teamsAppId: '11111111-1111-4111-8111-111111111111',
    };
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(settings)) {
      const literal = /^'([^']*)'$/.exec(value);
      env[name] = literal?.[1]?.startsWith('@Microsoft.KeyVault')
        ? 'secret-from-key-vault'
        : (literal?.[1] ?? standIn[value] ?? `value-of-${value}`);
    }
    expect(() => loadConfig(env)).not.toThrow();
    const config = loadConfig(env);
    expect(config.mode).toBe('production');
    expect(config.store.kind).toBe('sharepoint');
    expect(config.port).toBe(8080);
  });
});
