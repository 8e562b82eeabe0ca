/**
 * npm run playground: Rectify in local mode plus Microsoft 365 Agents Playground wired to its
 * bot. Open http://127.0.0.1:56150, type `report`, send the form, then record the CAR on the
 * triage card (the Playground user is the sample MR, Jordan Lee).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { commandWithoutOptions } from '../src/cli/cli-args.js';
import { startRectify } from '../src/server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface RunningPlayground {
  readonly url: string;
  readonly child: ChildProcess;
  close(): Promise<void>;
}

/** Starts Agents Playground against a bot endpoint; resolves when its page answers. */
export async function startPlayground(options: {
  readonly botEndpoint: string;
  readonly port?: number;
  readonly timeoutMs?: number;
}): Promise<RunningPlayground> {
  const port = options.port ?? 56150;
  const child = spawn(
    path.join(ROOT, 'node_modules', '.bin', 'agentsplayground'),
    ['-e', options.botEndpoint, '-c', 'msteams', '-p', String(port), '--disable-telemetry'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        TEAMSAPPTESTER_BROWSER: 'none',
        BOT_ENDPOINT: options.botEndpoint,
        TEAMSAPPTESTER_PORT: String(port),
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: path.join(ROOT, 'env', 'm365agentsplayground.yml'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Agents Playground exited:\n${output}`);
    try {
      if ((await fetch(url)).ok) break;
    } catch (e) {
      if (Date.now() > deadline)
        throw new Error(`Agents Playground did not start: ${String(e)}\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    child,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  commandWithoutOptions(
    'usage: npm run playground\n  Rectify in local mode with Microsoft 365 Agents Playground in front of its bot\n',
  );
  const logger = pino({ level: 'info', base: { app: 'rectify-playground' } });
  const config = loadConfig({ ...process.env, RECTIFY_MODE: 'local' });
  const rectify = await startRectify(config, { logger });
  const playground = await startPlayground({ botEndpoint: `${rectify.url}/api/messages` });
  logger.info(
    { playground: playground.url, rectify: rectify.url },
    'Agents Playground is ready: open it and type "report"',
  );
  const stop = async () => {
    await playground.close();
    await rectify.close();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
