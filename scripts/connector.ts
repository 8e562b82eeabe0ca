/**
 * `npm run connector [-- --host <host> --client-id <id> --out <dir>]`: writes the Power Platform
 * custom connector of Rectify into build/connector/: apiDefinition.swagger.json (Swagger 2.0,
 * from the same schemas as /api/openapi.json, with the webhook triggers), apiProperties.json
 * (OAuth 2.0 against Entra ID) and icon.png. Host and client id default to TAB_DOMAIN and
 * AAD_APP_CLIENT_ID of env/.env.<env> (or the environment). Exit 0 = written, 1 = failed,
 * 2 = bad arguments.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from '../src/http/openapi.js';
import { parseCli } from '../src/cli/cli-args.js';
import { connectorPackage, MAX_DEFINITION_BYTES } from '../src/integration/connector-package.js';
import { toJson } from '../src/integration/json.js';
import { loadEnv } from './package-app.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE =
  'usage: npm run connector -- [--env <name>] [--host <host>] [--client-id <id>] [--out <dir>]\n' +
  '  writes apiDefinition.swagger.json, apiProperties.json and icon.png (default build/connector)\n';

/** Writes the package; answers the files written. */
export function writeConnector(options: {
  readonly host: string;
  readonly clientId: string;
  readonly out: string;
}): string[] {
  const pkg = connectorPackage(toJson(buildOpenApiDocument()), {
    host: options.host,
    clientId: options.clientId,
  });
  const definition = `${JSON.stringify(pkg.definition, null, 2)}\n`;
  if (Buffer.byteLength(definition) >= MAX_DEFINITION_BYTES)
    throw new Error(`the definition is ${Buffer.byteLength(definition)} bytes, over 1 MB`);
  mkdirSync(options.out, { recursive: true });
  const files = ['apiDefinition.swagger.json', 'apiProperties.json', 'icon.png'].map((f) =>
    path.join(options.out, f),
  );
  const [definitionFile = '', propertiesFile = '', iconFile = ''] = files;
  writeFileSync(definitionFile, definition);
  writeFileSync(propertiesFile, `${JSON.stringify(pkg.properties, null, 2)}\n`);
  copyFileSync(path.join(ROOT, 'appPackage', 'color.png'), iconFile);
  return files;
}

function main(argv: string[]): number {
  const parsed = parseCli(
    {
      args: argv,
      options: {
        env: { type: 'string' },
        host: { type: 'string' },
        'client-id': { type: 'string' },
        out: { type: 'string' },
      },
      allowPositionals: false,
    },
    USAGE,
  );
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed.args;
  const env = loadEnv(values.env ?? 'dev');
  const host = values.host ?? (env.TAB_DOMAIN || undefined) ?? 'rectify.contoso.example';
  const clientId =
    values['client-id'] ??
    (env.AAD_APP_CLIENT_ID || undefined) ??
    '00000000-0000-0000-0000-000000000000';
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) {
    process.stderr.write(`--host takes a host name, such as rectify.contoso.com\n${USAGE}`);
    return 2;
  }
  try {
    for (const f of writeConnector({
      host,
      clientId,
      out: path.resolve(values.out ?? path.join(ROOT, 'build', 'connector')),
    }))
      process.stdout.write(`${path.relative(process.cwd(), f)}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = main(process.argv.slice(2));
