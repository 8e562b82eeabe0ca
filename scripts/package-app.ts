/**
 * Builds the Teams app package: appPackage/manifest.json with its `${{NAME}}` placeholders
 * filled from env/.env.<name> (and env/.env.<name>.user, then the process environment), plus
 * the two icons and the Copilot agent (declarativeAgent.json, ai-plugin.json and the plugin's
 * flattened OpenAPI 3.0 document openapi.copilot.json), zipped to
 * appPackage/build/appPackage.<name>.zip. Refuses to write a package with an unfilled
 * placeholder or a manifest, agent, plugin or document its schema rejects.
 *
 *   npm run package -- dev
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';
import { answeredHelp } from '../src/cli/cli-args.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PLACEHOLDER = /\$\{\{\s*([A-Z0-9_]+)\s*\}\}/g;

/** Reads KEY=value lines; comments and blank lines skipped, no shell expansion. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trimStart().startsWith('#')) continue;
    const [, key = '', raw = ''] = m;
    out[key] = raw.replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

export function loadEnv(
  envName: string,
  processEnv: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const read = (f: string) => (existsSync(f) ? parseEnvFile(readFileSync(f, 'utf8')) : {});
  const base = path.join(ROOT, 'env', `.env.${envName}`);
  const fromProcess = Object.fromEntries(
    Object.entries(processEnv).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  return { APP_VERSION: '0.1.0', ...read(base), ...read(`${base}.user`), ...fromProcess };
}

/** Fills every placeholder; the names left unfilled (missing or empty) are returned. */
export function renderManifest(
  template: string,
  env: Readonly<Record<string, string>>,
): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const text = template.replace(PLACEHOLDER, (_m, name: string) => {
    const v = env[name];
    if (v === undefined || v === '') {
      missing.add(name);
      return '';
    }
    return v;
  });
  return { text, missing: [...missing].sort() };
}

/** Schema problems of a manifest, against the schema bundled in @microsoft/app-manifest. */
export async function manifestProblems(manifest: unknown): Promise<string[]> {
  // Loaded on use: its dependency strip-bom is ESM-only, which jest's CommonJS loader cannot
  // require, so the tests run validation through this script in a child process.
  const { AppManifestUtils } = await import('@microsoft/app-manifest');
  return AppManifestUtils.validateAgainstSchema(
    manifest as Parameters<typeof AppManifestUtils.validateAgainstSchema>[0],
  );
}

/** A minimal zip (deflate, no directories): enough for a Teams app package. */
export function zip(files: readonly { name: string; data: Buffer }[]): Buffer {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const packed = deflateRawSync(f.data);
    const crc = crc32(f.data);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(0x0800, 6);
    header.writeUInt16LE(8, 8);
    header.writeUInt32LE(0x00210000, 10); // 1980-01-01 00:00: reproducible packages
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(packed.length, 18);
    header.writeUInt32LE(f.data.length, 22);
    header.writeUInt16LE(name.length, 26);
    local.push(header, name, packed);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(0x00210000, 12);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(packed.length, 20);
    entry.writeUInt32LE(f.data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    offset += header.length + name.length + packed.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, dir, end]);
}

/** The Copilot agent's files in the package, beside the manifest. */
export const AGENT_FILE = 'declarativeAgent.json';
export const PLUGIN_FILE = 'ai-plugin.json';
export const PLUGIN_SPEC_FILE = 'openapi.copilot.json';

/** Problems of an OpenAPI document against the OpenAPI 3.0 schema. */
export async function openApi30Problems(doc: unknown): Promise<string[]> {
  const { Validator } = await import('@seriousme/openapi-schema-validator');
  const validator = new Validator();
  const result = await validator.validate(doc as Record<string, unknown>);
  if (validator.version !== '3.0') return [`OpenAPI ${validator.version}, not 3.0`];
  return result.valid ? [] : [JSON.stringify(result.errors)];
}

/**
 * The declarative agent, its API plugin, and the plugin's flattened OpenAPI 3.0 document of the
 * plugin's functions (generated from the same schemas as /api/openapi.json), each validated.
 */
