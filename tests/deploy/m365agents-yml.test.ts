import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { parseEnvFile } from '../../scripts/package-app.js';

/**
 * m365agents.yml against the toolkit's own schema for its version (published in the npm package
 * @microsoft/teamsfx-core), plus what the schema cannot say: known actions, the bot steps, and
 * every `${{NAME}}` either in env/.env.dev, a secret, or written by an earlier step.
 */
const toolkitSchema = (version: string): object =>
  JSON.parse(
    readFileSync(
      `node_modules/@microsoft/teamsfx-core/resource/yaml-schema/${version}/yaml.schema.json`,
      'utf8',
    ),
  ) as object;
interface Step {
  uses: string;
  with?: Record<string, unknown>;
  writeToEnvironmentFile?: Record<string, string>;
}
interface Project {
  version: string;
  environmentFolderPath: string;
  provision: Step[];
  deploy: Step[];
  publish: Step[];
}

const KNOWN_ACTIONS = new Set([
  'teamsApp/create',
  'aadApp/create',
  'aadApp/update',
  'botAadApp/create',
  'botFramework/create',
  'teamsApp/validateManifest',
  'teamsApp/zipAppPackage',
  'teamsApp/validateAppPackage',
  'teamsApp/update',
  'teamsApp/publishAppPackage',
  'cli/runNpmCommand',
  'arm/deploy',
  'azureAppService/zipDeploy',
  'oauth/register',
]);
const BUILT_IN = new Set(['TEAMSFX_ENV', 'APP_NAME_SUFFIX']);
const bicepOutputs = (): string[] =>
  [...readFileSync('infra/azure.bicep', 'utf8').matchAll(/^output (\w+) /gm)].map(
    (m) => m[1] ?? '',
  );

describe('m365agents.yml', () => {
  const project = parse(readFileSync('m365agents.yml', 'utf8')) as Project;

  it('is the only project file: the toolkit would read teamsapp.yml only without it', () => {
    expect(existsSync('teamsapp.yml')).toBe(false);
  });

  it('provisions the Azure resources of infra/ and deploys the build to the Web App', () => {
    const arm = project.provision.find((s) => s.uses === 'arm/deploy');
    expect(arm?.with?.templates).toEqual([
      {
        path: './infra/azure.bicep',
        parameters: './infra/azure.parameters.json',
        deploymentName: 'Create-resources-for-rectify',
      },
    ]);
    const uses = project.provision.map((s) => s.uses);
    // The template needs the app ids; the SSO manifest and the OAuth client need its host.
    expect(uses.indexOf('arm/deploy')).toBeGreaterThan(uses.indexOf('botAadApp/create'));
    expect(uses.indexOf('arm/deploy')).toBeLessThan(uses.indexOf('aadApp/update'));
    expect(uses.indexOf('arm/deploy')).toBeLessThan(uses.indexOf('oauth/register'));
    const zip = project.deploy.find((s) => s.uses === 'azureAppService/zipDeploy');
    expect(zip?.with?.resourceId).toBe('${{BOT_AZURE_APP_SERVICE_RESOURCE_ID}}');
    expect(readFileSync('infra/azure.bicep', 'utf8')).toMatch(
      /^output BOT_AZURE_APP_SERVICE_RESOURCE_ID string/m,
    );
    const oauth = project.provision.find((s) => s.uses === 'oauth/register');
    expect(oauth?.writeToEnvironmentFile).toEqual({ configurationId: 'OAUTH2_CONFIGURATION_ID' });
    expect(readFileSync('appPackage/ai-plugin.json', 'utf8')).toContain(
      '${{OAUTH2_CONFIGURATION_ID}}',
    );
  });

  it('fills every parameter of the template from variables known by the time it runs', () => {
    const known = new Set([...Object.keys(env), ...BUILT_IN]);
    for (const step of project.provision) {
      if (step.uses === 'arm/deploy') break;
      for (const name of Object.values(step.writeToEnvironmentFile ?? {})) known.add(name);
    }
    const parameters = readFileSync('infra/azure.parameters.json', 'utf8');
    const used = [...parameters.matchAll(/\$\{\{\s*([A-Z0-9_]+)\s*\}\}/g)].map((m) => m[1] ?? '');
    expect(used.filter((n) => !known.has(n))).toEqual([]);
    expect(used).toContain('SECRET_BOT_PASSWORD');
  });
  const env = parseEnvFile(readFileSync('env/.env.dev', 'utf8'));

  it('validates against the toolkit schema v1.11 from @microsoft/teamsfx-core', () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(toolkitSchema('v1.11'));
    expect(validate(project) ? [] : validate.errors).toEqual([]);
    // and the schema is not a rubber stamp: a step with an unknown parameter is refused
    const broken = { ...project, provision: [{ uses: 'teamsApp/create', with: { nope: 1 } }] };
    expect(validate(broken)).toBe(false);
  });

  it('uses schema v1.11 with provision, deploy and publish', () => {
    expect(project.version).toBe('v1.11');
    expect(project.environmentFolderPath).toBe('./env');
    for (const stage of [project.provision, project.deploy, project.publish])
      expect(stage.length).toBeGreaterThan(0);
  });

  it('uses only toolkit actions it knows, and registers the bot', () => {
    const all = [...project.provision, ...project.deploy, ...project.publish];
    expect(all.filter((s) => !KNOWN_ACTIONS.has(s.uses))).toEqual([]);
    const uses = project.provision.map((s) => s.uses);
    // The bot's Entra app here; its Azure Bot registration on Teams in the template.
    expect(uses).toEqual(expect.arrayContaining(['botAadApp/create', 'arm/deploy']));
    const bicep = readFileSync('infra/azure.bicep', 'utf8');
    expect(bicep).toMatch(/'Microsoft\.BotService\/botServices@[\d-]+'/);
    expect(bicep).toMatch(/name: 'MsTeamsChannel'/);
    expect(bicep).toMatch(
      /endpoint: 'https:\/\/\$\{webApp\.properties\.defaultHostName\}\/api\/messages'/,
    );
    expect(uses.indexOf('botAadApp/create')).toBeLessThan(uses.indexOf('teamsApp/zipAppPackage'));
  });

  it('defines every variable before a step uses it; secrets only as SECRET_*', () => {
    const known = new Set([...Object.keys(env), ...BUILT_IN]);
    const problems: string[] = [];
    for (const stage of [project.provision, project.deploy, project.publish])
      for (const step of stage) {
        for (const [, name] of JSON.stringify(step.with ?? {}).matchAll(
          /\$\{\{\s*([A-Z0-9_]+)\s*\}\}/g,
        ))
          if (name && !known.has(name)) problems.push(`${step.uses} uses ${name}`);
        for (const name of Object.values(step.writeToEnvironmentFile ?? {})) {
          if (/PASSWORD|SECRET/.test(name) && !name.startsWith('SECRET_'))
            problems.push(`${name} is a secret`);
          known.add(name);
        }
        // arm/deploy writes the template's outputs to the environment file.
        if (step.uses === 'arm/deploy') for (const name of bicepOutputs()) known.add(name);
      }
    expect(problems).toEqual([]);
  });

  it('keeps secrets out of git', () => {
    expect(readFileSync('.gitignore', 'utf8')).toMatch(/^env\/\.env\.\*\.user$/m);
    expect(Object.keys(env).filter((k) => k.startsWith('SECRET_'))).toEqual([]);
  });
});