export async function agentFiles(
  env: Readonly<Record<string, string>>,
): Promise<{ name: string; data: Buffer }[]> {
  const dir = path.join(ROOT, 'appPackage');
  const files: { name: string; data: Buffer }[] = [];
  const parsed: Record<string, unknown> = {};
  for (const name of [AGENT_FILE, PLUGIN_FILE]) {
    const { text, missing } = renderManifest(readFileSync(path.join(dir, name), 'utf8'), env);
    if (missing.length > 0) throw new Error(`${name} leaves these unset: ${missing.join(', ')}`);
    const json: unknown = JSON.parse(text);
    const problems = await manifestProblems(json);
    if (problems.length > 0)
      throw new Error(`${name} does not validate:\n- ${problems.join('\n- ')}`);
    parsed[name] = json;
    files.push({ name, data: Buffer.from(JSON.stringify(json, null, 2)) });
  }
  const plugin = parsed[PLUGIN_FILE] as { functions: { name: string }[] };
  const { buildOpenApiDocument } = await import('../src/http/openapi.js');
  const { toFlatOpenApi30 } = await import('../src/integration/openapi30.js');
  const { toJson } = await import('../src/integration/json.js');
  const host = env.TAB_DOMAIN ?? '';
  const doc = toFlatOpenApi30(toJson(buildOpenApiDocument()), {
    serverUrl: `https://${host}`,
    operationIds: plugin.functions.map((f) => f.name),
    authorityHost: 'login.microsoftonline.com',
    scope: `api://${host}/${env.AAD_APP_CLIENT_ID ?? ''}/access_as_user`,
  });
  const problems = await openApi30Problems(doc);
  if (problems.length > 0)
    throw new Error(`${PLUGIN_SPEC_FILE} does not validate:\n- ${problems.join('\n- ')}`);
  files.push({ name: PLUGIN_SPEC_FILE, data: Buffer.from(JSON.stringify(doc, null, 2)) });
  return files;
}

export async function buildAppPackage(
  envName: string,
  env: Readonly<Record<string, string>> = loadEnv(envName),
  outDir = path.join(ROOT, 'appPackage', 'build'),
): Promise<string> {
  const dir = path.join(ROOT, 'appPackage');
  const { text, missing } = renderManifest(
    readFileSync(path.join(dir, 'manifest.json'), 'utf8'),
    env,
  );
  if (missing.length > 0)
    throw new Error(`env/.env.${envName} leaves these unset: ${missing.join(', ')}`);
  const manifest = JSON.parse(text) as { icons: { color: string; outline: string } };
  const problems = await manifestProblems(manifest);
  if (problems.length > 0)
    throw new Error(`the manifest does not validate:\n- ${problems.join('\n- ')}`);
  const agent = await agentFiles(env);
  mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, `appPackage.${envName}.zip`);
  writeFileSync(
    out,
    zip([
      { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest, null, 2)) },
      { name: manifest.icons.color, data: readFileSync(path.join(dir, manifest.icons.color)) },
      { name: manifest.icons.outline, data: readFileSync(path.join(dir, manifest.icons.outline)) },
      ...agent,
    ]),
  );
  return out;
}

const fail = (e: unknown): void => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
};

const USAGE =
  'usage: npm run package [-- <env name, default dev>]\n' +
  '       tsx scripts/package-app.ts --validate <file.json> | --agent <dir>\n';

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  if (answeredHelp(argv, USAGE)) process.exit(0);
  const [first, second] = argv;
  const known =
    first === '--validate' || first === '--agent'
      ? argv.length === 2
      : argv.length <= 1 && !first?.startsWith('-');
  if (!known) {
    process.stderr.write(`unknown arguments: ${argv.join(' ')}\n${USAGE}`);
    process.exit(2);
  }
  if (first === '--validate' && second)
    // Prints the schema problems of a rendered manifest as JSON: used by the tests.
    manifestProblems(JSON.parse(readFileSync(second, 'utf8'))).then((problems) => {
      process.stdout.write(`${JSON.stringify(problems)}\n`);
    }, fail);
  else if (first === '--agent' && second)
    // Writes the agent, plugin and plugin OpenAPI files, validated, into a folder: for the tests.
    agentFiles(loadEnv('dev')).then((files) => {
      mkdirSync(second, { recursive: true });
      for (const f of files) writeFileSync(path.join(second, f.name), f.data);
      process.stdout.write(`${files.map((f) => f.name).join('\n')}\n`);
    }, fail);
  else
    buildAppPackage(first ?? 'dev').then((out) => {
      process.stdout.write(`${out}\n`);
    }, fail);
}
